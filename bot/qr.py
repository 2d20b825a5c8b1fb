"""QR code images of invite and check-in links."""

from __future__ import annotations

import io

import segno


def qr_png(data: str, *, scale: int = 10, border: int = 3) -> bytes:
    """A PNG large enough to scan from another phone's screen."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="png", scale=scale, border=border)
    return buffer.getvalue()
