"""The bundled Arabic font for charts and images (matplotlib >= 3.11 shapes Arabic itself: pass raw text)."""

from __future__ import annotations

import functools
from pathlib import Path

FONTS = Path(__file__).resolve().parent / "assets" / "fonts"
ARABIC = "Noto Sans Arabic"
FAMILY = [ARABIC, "DejaVu Sans"]  # per-glyph fallback: Latin letters and digits come from DejaVu Sans


@functools.cache
def use_arabic_font() -> list[str]:
    """Register the bundled fonts with matplotlib once; returns the font family list to use."""
    from matplotlib import font_manager

    for path in sorted(FONTS.glob("*.ttf")):
        font_manager.fontManager.addfont(str(path))
    return FAMILY
