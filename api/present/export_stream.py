"""The ``/v1/export`` download: the rows streamed as they are read, and its headers.

The status line goes out before the posts are read: a failure in the middle ends the stream
early (logged), which ``X-Total-Count`` and the last id received make visible.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import aclosing

from fastapi.responses import StreamingResponse

from api.present.export_rows import RowEncoder, source_paths
from api.query.export_scan import ExportScan

log = logging.getLogger("aiposts.api")


async def _stream(scan: ExportScan, encoder: RowEncoder, paths: list[str]) -> AsyncIterator[bytes]:
    try:
        head = encoder.header()
        if head:
            yield head
        async with aclosing(scan.batches(paths)) as batches:  # closes the snapshot, also if cut off
            async for batch in batches:
                chunk = encoder.rows(batch)
                if chunk:
                    yield chunk
        tail = encoder.end()
        if tail:
            yield tail
    except Exception:  # the status line is gone: end the stream; the client resumes
        log.exception("export stopped early")


def download(scan: ExportScan, fields: list[str], fmt: str, gzip: bool) -> StreamingResponse:
    """The streamed file of ``scan`` with the columns ``fields`` in ``fmt`` (ndjson or csv)."""
    ext = "csv" if fmt == "csv" else "ndjson"
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/x-ndjson"
    filename = f"aiposts-export.{ext}"
    if gzip:
        media, filename = "application/gzip", filename + ".gz"
    return StreamingResponse(
        _stream(scan, RowEncoder(fmt, fields, gzip), source_paths(fields)),
        media_type=media,
        headers={
            "X-Total-Count": str(scan.total),
            "X-Export-Remaining": str(scan.remaining),
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
