"""Occurrences of a post: once, weekly or monthly until a local end date, at the same wall time in the cohort's zone.

A monthly series keeps the day of the month of its first post; in a shorter month it falls on the month's last day
(a series started on 31 January posts on 28 or 29 February, then on 31 March). The exported calendar lists each
occurrence, so phones show the same days the reminders come on. Wall times that a DST change skips or repeats follow
`bot.services.lessons.schedule` (fold=0); Asia/Baghdad has no DST.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from storage.campaigns.dto import Repeat

SAFETY_LIMIT = 2000  # occurrences of one series at most: the plan limits are far lower; this stops a runaway loop


def _local_days(first: dt.date, repeat: Repeat, until: dt.date | None) -> Iterator[dt.date]:
    yield first
    if repeat is Repeat.NONE or until is None:
        return
    for step in range(1, SAFETY_LIMIT):
        if repeat is Repeat.WEEKLY:
            day = first + dt.timedelta(weeks=step)
        else:
            month_index = first.month - 1 + step
            year, month = first.year + month_index // 12, month_index % 12 + 1
            day = dt.date(year, month, min(first.day, calendar.monthrange(year, month)[1]))
        if day > until:
            return
        yield day


def occurrences(
    first: dt.datetime,
    zone: str,
    repeat: Repeat,
    until: dt.date | None,
    *,
    after: dt.datetime | None = None,
    through: dt.datetime | None = None,
) -> list[dt.datetime]:
    """UTC instants of the series in (after, through] (either bound may be None)."""
    if first.tzinfo is None:
        raise ValueError("first must be timezone-aware")
    tz = ZoneInfo(zone)
    local = first.astimezone(tz)
    wall = local.time().replace(tzinfo=None, fold=0)
    found: list[dt.datetime] = []
    for day in _local_days(local.date(), repeat, until):
        moment = dt.datetime.combine(day, wall, tzinfo=tz).astimezone(dt.UTC)
        if through is not None and moment > through:
            break
        if after is None or moment > after:
            found.append(moment)
    return found


def series_end(first: dt.datetime, zone: str, repeat: Repeat, until: dt.date | None) -> dt.datetime:
    """The last occurrence of the series."""
    return occurrences(first, zone, repeat, until)[-1]


def includes(first: dt.datetime, zone: str, repeat: Repeat, until: dt.date | None, moment: dt.datetime) -> bool:
    """Whether `moment` is one of the series' occurrences."""
    second = dt.timedelta(seconds=1)
    return moment in occurrences(first, zone, repeat, until, after=moment - second, through=moment + second)
