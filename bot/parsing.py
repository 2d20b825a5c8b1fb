"""Parsing what people type: dates, times, names, ids. Every digit set is accepted. Returns None when invalid."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from bot.text import clean_input, normalize_digits

_DATE_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|ص|م|صباحا|صباحًا|مساء|مساءً)?$")
_MORNING = {"am", "a.m.", "ص", "صباحا", "صباحًا"}

NAME_MIN, NAME_MAX = 2, 64
COHORT_NAME_MIN, COHORT_NAME_MAX = 2, 64


def parse_date(text: str) -> dt.date | None:
    """2025-03-07, 2025/3/7, 7/3/2025 or 7-3-2025, in any digits."""
    value = normalize_digits(clean_input(text))
    if match := _DATE_ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DATE_DMY.match(value):
        day, month, year = (int(g) for g in match.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_time(text: str) -> dt.time | None:
    """18:30, 6:30 pm, ٦:٣٠ م, 9 (24-hour unless marked am/pm or ص/م)."""
    value = normalize_digits(clean_input(text)).lower()
    match = _TIME.match(value)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    marker = match.group(3)
    if marker:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (0 if marker in _MORNING else 12)
    if hour > 23 or minute > 59:
        return None
    return dt.time(hour, minute)


def parse_positive_int(text: str) -> int | None:
    value = normalize_digits(clean_input(text))
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def parse_full_name(text: str) -> str | None:
    """2-64 characters of letters, with spaces, hyphens, apostrophes or dots between; stored as typed."""
    value = clean_input(text)
    if not NAME_MIN <= len(value) <= NAME_MAX:
        return None
    letters = 0
    for char in value:
        category = unicodedata.category(char)
        if category.startswith("L"):
            letters += 1
        elif not (char in " -'.ʼ’" or category == "Mn"):
            return None
    return value if letters >= NAME_MIN else None


def parse_cohort_name(text: str) -> str | None:
    value = clean_input(text)
    if not COHORT_NAME_MIN <= len(value) <= COHORT_NAME_MAX or value.startswith("/"):
        return None
    if any(unicodedata.category(c).startswith("C") for c in value):
        return None
    return value


_WEEKDAYS = {
    name: number
    for number, names in enumerate(
        (
            ("mon", "monday", "الاثنين", "الإثنين"),
            ("tue", "tuesday", "الثلاثاء"),
            ("wed", "wednesday", "الأربعاء", "الاربعاء"),
            ("thu", "thursday", "الخميس"),
            ("fri", "friday", "الجمعة"),
            ("sat", "saturday", "السبت"),
            ("sun", "sunday", "الأحد", "الاحد"),
        ),
        start=1,
    )
    for name in names
}


def parse_weekdays(text: str) -> frozenset[int] | None:
    """ "fri,sat", "friday", "5 6", "الجمعة" → ISO weekdays (Monday=1); "none" → no rest day; None when invalid."""
    words = [w for w in normalize_digits(text).replace("،", ",").replace(",", " ").lower().split() if w]
    if words == ["none"] or words == ["-"]:
        return frozenset()
    days: set[int] = set()
    for word in words:
        if word.isdigit() and 1 <= int(word) <= 7:
            days.add(int(word))
        elif word in _WEEKDAYS:
            days.add(_WEEKDAYS[word])
        else:
            return None
    return frozenset(days) if days else None
