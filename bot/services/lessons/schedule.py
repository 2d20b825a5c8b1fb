"""The delivery-day calendar of a cohort: which local date and UTC instant each daily lesson goes out.

Pure domain code (no Telegram, no database). The product rule: lesson N goes out on the cohort's Nth
delivery day counted from its start date (the start date itself counts when it is a delivery day), at
its daily lesson time, in its time zone. Delivery days skip the cohort's rest days (ISO weekdays,
Friday = 5 by default) and, unless switched off per cohort, Iraq's public holidays as listed by the
`holidays` package (Islamic holidays there are estimated from the tabular Hijri calendar for years
the package has no confirmed dates for, so they can move by a day when the package is updated).

Local times that do not exist or occur twice (DST changes) follow PEP 495 with ``fold=0``:

* a time inside a spring-forward gap is read with the offset in force *before* the change, so it
  lands as far after the gap as it was into it (02:30 on a 02:00→03:00 night goes out at 03:30
  summer time) — the lesson is never skipped and never sent before the requested wall time;
* a time that occurs twice in a fall-back night means its first occurrence (the earlier instant).

Asia/Baghdad, the default zone, has had no DST since 2008, so there this never matters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from storage.dto import CohortDTO

HOLIDAY_COUNTRY = "IQ"
ALL_WEEKDAYS = frozenset(range(1, 8))
DEFAULT_REST_DAYS = frozenset({5})  # Friday
# With at least one weekday free of rest, a delivery day comes within a week or so even around Eid;
# this bound only turns an impossible calendar into an error instead of an endless loop.
_MAX_GAP_DAYS = 366


def _holiday_language(locale: str) -> str:
    # The package offers Arabic and US English for Iraq; anything not Arabic falls back to English.
    return "ar" if locale.lower().replace("-", "_").split("_")[0] == "ar" else "en_US"


@cache
def _holiday_dates(year: int) -> frozenset[dt.date]:
    """Iraq's public holidays in one year; built once per year because the package is slow to populate."""
    # The language is fixed so that nothing depends on the process locale (the package reads LANG when None).
    return frozenset(holidays.country_holidays(HOLIDAY_COUNTRY, years=year, language="en_US"))


@cache
def _holiday_names(year: int, language: str) -> Mapping[dt.date, str]:
    # "(estimated)" is left off: it is noise in a message telling trainees why there is no lesson today.
    calendar = holidays.country_holidays(HOLIDAY_COUNTRY, years=year, language=language, islamic_show_estimated=False)
    separator = "، " if language == "ar" else ", "
    return MappingProxyType({day: separator.join(calendar.get_list(day)) for day in calendar})


def is_holiday(day: dt.date) -> bool:
    """Whether `day` is an Iraqi public holiday."""
    return day in _holiday_dates(day.year)


def holiday_name(day: dt.date, locale: str) -> str | None:
    """The Iraqi public holiday on `day` in Arabic ("ar…") or English (anything else), or None.

    Two holidays on one day (Eid al-Fitr and Nowruz on 21 March 2026) are joined with a comma.
    """
    return _holiday_names(day.year, _holiday_language(locale)).get(day)


def _require_aware(moment: dt.datetime, what: str = "moment") -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got naive {moment!r}")


@dataclass(frozen=True, slots=True)
class LessonCalendar:
    """When each lesson of a cohort is due; lesson numbers are 1-based."""

    start_date: dt.date
    lesson_time: dt.time
    timezone: str
    rest_days: frozenset[int] = DEFAULT_REST_DAYS
    observe_holidays: bool = True
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # A datetime is a date too, but comparing it with dates raises TypeError later, far from the cause.
        if isinstance(self.start_date, dt.datetime):
            raise ValueError("start_date must be a date, not a datetime")
        if self.lesson_time.tzinfo is not None:
            raise ValueError("lesson_time must be a local wall time without tzinfo")
        rest_days = frozenset(self.rest_days)
        if not rest_days <= ALL_WEEKDAYS:
            raise ValueError(f"rest days must be ISO weekdays 1..7 (Monday=1), got {sorted(rest_days)}")
        try:
            zone = ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.timezone!r}") from exc
        object.__setattr__(self, "rest_days", rest_days)
        object.__setattr__(self, "_zone", zone)

    @classmethod
    def from_cohort(cls, cohort: CohortDTO) -> LessonCalendar:
        return cls(
            start_date=cohort.start_date,
            lesson_time=cohort.lesson_time,
            timezone=cohort.timezone,
            rest_days=cohort.rest_days,
            observe_holidays=cohort.observe_holidays,
        )

    # --- days -------------------------------------------------------------------------------------

    def is_delivery_day(self, day: dt.date) -> bool:
        """Whether a lesson can go out on this local date (ignores the start date)."""
        if day.isoweekday() in self.rest_days:
            return False
        return not (self.observe_holidays and is_holiday(day))

    def delivery_days(self) -> Iterator[dt.date]:
        """Every delivery day from the start date on, in order, without end."""
        if self.rest_days >= ALL_WEEKDAYS:
            raise ValueError("no delivery days: every weekday is a rest day")
        day, gap = self.start_date, 0
        one_day = dt.timedelta(days=1)
        while True:
            if self.is_delivery_day(day):
                gap = 0
                yield day
            else:
                gap += 1
                if gap > _MAX_GAP_DAYS:
                    raise ValueError(f"no delivery day in the {_MAX_GAP_DAYS} days before {day.isoformat()}")
            day += one_day

    def day_of(self, number: int) -> dt.date:
        """The local date of lesson `number`: the `number`th delivery day on or after the start date."""
        if number < 1:
            raise ValueError(f"lesson numbers start at 1, got {number}")
        for index, day in enumerate(self.delivery_days(), start=1):
            if index == number:
                return day
        raise AssertionError("unreachable: delivery_days() never ends")  # pragma: no cover

    def number_on(self, day: dt.date) -> int | None:
        """The lesson delivered on this local date, or None before the start or on a non-delivery day."""
        if day < self.start_date or not self.is_delivery_day(day):
            return None
        for index, delivery_day in enumerate(self.delivery_days(), start=1):
            if delivery_day == day:
                return index
        raise AssertionError("unreachable: `day` is a delivery day after the start")  # pragma: no cover

    def local_day(self, moment: dt.datetime) -> dt.date:
        """The cohort-local date of an aware instant."""
        _require_aware(moment)
        return moment.astimezone(self._zone).date()

    # --- instants ---------------------------------------------------------------------------------

    def _instant(self, day: dt.date, moment: dt.time) -> dt.datetime:
        # fold=0 on purpose: see the module docstring for gaps and repeated hours.
        local = dt.datetime.combine(day, moment.replace(tzinfo=None, fold=0), tzinfo=self._zone)
        return local.astimezone(dt.UTC)

    def due_at(self, number: int) -> dt.datetime:
        """The aware UTC instant lesson `number` is due."""
        return self._instant(self.day_of(number), self.lesson_time)

    def at_on_day(self, number: int, moment: dt.time) -> dt.datetime:
        """The aware UTC instant of local wall time `moment` on lesson `number`'s day (e.g. the evening nudge)."""
        if moment.tzinfo is not None:
            raise ValueError("moment must be a local wall time without tzinfo")
        return self._instant(self.day_of(number), moment)

    def due_times(self, lesson_count: int) -> list[dt.datetime]:
        """The due instants of lessons 1..lesson_count in one pass (instead of lesson_count `due_at` calls)."""
        return [due for _, due in self._due_sequence(lesson_count)]

    def _due_sequence(self, lesson_count: int) -> Iterator[tuple[int, dt.datetime]]:
        # Lazy so that callers stop at `now`: cost grows with the lessons already out, not the curriculum.
        if lesson_count < 0:
            raise ValueError(f"lesson_count must be >= 0, got {lesson_count}")
        if lesson_count == 0:
            return
        for number, day in enumerate(self.delivery_days(), start=1):
            yield number, self._instant(day, self.lesson_time)
            if number == lesson_count:
                return

    def released(self, now: dt.datetime, lesson_count: int) -> int:
        """How many of the first `lesson_count` lessons are due at `now` (due time <= now).

        A trainee who joins late gets lesson `released(...)` as the current one (when > 0) and can open
        the earlier ones.
        """
        _require_aware(now, "now")
        count = 0
        for number, due in self._due_sequence(lesson_count):
            if due > now:
                break
            count = number
        return count

    def next_due(self, now: dt.datetime, lesson_count: int) -> tuple[int, dt.datetime] | None:
        """The first lesson due strictly after `now` and its UTC instant, or None once all are out."""
        _require_aware(now, "now")
        for number, due in self._due_sequence(lesson_count):
            if due > now:
                return number, due
        return None
