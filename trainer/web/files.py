"""Files a page sends for download: stored bytes, never the uploader's file name."""

from __future__ import annotations

from flask import Response


def attachment(data: bytes, mimetype: str, filename: str) -> Response:
    """``data`` as a download named ``filename`` (a name this system made), not sniffed."""
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f"attachment; filename={filename}",
            "X-Content-Type-Options": "nosniff",
        },
    )
