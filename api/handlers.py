"""The one installer of the app's error handling: every exception becomes the envelope of
``api.errors``.

``ApiError`` subclasses render themselves; what FastAPI, Starlette and Elasticsearch raise is
first translated into one of them here, and anything else becomes a logged 500.
"""

from __future__ import annotations

import logging

from elasticsearch import ApiError as ESApiError
from elasticsearch import BadRequestError
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from elasticsearch import NotFoundError as ESNotFoundError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.backend import missing_index
from api.errors import (
    UNAVAILABLE_MESSAGE,
    ApiError,
    BackendError,
    ElasticsearchUnavailable,
    FieldError,
    HttpError,
    InternalError,
    InvalidParameters,
    QueryRejected,
    cannot_connect,
    no_answer,
)

log = logging.getLogger("aiposts.api")

_LOCATIONS = ("query", "path", "header", "body", "cookie")


def render(exc: ApiError) -> JSONResponse:
    """The envelope of ``exc``, without the fields it does not use."""
    body = {"error": exc.body().model_dump(exclude_none=True)}
    headers = dict(exc.headers) if exc.headers else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


# -- translations of the exceptions the API does not own -----------------------------------------


def _field_name(loc: tuple[object, ...] | list[object]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    where = parts[0] if parts and parts[0] in _LOCATIONS else "query"
    rest = parts[1:] if parts and parts[0] == where else parts
    rest = [p for p in rest if not p.isdigit()]  # lang.0 -> lang: the parameter, not the index
    return ".".join(rest) or where, where


def from_validation(exc: RequestValidationError) -> InvalidParameters:
    fields = []
    for err in exc.errors():
        name, where = _field_name(err.get("loc", ()))
        fields.append(FieldError(field=name, message=str(err.get("msg", "invalid")), location=where))
    return InvalidParameters(fields)


def from_elasticsearch(exc: ESApiError) -> ApiError:
    """An error answer of Elasticsearch: the query's fault (400), an outage (503) or a 502."""
    if isinstance(exc, ESNotFoundError) and missing_index(exc):
        return ElasticsearchUnavailable("the search index does not exist yet: run aiposts-index ingest")
    if isinstance(exc, BadRequestError):
        log.warning("Elasticsearch rejected a query: %s", exc)
        return QueryRejected("the query is too complex for the search engine; simplify it")
    if exc.meta.status in (429, 502, 503, 504):
        log.warning("Elasticsearch answered %s: %s", exc.meta.status, exc)
        return ElasticsearchUnavailable(f"{UNAVAILABLE_MESSAGE}: overloaded or down ({exc.meta.status})")
    log.error("Elasticsearch error: %s", exc)
    return BackendError("the search engine failed")


def from_connection(exc: Exception) -> ElasticsearchUnavailable:
    """A connection failure that no ``guarded`` call caught: still a 503."""
    return no_answer() if isinstance(exc, ESConnectionTimeout) else cannot_connect(exc)


def from_http(exc: StarletteHTTPException) -> HttpError:
    return HttpError(exc.status_code, str(exc.detail), getattr(exc, "headers", None))


def as_api_error(exc: Exception) -> ApiError:
    """What the client is told about ``exc`` (one of the exceptions installed below)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestValidationError):
        return from_validation(exc)
    if isinstance(exc, ESApiError):
        return from_elasticsearch(exc)
    if isinstance(exc, StarletteHTTPException):
        return from_http(exc)
    return from_connection(exc)


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    return render(as_api_error(exc))


class UnexpectedErrors:
    """ASGI middleware: an exception no handler took becomes the JSON envelope with 500 (not
    Starlette's plain text), and its traceback goes to the log. A response already under way
    (a stream) cannot change its status: the error is logged and re-raised to end it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            log.exception("unexpected error in %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            error = InternalError("unexpected server error; it has been logged")
            await render(error)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    """Call before ``install_cors``: CORS, added later, then wraps the 500 middleware too."""
    app.add_middleware(UnexpectedErrors)
    for exc_type in (
        ApiError,
        RequestValidationError,
        ESApiError,
        StarletteHTTPException,
        ESConnectionError,
        ESConnectionTimeout,
    ):
        app.add_exception_handler(exc_type, _handle)
