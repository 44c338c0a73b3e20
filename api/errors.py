"""Every error the API answers with: one JSON envelope and one family of exceptions.

The envelope is ``{"error": {"code", "message", ...}}``; 422s add ``fields`` (one entry per
bad parameter), query syntax errors add ``position``. Code anywhere raises an ``ApiError``
subclass and ``api.handlers`` (the one installer) renders it; exceptions of FastAPI,
Starlette and Elasticsearch are translated into one of these there.

Exception hierarchy::

    ApiError                          status, code, message, headers
     ├── InvalidParameters            422 invalid_parameters + fields   (see ``invalid``)
     │    └── CursorError             422, the field is ``cursor``      api.present.cursor
     ├── QuerySyntaxError             400 query_syntax + position       api.query.syntax
     ├── QueryRejected                400 query_rejected: Elasticsearch refused the query
     ├── MissingApiKey                401 api_key_required              api.security
     ├── NotFound                     404 not_found
     ├── HttpError                    Starlette's own (unknown path, 405, ...)
     ├── InternalError                500 internal_error (the traceback is logged)
     ├── BackendError                 502 search_backend_error
     └── ElasticsearchUnavailable     503 elasticsearch_unavailable + Retry-After
"""

from __future__ import annotations

import logging
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

log = logging.getLogger("aiposts.api")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = "elasticsearch_unavailable"
UNAVAILABLE_MESSAGE = "search backend unavailable"  # never the address: that is logged


# -- the envelope ------------------------------------------------------------------------------


class FieldError(BaseModel):
    field: str = Field(description="the parameter, e.g. 'size' or 'from'")
    message: str
    location: str = Field("query", description="query, path or header")


class ErrorBody(BaseModel):
    code: str = Field(examples=["invalid_parameters"])
    message: str
    position: int | None = Field(None, description="for query syntax errors: 0-based offset into q")
    fields: list[FieldError] | None = Field(None, description="for 422: one entry per bad parameter")


class ErrorEnvelope(BaseModel):
    """Every error: ``{"error": {"code", "message", ...}}``."""

    error: ErrorBody

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "error": {
                        "code": "invalid_parameters",
                        "message": "size: Input should be less than or equal to 100",
                        "fields": [
                            {"field": "size", "message": "Input should be less than or equal to 100",
                             "location": "query"}
                        ],
                    }
                }
            ]
        }
    )


# for ``responses=`` of the routes
ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorEnvelope, "description": "q cannot be read (with the position)"},
    401: {"model": ErrorEnvelope, "description": "an API key is configured and none was given"},
    422: {"model": ErrorEnvelope, "description": "bad parameters, one message per field"},
    503: {"model": ErrorEnvelope, "description": "Elasticsearch is unreachable (Retry-After)"},
}


# -- the exceptions ----------------------------------------------------------------------------


class ApiError(Exception):
    """An error answered as the envelope: ``status`` and ``code`` come from the class."""

    status: int = 500
    code: str = "internal_error"

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers

    def body(self) -> ErrorBody:
        """The ``error`` object; subclasses with more to say add their fields."""
        return ErrorBody(code=self.code, message=self.message)


class InvalidParameters(ApiError):
    """Parameters FastAPI accepted but the API cannot use, one ``FieldError`` each."""

    status = 422
    code = "invalid_parameters"

    def __init__(self, fields: list[FieldError], inputs: dict[str, object] | None = None) -> None:
        super().__init__("; ".join(f"{f.field}: {f.message}" for f in fields) or "invalid parameters")
        self.fields = fields
        self.inputs = inputs or {}  # what was sent, by field: for debugging, never echoed

    def body(self) -> ErrorBody:
        return ErrorBody(code=self.code, message=self.message, fields=self.fields)


def invalid(name: str, message: str, value: object = None) -> InvalidParameters:
    """The 422 of one query parameter: ``raise invalid("to", "'to' is before 'from'", raw)``."""
    return InvalidParameters([FieldError(field=name, message=message)], {name: value})


class QueryRejected(ApiError):
    status = 400
    code = "query_rejected"


class NotFound(ApiError):
    status = 404
    code = "not_found"


class HttpError(ApiError):
    """An error Starlette raised itself (no such path, wrong method): its status is kept."""

    _CODES: ClassVar[dict[int, str]] = {404: "not_found", 405: "method_not_allowed"}

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, headers)
        self.status = status  # per instance: whatever status Starlette gives
        self.code = self._CODES.get(status, "http_error")


class InternalError(ApiError):
    status = 500
    code = "internal_error"


class BackendError(ApiError):
    """Elasticsearch answered with an error that is neither the query's fault nor an outage."""

    status = 502
    code = "search_backend_error"


class ElasticsearchUnavailable(ApiError):
    """Elasticsearch did not answer (refused, unreachable, or slower than allowed)."""

    status = 503
    code = UNAVAILABLE_CODE

    def __init__(self, message: str) -> None:
        super().__init__(message, {"Retry-After": str(RETRY_AFTER_SECONDS)})


def cannot_connect(exc: BaseException) -> ElasticsearchUnavailable:
    """The 503 of a refused or unreachable node: its address goes to the log, not the client."""
    log.warning("cannot connect to Elasticsearch: %s", getattr(exc, "message", None) or exc)
    return ElasticsearchUnavailable(f"{UNAVAILABLE_MESSAGE}: cannot connect")


def no_answer(seconds: float | None = None) -> ElasticsearchUnavailable:
    within = f" within {seconds:g} s" if seconds is not None else " in time"
    return ElasticsearchUnavailable(f"{UNAVAILABLE_MESSAGE}: no answer{within}")
