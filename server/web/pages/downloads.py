"""A sheet or a file as a download: one place for its type and its headers."""
from __future__ import annotations

from flask import Response

from .. import exports

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def file_download(body: bytes, mimetype: str, name: str, fallback: str | None = None,
                  disposition: str = "attachment") -> Response:
    """``body`` to be saved as ``name``; with ``fallback`` (an ASCII name) the name is sent in
    UTF-8 too, for the Chinese names of the exports. Never cached: it holds personal data."""
    header = exports.content_disposition(name, fallback) if fallback else \
        f'{disposition}; filename="{name}"'
    # content_type, not mimetype: Flask adds "; charset=utf-8" to a text mimetype even when it
    # has one already (CSV downloads said "charset=utf-8; charset=utf-8").
    return Response(body, content_type=mimetype, headers={"Content-Disposition": header,
                                                          "Cache-Control": "no-store"})


def sheet_download(sheet: exports.Sheet, fmt: str, name: str,
                   fallback: str | None = None) -> Response:
    """``sheet`` as a CSV (``fmt`` "csv") or an Excel workbook (any other ``fmt``)."""
    if fmt == "csv":
        return file_download(exports.to_csv(sheet), CSV, name, fallback)
    return file_download(exports.to_xlsx(sheet), XLSX, name, fallback)
