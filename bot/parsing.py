"""Parsing what people type: dates, times, names, ids. Every digit set is accepted. Returns None when invalid."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.text import clean_input, normalize_digits, normalize_key

_DATE_ISO = re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})$")
_DATE_DMY = re.compile(r"^(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{4})$")
_TIME = re.compile(r"^(\d{1,2})(?:\s*[:.]\s*(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|ص|م|صباحا|صباحًا|مساء|مساءً)?$")
_MORNING = {"am", "a.m.", "ص", "صباحا", "صباحًا"}

NAME_MIN, NAME_MAX = 2, 64
COHORT_NAME_MIN, COHORT_NAME_MAX = 2, 64
# A name's comparison key (`normalize_key`) can be much longer than the name: NFKC spells out ligatures (ﷺ is
# 18 characters). Stored keys are VARCHAR(NAME_KEY_MAX) (people.name_key, cohorts.name_key: migration 0008), and a
# name is valid only if its key fits.
NAME_KEY_MAX = 256

DB_INT_MAX = 2**31 - 1  # PostgreSQL `integer`: every id and count column
TELEGRAM_ID_MAX = 2**52 - 1  # Telegram: user and chat ids have at most 52 significant bits


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


def parse_int(text: str, *, minimum: int = 0, maximum: int = DB_INT_MAX) -> int | None:
    """A whole number in any digits within [minimum, maximum]; the digits are counted before `int()`, so a
    5,000-digit "number" (or a forged button's) costs nothing and never reaches the database."""
    value = normalize_digits(clean_input(text))
    if not (value.isascii() and value.isdigit()) or len(value.lstrip("0")) > len(str(maximum)):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def parse_positive_int(text: str, maximum: int = DB_INT_MAX) -> int | None:
    """1..maximum (by default what an `integer` column holds: ids, counts, pages)."""
    return parse_int(text, minimum=1, maximum=maximum)


def parse_telegram_id(text: str) -> int | None:
    """A numeric Telegram user id (positive, below 2**52)."""
    return parse_int(text, minimum=1, maximum=TELEGRAM_ID_MAX)


def key_fits(value: str) -> bool:
    return len(normalize_key(value)) <= NAME_KEY_MAX


def parse_full_name(text: str) -> str | None:
    """2-64 characters of letters, with spaces, hyphens, apostrophes or dots between; stored as typed; its
    comparison key at most NAME_KEY_MAX characters."""
    value = clean_input(text)
    if not NAME_MIN <= len(value) <= NAME_MAX or not key_fits(value):
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
    if not COHORT_NAME_MIN <= len(value) <= COHORT_NAME_MAX or value.startswith("/") or not key_fits(value):
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
        if (number := parse_int(word, minimum=1, maximum=7)) is not None:
            days.add(number)
        elif word in _WEEKDAYS:
            days.add(_WEEKDAYS[word])
        else:
            return None
    return frozenset(days) if days else None


_ROLE_TRAINER = frozenset(normalize_key(w) for w in ("trainer", "trainers", "مدرب", "مدربة", "مدربين"))
_INVITE_USES = frozenset(normalize_key(w) for w in ("uses", "use", "max-uses", "استخدام", "استخدامات", "مرة", "مرات"))
_INVITE_DAYS = frozenset(normalize_key(w) for w in ("days", "day", "أيام", "ايام", "يوم", "يوما", "يومًا"))


@dataclass(frozen=True, slots=True)
class InviteWords:
    """What follows /invite: the cohort's name, the role, and the uses and days chosen (None: the role's default).
    `out_of_range`: a number too long to be any count (its range is the service's business otherwise)."""

    cohort: str
    trainer: bool = False
    uses: int | None = None
    days: int | None = None
    out_of_range: bool = False


def parse_invite_words(words: Sequence[str]) -> InviteWords:
    """ "Hit Youth trainer uses 3 days 14", "--uses=3", "دفعة بغداد مدرب استخدامات ٣ أيام ١٤": the options follow the
    cohort's name in any order. A word such as "days" with no number after it stays part of the name."""
    tokens: list[str] = []
    for word in words:
        option, equals, value = word.partition("=")
        is_option = normalize_key(option.lstrip("-")) in _INVITE_USES | _INVITE_DAYS
        tokens += [option, value] if equals and is_option else [word]
    trainer, out_of_range = False, False
    chosen: dict[str, int] = {}
    while tokens:
        last = normalize_key(tokens[-1].lstrip("-"))
        option = normalize_key(tokens[-2].lstrip("-")) if len(tokens) >= 2 else ""
        digits = normalize_digits(tokens[-1])
        if last in _ROLE_TRAINER:
            trainer = True
            tokens.pop()
        elif (option in _INVITE_USES or option in _INVITE_DAYS) and digits.isascii() and digits.isdigit():
            number = parse_int(digits)
            out_of_range = out_of_range or number is None
            chosen.setdefault("uses" if option in _INVITE_USES else "days", number if number is not None else 0)
            del tokens[-2:]
        else:
            break
    return InviteWords(" ".join(tokens), trainer, chosen.get("uses"), chosen.get("days"), out_of_range)
