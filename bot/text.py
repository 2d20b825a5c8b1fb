"""Text helpers: digits, name normalisation, bidi-safe HTML formatting, local dates.

Right-to-left rules (see shared notes): lines get an RLM so a leading Latin word or /command does not flip
the paragraph; dates, codes, commands, links and numbers are isolated left-to-right; user-supplied names
are first-strong isolated.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime, format_time

from bot.i18n import current_locale, is_rtl

RLM, LRM = "\u200f", "\u200e"
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
RLI = "\u2067"
TELEGRAM_TEXT_LIMIT = 4096
POPUP_LIMIT = 200  # answerCallbackQuery text, plain
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_HARAKAT = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# Direction marks and zero-width characters, and control characters (PostgreSQL cannot even store NUL).
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\x00-\x08\x0e-\x1f\x7f]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه"})


def normalize_digits(text: str) -> str:
    """Arabic-Indic and Persian digits to ASCII, so every typed number or code parses."""
    return text.translate(_DIGITS)


def normalize_key(text: str) -> str:
    """A comparison key for names: no harakat, tatweel or invisible marks, folded letters, one space, lower."""
    text = unicodedata.normalize("NFKC", normalize_digits(text))
    text = _INVISIBLE.sub("", _HARAKAT.sub("", text)).translate(_FOLD)
    return " ".join(text.split()).casefold()


def storable(text: str) -> str:
    """Text kept as it was typed (line breaks and all), without the NUL character PostgreSQL refuses."""
    return text.replace("\x00", "")


def clean_input(text: str) -> str:
    """Typed text as stored: invisible direction marks dropped, spaces collapsed."""
    return " ".join(_INVISIBLE.sub("", text).split())


class Safe(str):
    """Text that is already HTML-escaped and direction-safe."""


def esc(value: object) -> Safe:
    return value if isinstance(value, Safe) else Safe(html.escape(str(value), quote=False))


def ltr(value: object) -> Safe:
    """Isolate a left-to-right run (dates, codes, numbers, links) inside Arabic text."""
    return Safe(f"{LRI}{esc(value)}{PDI}")


def name(value: object) -> Safe:
    """Isolate user-supplied text whose direction is unknown (names, towns, cohort names)."""
    return Safe(f"{FSI}{esc(value)}{PDI}")


def cmd(command: str) -> Safe:
    """A /command that stays readable (and tappable) inside right-to-left text."""
    return Safe(f"{RLM}{LRM}{esc(command)}")


def fmt(template: str, **values: Any) -> Safe:
    """Fill a translated template; values are escaped unless already Safe. Ints are isolated LTR."""
    prepared = {k: ltr(v) if isinstance(v, int) and not isinstance(v, bool) else esc(v) for k, v in values.items()}
    return Safe(template.format(**prepared))


def plain(text: str, limit: int | None = None) -> str:
    """Our HTML (every translated text and `fmt` result is HTML) as plain text, for the fields Telegram shows as they
    are — a pop-up answering a button: tags dropped, entities (&amp; &lt;) turned back into their characters.
    Cut to `limit` UTF-16 units (what Telegram counts) with an ellipsis, no half character and no isolate left open.
    """
    text = html.unescape(_TAG.sub("", text))
    if limit is None or _utf16_length(text) <= limit:
        return text
    kept, used = [], 1  # room for the ellipsis
    for char in text:
        used += _utf16_length(char)
        if used > limit:
            break
        kept.append(char)
    cut = "".join(kept).rstrip()
    open_isolates = sum(cut.count(mark) for mark in (LRI, RLI, FSI)) - cut.count(PDI)
    while open_isolates > 0 and _utf16_length(cut) + open_isolates + 1 > limit:
        cut = cut[:-1]
        open_isolates = sum(cut.count(mark) for mark in (LRI, RLI, FSI)) - cut.count(PDI)
    return cut + PDI * max(open_isolates, 0) + "…"


def _utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def rtl_safe(text: str, locale: str | None = None) -> str:
    """Start every line with RLM for right-to-left readers, so a Latin or /command start does not flip it."""
    if not is_rtl(locale):
        return text
    return "\n".join(f"{RLM}{line}" if line else line for line in text.split("\n"))


def split_message(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split at line breaks to fit Telegram's limit (a single over-long line is cut hard)."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def babel_locale(locale: str | None = None) -> str:
    """Arabic dates use Iraqi month names (ar_IQ: آذار، نيسان …)."""
    locale = locale or current_locale()
    return "ar_IQ" if locale == "ar" else locale


def local_date(day: dt.date, locale: str | None = None) -> Safe:
    return name(format_date(day, format="long", locale=babel_locale(locale)))


def local_time(moment: dt.time, locale: str | None = None) -> Safe:
    return ltr(format_time(moment, format="HH:mm", locale=babel_locale(locale)))


def local_datetime(moment: dt.datetime, zone: str, locale: str | None = None) -> Safe:
    """An aware datetime shown in a zone (the cohort's), as date and 24-hour time."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    text = format_datetime(
        moment,
        format="d MMMM y، HH:mm" if is_rtl(locale) else "d MMMM y, HH:mm",
        tzinfo=ZoneInfo(zone),
        locale=babel_locale(locale),
    )
    return name(text)


def progress_bar(part: int, whole: int, width: int = 10) -> str:
    """▰▰▰▱▱▱▱▱▱▱ for 3 of 10 (a text bar: it reads the same in Arabic and English)."""
    filled = 0 if whole <= 0 else min(width, round(width * part / whole))
    return "▰" * filled + "▱" * (width - filled)
