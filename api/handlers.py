"""Error responses of the /v1 endpoints, all in the ``{"error": {...}}`` envelope.

* 422 ``invalid_parameters``: one entry per bad parameter in ``fields``;
* 400 ``query_syntax``: a ``q`` that cannot be read, with ``position``;
* 400 ``query_rejected``: Elasticsearch refused the query (too complex);
* 401 ``api_key_required``; 404 ``not_found``; 503 (see ``api.errors``);
* 500 ``internal_error``: anything unexpected (the traceback is logged).
"""

from __future__ import annotations

import logging

from elasticsearch import ApiError, BadRequestError
from elasticsearch import NotFoundError as ESNotFoundError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import UNAVAILABLE_MESSAGE, unavailable_response
from api.models import ErrorBody, ErrorEnvelope, FieldError
from api.present.cursor import CursorError
from api.query.syntax import QuerySyntaxError
from api.security import MissingApiKey

log = logging.getLogger("aiposts.api")

# for ``responses=`` of the routes
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorEnvelope, "description": "q cannot be read (with the position)"},
    401: {"model": ErrorEnvelope, "description": "an API key is configured and none was given"},
    422: {"model": ErrorEnvelope, "description": "bad parameters, one message per field"},
    503: {"model": ErrorEnvelope, "description": "Elasticsearch is unreachable (Retry-After)"},
}


class NotFound(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def envelope(status: int, body: ErrorBody, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        ErrorEnvelope(error=body).model_dump(exclude_none=True), status_code=status, headers=headers
    )


def _field_name(loc: tuple[object, ...] | list[object]) -> tuple[str, str]:
    parts = [str(p) for p in loc]
    where = parts[0] if parts and parts[0] in ("query", "path", "header", "body", "cookie") else "query"
    rest = parts[1:] if parts and parts[0] == where else parts
    rest = [p for p in rest if not p.isdigit()]  # lang.0 -> lang: the parameter, not the index
    return ".".join(rest) or where, where


async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
    fields = []
    for err in exc.errors():
        name, where = _field_name(err.get("loc", ()))
        fields.append(FieldError(field=name, message=str(err.get("msg", "invalid")), location=where))
    summary = "; ".join(f"{f.field}: {f.message}" for f in fields) or "invalid parameters"
    return envelope(422, ErrorBody(code="invalid_parameters", message=summary, fields=fields))


async def _syntax(_request: Request, exc: QuerySyntaxError) -> JSONResponse:
    return envelope(400, ErrorBody(code="query_syntax", message=str(exc), position=exc.position))


async def _cursor(_request: Request, exc: CursorError) -> JSONResponse:
    message = str(exc)
    return envelope(
        422,
        ErrorBody(code="invalid_parameters", message=f"cursor: {message}",
                  fields=[FieldError(field="cursor", message=message)]),
    )


async def _key(_request: Request, exc: MissingApiKey) -> JSONResponse:
    return envelope(
        401, ErrorBody(code="api_key_required", message=exc.message), headers={"WWW-Authenticate": "Bearer"}
    )


async def _not_found(_request: Request, exc: NotFound) -> JSONResponse:
    return envelope(404, ErrorBody(code="not_found", message=exc.message))


async def _es_api_error(_request: Request, exc: ApiError) -> JSONResponse:
    if isinstance(exc, ESNotFoundError) and "index_not_found" in str(exc):
        return unavailable_response("the search index does not exist yet: run aiposts-index ingest")
    if isinstance(exc, BadRequestError):
        log.warning("Elasticsearch rejected a query: %s", exc)
        return envelope(400, ErrorBody(code="query_rejected",
                                       message="the query is too complex for the search engine; simplify it"))
    if exc.meta.status in (429, 502, 503, 504):
        log.warning("Elasticsearch answered %s: %s", exc.meta.status, exc)
        return unavailable_response(f"{UNAVAILABLE_MESSAGE}: overloaded or down ({exc.meta.status})")
    log.error("Elasticsearch error: %s", exc)
    return envelope(502, ErrorBody(code="search_backend_error", message="the search engine failed"))


async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return envelope(exc.status_code, ErrorBody(code=code, message=str(exc.detail)),
                    headers=getattr(exc, "headers", None))


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
            body = ErrorBody(code="internal_error", message="unexpected server error; it has been logged")
            await envelope(500, body)(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_middleware(UnexpectedErrors)  # innermost middleware: CORS (added later) wraps it
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(QuerySyntaxError, _syntax)  # type: ignore[arg-type]
    app.add_exception_handler(CursorError, _cursor)  # type: ignore[arg-type]
    app.add_exception_handler(MissingApiKey, _key)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(ApiError, _es_api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
