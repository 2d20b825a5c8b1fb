"""Reading what a trainer typed after /attendance or /export: which cohort (its name may have spaces), then which
session — by its number among the held ones, by date (any digits, 2026-12-03 or 3/12/2026) or by title. Pure
functions, no database and no Telegram."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from bot.parsing import parse_date, parse_int
from bot.text import clean_input, normalize_digits, normalize_key
from storage.attendance.dto import SessionDTO
from storage.dto import CohortDTO


def split_cohort(text: str, cohorts: Sequence[CohortDTO]) -> tuple[CohortDTO, str] | None:
    """The cohort named by the longest leading run of words, and the words after it; None when no run names one.
    Names compare as everywhere else (`normalize_key`: case, harakat, alef forms, digits)."""
    words = clean_input(text).split()
    by_key = {normalize_key(cohort.name): cohort for cohort in cohorts}
    for size in range(len(words), 0, -1):
        cohort = by_key.get(normalize_key(" ".join(words[:size])))
        if cohort is not None:
            return cohort, " ".join(words[size:])
    return None


class By(StrEnum):
    NUMBER = "number"
    DATE = "date"
    TITLE = "title"


@dataclass(frozen=True, slots=True)
class SessionLookup:
    by: By
    text: str  # as typed (cleaned)
    sessions: list[SessionDTO]  # the matches, earliest first (none: unknown; several: ask which)
    number: int | None = None
    day: dt.date | None = None


def find_sessions(text: str, sessions: Sequence[SessionDTO], held: Sequence[SessionDTO], zone: str) -> SessionLookup:
    """A number picks from the held sessions (as numbered in /attendance <cohort>); a date any session that day in
    the cohort's zone; anything else the sessions whose title is it (else contains it)."""
    typed = clean_input(text)
    value = normalize_digits(typed).removeprefix("#").strip()
    if value.isascii() and value.isdigit():
        number = parse_int(value)  # None: more digits than any count of sessions
        found = [held[number - 1]] if number is not None and 1 <= number <= len(held) else []
        return SessionLookup(By.NUMBER, typed, found, number=number)
    day = parse_date(value)
    if day is not None:
        local = ZoneInfo(zone)
        return SessionLookup(
            By.DATE, typed, [s for s in sessions if s.starts_at.astimezone(local).date() == day], day=day
        )
    key = normalize_key(value)
    exact = [s for s in sessions if normalize_key(s.title) == key]
    if exact or not key:
        return SessionLookup(By.TITLE, typed, exact)
    return SessionLookup(By.TITLE, typed, [s for s in sessions if key in normalize_key(s.title)])
