"""When a post goes out, as trainees type it: dates and times in Arabic or English words, any digits.

    "2026-12-10 18:00", "10/12 6pm", "10 December", "tomorrow 9:30", "next friday 17:00",
    "غدًا ٩:٣٠ مساءً", "٩٫٣٠", "9.30", "الخميس 8 م", "بعد باجر الساعة 8 ونص", "١٠ كانون الأول ٦ مساءً"

Pure functions: relative words ("tomorrow", a weekday) are resolved against the cohort-local `today` the caller
passes. A date without a year is the next such date (today or later). A plain weekday is the next one, today
included; "next <weekday>" / "<weekday> القادم" is never today. Hours without am/pm (or ص/م) use the 24-hour clock.
Whether the moment is in the past is the caller's business (it knows the zone and the clock).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from bot.text import normalize_key

Reason = Literal["date", "time", "unknown"]


class WhenError(ValueError):
    """`reason`: "date" (no such date: 31/02), "time" (no such time: 25:00) or "unknown" (not understood)."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True, slots=True)
class When:
    day: dt.date | None
    time: dt.time | None


def _keys(*words: str) -> tuple[str, ...]:
    """Vocabulary in the same normal form as the input (no harakat, folded alef/ya/ta marbuta, lower case)."""
    return tuple(normalize_key(word) for word in words)


_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("january", "jan", "كانون الثاني", "يناير"),
        ("february", "feb", "شباط", "فبراير"),
        ("march", "mar", "آذار", "مارس"),
        ("april", "apr", "نيسان", "أبريل", "إبريل"),
        ("may", "أيار", "مايو"),
        ("june", "jun", "حزيران", "يونيو"),
        ("july", "jul", "تموز", "يوليو"),
        ("august", "aug", "آب", "أغسطس", "اغسطس"),
        ("september", "sep", "sept", "أيلول", "سبتمبر"),
        ("october", "oct", "تشرين الأول", "أكتوبر"),
        ("november", "nov", "تشرين الثاني", "نوفمبر"),
        ("december", "dec", "كانون الأول", "ديسمبر"),
    ),
    start=1,
):
    for _key in _keys(*_names):
        _MONTHS[_key] = _number

_WEEKDAYS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("monday", "mon", "الاثنين", "الإثنين", "اثنين"),
        ("tuesday", "tue", "tues", "الثلاثاء", "ثلاثاء"),
        ("wednesday", "wed", "الأربعاء", "أربعاء"),
        ("thursday", "thu", "thur", "thurs", "الخميس", "خميس"),
        ("friday", "fri", "الجمعة", "جمعة"),
        ("saturday", "sat", "السبت", "سبت"),
        ("sunday", "sun", "الأحد", "أحد"),
    ),
    start=1,
):
    for _key in _keys(*_names):
        _WEEKDAYS[_key] = _number

# Relative days, longest phrases first (so "بعد غد" is not read as "غد").
_RELATIVE: list[tuple[str, int]] = sorted(
    [
        (k, 2)
        for k in _keys(
            "day after tomorrow",
            "after tomorrow",
            "بعد غد",
            "بعد غدا",
            "بعد بكرة",
            "بعد باجر",
            "بعد باچر",
            "عقب باجر",
            "عقب باچر",
        )
    ]
    + [(k, 1) for k in _keys("tomorrow", "tmrw", "غدا", "غداً", "بكرة", "بكرا", "باجر", "باچر")]
    + [(k, 0) for k in _keys("today", "tonight", "اليوم", "الليلة")],
    key=lambda pair: -len(pair[0]),
)
_NEXT_BEFORE = frozenset(_keys("next"))
_NEXT_AFTER = frozenset(_keys("القادم", "القادمة", "الجاي", "الجاية", "الياي"))
_FILLERS = frozenset(_keys("at", "on", "the", "this", "في", "يوم", "الساعة", "ساعة", "الساعه", "بالساعة", "-", "@"))

_AM = _keys("am", "a.m.", "a.m", "ص", "صباحا", "صباحاً", "صباح", "الصباح", "الصبح", "صبحا", "فجرا")
_PM = _keys(
    "pm",
    "p.m.",
    "p.m",
    "م",
    "مساء",
    "مساءً",
    "مساءا",
    "مسا",
    "المساء",
    "عصرا",
    "العصر",
    "ليلا",
    "ليلاً",
    "بالليل",
    "الليل",
    "باليل",
)
_NOON = _keys("ظهرا", "ظهراً", "الظهر", "ظهر", "noon")
_MARKERS = {**{k: "am" for k in _AM}, **{k: "pm" for k in _PM}, **{k: "noon" for k in _NOON}}
_FRACTIONS = {**{k: 30 for k in _keys("ونص", "ونصف", "و نص", "و نصف")}, **{k: 15 for k in _keys("وربع", "و ربع")}}


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_MONTH_RE = _alternation(list(_MONTHS))
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_DATE_DMY = re.compile(r"(?<!\d)(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?!\d)")
_DATE_DM = re.compile(r"(?<![\d:.])(\d{1,2})[/-](\d{1,2})(?![\d:/.-])")
_DAY_MONTH = re.compile(rf"(?<![\w:])(\d{{1,2}})\s*(?:of\s+)?({_MONTH_RE})(?:\s*,?\s*(\d{{4}}))?(?!\w)")
_MONTH_DAY = re.compile(rf"(?<!\w)({_MONTH_RE})\s+(\d{{1,2}})(?:\s*,?\s*(\d{{4}}))?(?![\w:])")
_TIME = re.compile(
    rf"(?<![\w:.])(\d{{1,2}})(?:\s*[:.]\s*(\d{{1,2}})|\s*({_alternation(list(_FRACTIONS))}))?"
    rf"(?:\s*({_alternation(list(_MARKERS))}))?(?![\w:.])"
)
_NOON_ALONE = re.compile(rf"(?<!\w)({_alternation(list(_NOON))})(?!\w)")


def _normal(text: str) -> str:
    value = normalize_key(text).replace("،", " ").replace(",", " ")
    value = re.sub(r"(\d)\s*\u066b\s*(\d)", r"\1:\2", value)  # the Arabic decimal separator: "٩٫٣٠" is 9:30
    return re.sub(r"(\d)t(\d)", r"\1 \2", value)  # 2026-12-10T18:00


def _date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise WhenError("date") from None


def _without_year(month: int, day: int, today: dt.date) -> dt.date:
    """The next such date, today or later (31/02 is refused, whatever the year)."""
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise WhenError("date")
    for year in (today.year, today.year + 1, today.year + 2, today.year + 3, today.year + 4):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue  # 29/02 outside a leap year: the next leap year's
        if candidate >= today:
            return candidate
    raise WhenError("date")


def _named(year: str | None, month: int, day: int, today: dt.date) -> dt.date:
    return _date(int(year), month, day) if year else _without_year(month, day, today)


def _cut(text: str, match: re.Match[str]) -> str:
    return f"{text[: match.start()]} {text[match.end() :]}"


def _take_date(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    if match := _DATE_ISO.search(text):
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day), _cut(text, match)
    if match := _DATE_DMY.search(text):
        day, month, year = (int(g) for g in match.groups())
        return _date(year, month, day), _cut(text, match)
    if match := _DAY_MONTH.search(text):
        return _named(match.group(3), _MONTHS[match.group(2)], int(match.group(1)), today), _cut(text, match)
    if match := _MONTH_DAY.search(text):
        return _named(match.group(3), _MONTHS[match.group(1)], int(match.group(2)), today), _cut(text, match)
    if match := _DATE_DM.search(text):
        day, month = int(match.group(1)), int(match.group(2))
        return _without_year(month, day, today), _cut(text, match)
    return None, text


def _take_relative(text: str, today: dt.date) -> tuple[dt.date | None, str]:
    padded = f" {text} "
    for phrase, days in _RELATIVE:
        if f" {phrase} " in padded:
            return today + dt.timedelta(days=days), padded.replace(f" {phrase} ", " ", 1)
    words = text.split()
    for index, word in enumerate(words):
        bare = word.removeprefix("يوم") if word.startswith("يوم") and word != "يوم" else word
        if bare not in _WEEKDAYS:
            continue
        strict = (index > 0 and words[index - 1] in _NEXT_BEFORE) or (
            index + 1 < len(words) and words[index + 1] in _NEXT_AFTER
        )
        ahead = (_WEEKDAYS[bare] - today.isoweekday()) % 7
        if strict and ahead == 0:
            ahead = 7
        rest = [w for i, w in enumerate(words) if i != index]
        rest = [w for w in rest if w not in _NEXT_BEFORE and w not in _NEXT_AFTER]
        return today + dt.timedelta(days=ahead), " ".join(rest)
    return None, text


def _time(hour: int, minute: int, marker: str | None) -> dt.time:
    if marker == "am" or marker == "pm":
        if not 1 <= hour <= 12:
            raise WhenError("time")
        hour = hour % 12 + (12 if marker == "pm" else 0)
    elif marker == "noon" and 1 <= hour <= 5:
        hour += 12  # "2 ظهرًا" is 14:00; "12 ظهرًا" is noon
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise WhenError("time")
    return dt.time(hour, minute)


def _take_time(text: str) -> tuple[dt.time | None, str]:
    if match := _TIME.search(text):
        hour = int(match.group(1))
        if match.group(2) is not None:
            minute = int(match.group(2))
            if len(match.group(2)) != 2:
                raise WhenError("time")
        else:
            minute = _FRACTIONS.get(match.group(3) or "", 0)
        marker = _MARKERS.get(match.group(4) or "")
        return _time(hour, minute, marker), _cut(text, match)
    if match := _NOON_ALONE.search(text):
        return dt.time(12, 0), _cut(text, match)
    return None, text


def parse_when(text: str, today: dt.date) -> When:
    """A date and/or a time from free text; raises WhenError when invalid or not understood."""
    value = _normal(text)
    day, rest = _take_date(value, today)
    if day is None:
        day, rest = _take_relative(rest, today)
    time, rest = _take_time(rest)
    leftovers = [word for word in rest.split() if word not in _FILLERS]
    if leftovers:
        # A lone big number (a year, "2500") or a bad hh:mm is a bad time rather than gibberish.
        if time is None and all(re.fullmatch(r"[\d:.]+", w) for w in leftovers):
            raise WhenError("time")
        raise WhenError("unknown")
    if day is None and time is None:
        raise WhenError("unknown")
    return When(day, time)


def parse_day(text: str, today: dt.date) -> dt.date:
    """Only a date (the end of a repeating series); a time in it is refused as not understood."""
    when = parse_when(text, today)
    if when.day is None or when.time is not None:
        raise WhenError("unknown")
    return when.day
