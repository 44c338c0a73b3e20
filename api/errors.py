"""The JSON error envelope of the API, and the mapping of Elasticsearch outages to 503."""

from __future__ import annotations

import logging

from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import ConnectionTimeout as ESConnectionTimeout
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

log = logging.getLogger("aiposts.api")

RETRY_AFTER_SECONDS = 5
UNAVAILABLE_CODE = "elasticsearch_unavailable"
UNAVAILABLE_MESSAGE = "search backend unavailable"  # never the address: that is logged


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error the API returns has this shape: ``{"error": {"code", "message"}}``."""

    error: ErrorDetail


class ElasticsearchUnavailable(Exception):
    """Elasticsearch did not answer (refused, unreachable, or slower than allowed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def error_response(
    status_code: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = ErrorResponse(error=ErrorDetail(code=code, message=message))
    return JSONResponse(body.model_dump(), status_code=status_code, headers=headers)


def unavailable_response(message: str) -> JSONResponse:
    return error_response(
        503, UNAVAILABLE_CODE, message, headers={"Retry-After": str(RETRY_AFTER_SECONDS)}
    )


def cannot_connect(exc: BaseException) -> ElasticsearchUnavailable:
    """The 503 of a refused or unreachable node: its address goes to the log, not the client."""
    log.warning("cannot connect to Elasticsearch: %s", getattr(exc, "message", None) or exc)
    return ElasticsearchUnavailable(f"{UNAVAILABLE_MESSAGE}: cannot connect")


def no_answer(seconds: float | None = None) -> ElasticsearchUnavailable:
    within = f" within {seconds:g} s" if seconds is not None else " in time"
    return ElasticsearchUnavailable(f"{UNAVAILABLE_MESSAGE}: no answer{within}")


def _describe(exc: Exception) -> str:
    if isinstance(exc, ElasticsearchUnavailable):
        return exc.message
    if isinstance(exc, ESConnectionTimeout):
        return no_answer().message
    return cannot_connect(exc).message


async def _unavailable_handler(_request: Request, exc: Exception) -> JSONResponse:
    return unavailable_response(_describe(exc))


def install_error_handlers(app: FastAPI) -> None:
    """Any Elasticsearch connection failure, in any route, becomes a 503 with Retry-After."""
    for exc_type in (ElasticsearchUnavailable, ESConnectionError, ESConnectionTimeout):
        app.add_exception_handler(exc_type, _unavailable_handler)
