"""Optional API keys and CORS.

* ``AIPOSTS_API_KEYS`` (comma-separated): when set, every ``/v1`` request needs one of the keys,
  as ``X-API-Key: <key>`` or ``Authorization: Bearer <key>``; otherwise a 401. Unset (the
  default): the read endpoints are open. ``/health`` and the docs stay open either way.
* ``AIPOSTS_CORS_ORIGINS`` (comma-separated, ``*`` for any): origins allowed to call the API
  from a browser, for GET and OPTIONS, with the two key headers allowed.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from api.errors import ApiError
from indexer.config import Settings

_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="needed only when AIPOSTS_API_KEYS is set"
)
_bearer = HTTPBearer(auto_error=False, description="the API key as a bearer token (alternative)")


class MissingApiKey(ApiError):
    """No key, or not one of the configured keys."""

    status = 401
    code = "api_key_required"

    def __init__(self, message: str) -> None:
        super().__init__(message, {"WWW-Authenticate": "Bearer"})


def configured_keys(settings: Settings) -> list[str]:
    return [k.strip() for k in (settings.api_keys or "").split(",") if k.strip()]


async def require_api_key(
    request: Request,
    header_key: Annotated[str | None, Depends(_header)] = None,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> None:
    """Dependency of every /v1 router: passes when no keys are configured or one is given."""
    settings: Settings = request.app.state.settings
    keys = configured_keys(settings)
    if not keys:
        return
    given = header_key or (bearer.credentials if bearer else None)
    if not given:
        raise MissingApiKey("this API needs a key: send it as X-API-Key or Authorization: Bearer")
    ok = False
    for key in keys:  # compare with every key, in constant time each
        ok = hmac.compare_digest(given.encode("utf-8"), key.encode("utf-8")) or ok
    if not ok:
        raise MissingApiKey("the API key is not valid")


def install_cors(app: FastAPI, settings: Settings) -> None:
    origins = [o.strip() for o in (settings.cors_origins or "").split(",") if o.strip()]
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins,
        allow_methods=["GET", "OPTIONS"],
        allow_headers=["X-API-Key", "Authorization", "Content-Type"],
        expose_headers=[
            "X-Total-Count",
            "X-Export-Remaining",
            "Retry-After",
            "Content-Disposition",
            "ETag",
            "X-Aiposts-Query",
        ],
        max_age=600,
    )
