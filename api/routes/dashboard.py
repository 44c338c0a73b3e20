"""The dashboard page at ``/``: plain HTML, CSS and JavaScript from ``api/static`` (no build
step, nothing fetched from the internet; charts are inline SVG drawn by the page's script).
The page calls the ``/v1`` endpoints of this same server."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parents[1] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def page() -> FileResponse:
    return FileResponse(
        STATIC / "index.html", media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"}
    )


def install(app: FastAPI) -> None:
    """``/`` and ``/static/*``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
