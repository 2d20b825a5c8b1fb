"""The delivery-day calendar (bot.services.lessons.schedule): rest days, Iraqi holidays, time zones, late joiners.

Holiday dates are the ones the `holidays` package lists for Iraq; the Islamic ones are its estimates,
so a package update that confirms a different day would (rightly) show up here.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from bot.services.lessons.schedule import LessonCalendar, holiday_name, is_holiday
from storage.dto import CohortDTO, CohortStatus

UTC = dt.UTC
D = dt.date


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def baghdad(
    start: dt.date, *, rest_days: frozenset[int] = frozenset({5}), observe_holidays: bool = True
) -> LessonCalendar:
    """A cohort in the default zone with lessons at 18:30 local (15:30 UTC)."""
    return LessonCalendar(start, dt.time(18, 30), "Asia/Baghdad", rest_days, observe_holidays)


# --- rest days ------------------------------------------------------------------------------------


def test_friday_is_the_default_rest_day() -> None:
    cal = baghdad(D(2026, 2, 5))
    assert D(2026, 2, 5).isoweekday() == 4  # a Thursday
    assert cal.rest_days == frozenset({5})
    assert [cal.day_of(n) for n in (1, 2, 3)] == [D(2026, 2, 5), D(2026, 2, 7), D(2026, 2, 8)]
    assert not cal.is_delivery_day(D(2026, 2, 6))


def test_custom_rest_days_friday_and_saturday() -> None:
    cal = baghdad(D(2026, 2, 5), rest_days=frozenset({5, 6}))
    assert [cal.day_of(n) for n in (1, 2, 3)] == [D(2026, 2, 5), D(2026, 2, 8), D(2026, 2, 9)]
    assert cal.number_on(D(2026, 2, 7)) is None


def test_no_rest_days_at_all() -> None:
    cal = baghdad(D(2026, 2, 5), rest_days=frozenset())
    assert cal.day_of(2) == D(2026, 2, 6)


def test_start_date_on_a_rest_day_moves_lesson_one_to_the_next_delivery_day() -> None:
    cal = baghdad(D(2026, 2, 6))  # a Friday
    assert cal.day_of(1) == D(2026, 2, 7)
    assert cal.due_at(1) == utc(2026, 2, 7, 15, 30)
    assert cal.number_on(D(2026, 2, 6)) is None
    assert cal.number_on(D(2026, 2, 5)) is None  # before the start, though a Thursday
    assert cal.number_on(D(2026, 2, 7)) == 1


def test_all_rest_days_is_refused_without_looping() -> None:
    cal = baghdad(D(2026, 2, 5), rest_days=frozenset(range(1, 8)))
    with pytest.raises(ValueError, match="no delivery days"):
        cal.day_of(1)
    with pytest.raises(ValueError, match="no delivery days"):
        cal.due_at(1)
    with pytest.raises(ValueError, match="no delivery days"):
        cal.released(utc(2026, 3, 1), 10)
    with pytest.raises(ValueError, match="no delivery days"):
        cal.next_due(utc(2026, 3, 1), 10)
    assert cal.number_on(D(2026, 2, 5)) is None
    assert not cal.is_delivery_day(D(2026, 2, 5))


@pytest.mark.parametrize("bad", [frozenset({0}), frozenset({8}), frozenset({5, -1})])
def test_rest_days_must_be_iso_weekdays(bad: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="ISO weekdays"):
        baghdad(D(2026, 2, 5), rest_days=bad)


def test_lesson_numbers_start_at_one() -> None:
    cal = baghdad(D(2026, 2, 5))
    for number in (0, -3):
        with pytest.raises(ValueError, match="start at 1"):
            cal.day_of(number)
        with pytest.raises(ValueError, match="start at 1"):
            cal.due_at(number)


# --- Iraqi public holidays ------------------------------------------------------------------------


def test_army_day_6_january_is_skipped_unless_holidays_are_off() -> None:
    assert D(2026, 1, 6).isoweekday() == 2  # a Tuesday: only the holiday can skip it
    assert baghdad(D(2026, 1, 5)).day_of(2) == D(2026, 1, 7)
    assert baghdad(D(2026, 1, 5), observe_holidays=False).day_of(2) == D(2026, 1, 6)


def test_new_year_then_friday_are_both_skipped() -> None:
    cal = baghdad(D(2025, 12, 31))  # Wednesday; 1 Jan 2026 is a Thursday holiday, 2 Jan a Friday
    assert [cal.day_of(n) for n in (1, 2)] == [D(2025, 12, 31), D(2026, 1, 3)]
    assert cal.number_on(D(2026, 1, 1)) is None
    assert baghdad(D(2025, 12, 31), observe_holidays=False).day_of(2) == D(2026, 1, 1)


def test_eid_al_adha_2026_with_arafah_is_skipped() -> None:
    # Day of Arafah Tue 26 May, Eid al-Adha Wed 27 - Fri 29 May 2026 (estimated by the package).
    cal = baghdad(D(2026, 5, 25))
    assert [cal.day_of(n) for n in (1, 2)] == [D(2026, 5, 25), D(2026, 5, 30)]
    assert [is_holiday(D(2026, 5, d)) for d in range(25, 31)] == [False, True, True, True, True, False]
    assert baghdad(D(2026, 5, 25), observe_holidays=False).day_of(2) == D(2026, 5, 26)


def test_eid_al_fitr_2027_is_skipped() -> None:
    # Eid al-Fitr Tue 9 - Thu 11 March 2027 (estimated), then Friday 12 March.
    cal = baghdad(D(2027, 3, 8))
    assert [cal.day_of(n) for n in (1, 2)] == [D(2027, 3, 8), D(2027, 3, 13)]
    assert baghdad(D(2027, 3, 8), observe_holidays=False).day_of(2) == D(2027, 3, 9)


def test_revolution_days_are_no_longer_holidays_after_the_2024_law() -> None:
    # The package follows Iraq's 2024 Official Holidays Law: 14 and 17 July were holidays up to 2023 only.
    assert is_holiday(D(2023, 7, 17))
    assert not baghdad(D(2023, 7, 16)).is_delivery_day(D(2023, 7, 17))
    assert not is_holiday(D(2026, 7, 14))
    assert baghdad(D(2026, 7, 13)).day_of(2) == D(2026, 7, 14)


def test_holiday_names_in_arabic_and_english() -> None:
    assert holiday_name(D(2026, 1, 6), "ar") == "عيد الجيش"
    assert holiday_name(D(2026, 1, 6), "en") == "Army Day"
    # Estimated Islamic holidays carry no "(estimated)" label, and two holidays on one day are joined.
    assert holiday_name(D(2026, 5, 27), "ar_IQ") == "عيد الأضحى"
    assert holiday_name(D(2026, 3, 21), "ar") == "عيد الفطر، عيد نوروز"
    assert holiday_name(D(2026, 3, 21), "en") == "Eid al-Fitr, Nowruz"
    assert holiday_name(D(2026, 1, 7), "ar") is None
    assert holiday_name(D(2026, 1, 7), "en") is None


# --- time zones -----------------------------------------------------------------------------------


def test_baghdad_is_utc_plus_three() -> None:
    cal = baghdad(D(2026, 2, 5))
    assert cal.due_at(1) == utc(2026, 2, 5, 15, 30)
    assert cal.due_at(1).tzinfo is UTC
    assert cal.due_at(2) == utc(2026, 2, 7, 15, 30)


def test_lesson_time_with_seconds_is_kept() -> None:
    cal = LessonCalendar(D(2026, 2, 5), dt.time(18, 30, 45), "Asia/Baghdad")
    assert cal.due_at(1) == utc(2026, 2, 5, 15, 30, 45)
    assert cal.released(utc(2026, 2, 5, 15, 30, 44, 999999), 5) == 0
    assert cal.released(utc(2026, 2, 5, 15, 30, 45), 5) == 1


def test_berlin_across_the_march_change() -> None:
    # Summer time starts on Sunday 29 March 2026: CET (+1) before, CEST (+2) after.
    cal = LessonCalendar(D(2026, 3, 28), dt.time(18, 30), "Europe/Berlin")
    assert [cal.due_at(n) for n in (1, 2, 3)] == [
        utc(2026, 3, 28, 17, 30),
        utc(2026, 3, 29, 16, 30),
        utc(2026, 3, 30, 16, 30),
    ]


def test_time_in_the_spring_forward_gap_goes_out_as_far_after_it() -> None:
    # 02:30 does not exist in Berlin on 29 March 2026; it is read with the pre-change offset: 03:30 CEST.
    cal = LessonCalendar(D(2026, 3, 28), dt.time(2, 30), "Europe/Berlin", rest_days=frozenset())
    assert [cal.due_at(n) for n in (1, 2, 3)] == [
        utc(2026, 3, 28, 1, 30),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0, 30),
    ]
    assert cal.local_day(cal.due_at(2)) == D(2026, 3, 29)


def test_repeated_time_in_the_fall_back_night_is_its_first_occurrence() -> None:
    # 02:30 happens twice in Berlin on 25 October 2026; the first (CEST, +2) is used.
    cal = LessonCalendar(D(2026, 10, 24), dt.time(2, 30), "Europe/Berlin", rest_days=frozenset())
    assert [cal.due_at(n) for n in (1, 2, 3)] == [
        utc(2026, 10, 24, 0, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
    ]


def test_at_on_day_gives_the_evening_nudge_instant() -> None:
    cal = baghdad(D(2026, 2, 5))
    assert cal.at_on_day(2, dt.time(21, 0)) == utc(2026, 2, 7, 18, 0)
    assert cal.at_on_day(1, dt.time(0, 15)) == utc(2026, 2, 4, 21, 15)  # local midnight is the day before in UTC
    with pytest.raises(ValueError, match="without tzinfo"):
        cal.at_on_day(1, dt.time(21, 0, tzinfo=UTC))


def test_local_day_of_an_instant() -> None:
    cal = baghdad(D(2026, 2, 5))
    assert cal.local_day(utc(2026, 2, 5, 20, 59, 59)) == D(2026, 2, 5)
    assert cal.local_day(utc(2026, 2, 5, 21, 0)) == D(2026, 2, 6)
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert cal.local_day(dt.datetime(2026, 2, 5, 16, 0, tzinfo=new_york)) == D(2026, 2, 6)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time zone"):
        LessonCalendar(D(2026, 2, 5), dt.time(18, 30), "Mars/Olympus_Mons")


def test_lesson_time_with_tzinfo_is_refused() -> None:
    with pytest.raises(ValueError, match="without tzinfo"):
        LessonCalendar(D(2026, 2, 5), dt.time(18, 30, tzinfo=UTC), "Asia/Baghdad")


def test_start_date_must_be_a_date() -> None:
    with pytest.raises(ValueError, match="not a datetime"):
        LessonCalendar(dt.datetime(2026, 2, 5, 9, 0), dt.time(18, 30), "Asia/Baghdad")


# --- late joiners: released and next_due ----------------------------------------------------------

# Lessons 1..3 of a Thursday-start Baghdad cohort are due Thu 5, Sat 7 and Sun 8 Feb 2026 at 15:30 UTC.


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 1, 1), 0),  # weeks before the start
        (utc(2026, 2, 5, 15, 29, 59), 0),  # the start day, before the lesson time
        (utc(2026, 2, 5, 15, 30), 1),  # exactly at the first due time
        (utc(2026, 2, 6, 12, 0), 1),  # the Friday between lessons 1 and 2
        (utc(2026, 2, 7, 15, 30), 2),  # exactly at the second
        (utc(2026, 2, 8, 15, 29), 2),
        (utc(2026, 2, 8, 15, 30), 3),  # the last one
        (utc(2026, 6, 1), 3),  # long after the last: capped at the lesson count
    ],
)
def test_released(now: dt.datetime, expected: int) -> None:
    assert baghdad(D(2026, 2, 5)).released(now, 3) == expected


def test_released_accepts_any_aware_instant() -> None:
    local = dt.datetime(2026, 2, 5, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    assert baghdad(D(2026, 2, 5)).released(local, 3) == 1
    assert baghdad(D(2026, 2, 5)).released(local - dt.timedelta(microseconds=1), 3) == 0


def test_released_with_no_lessons() -> None:
    assert baghdad(D(2026, 2, 5)).released(utc(2026, 6, 1), 0) == 0
    assert baghdad(D(2026, 2, 5)).next_due(utc(2026, 1, 1), 0) is None
    with pytest.raises(ValueError, match=">= 0"):
        baghdad(D(2026, 2, 5)).released(utc(2026, 6, 1), -1)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (utc(2026, 1, 1), (1, utc(2026, 2, 5, 15, 30))),
        (utc(2026, 2, 5, 15, 29, 59), (1, utc(2026, 2, 5, 15, 30))),
        (utc(2026, 2, 5, 15, 30), (2, utc(2026, 2, 7, 15, 30))),  # strictly after now
        (utc(2026, 2, 6, 12, 0), (2, utc(2026, 2, 7, 15, 30))),
        (utc(2026, 2, 8, 15, 29), (3, utc(2026, 2, 8, 15, 30))),
        (utc(2026, 2, 8, 15, 30), None),  # all out
        (utc(2026, 6, 1), None),
    ],
)
def test_next_due(now: dt.datetime, expected: tuple[int, dt.datetime] | None) -> None:
    assert baghdad(D(2026, 2, 5)).next_due(now, 3) == expected


def test_naive_datetimes_are_refused() -> None:
    cal = baghdad(D(2026, 2, 5))
    naive = dt.datetime(2026, 2, 6, 12, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.released(naive, 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.next_due(naive, 3)
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.local_day(naive)


# --- the whole sequence ---------------------------------------------------------------------------


def test_day_of_and_number_on_round_trip_over_60_lessons() -> None:
    start = D(2026, 3, 1)
    cal = baghdad(start)
    # An independent oracle: every day from the start, less Fridays and the holidays the package lists
    # in this stretch (16 March commemoration, Eid al-Fitr 20-22 March, 1 May Labour Day).
    holidays = {D(2026, 3, 16), D(2026, 3, 20), D(2026, 3, 21), D(2026, 3, 22), D(2026, 5, 1)}
    days = (start + dt.timedelta(days=i) for i in range(200))
    expected = [d for d in days if d.isoweekday() != 5 and d not in holidays][:60]
    assert expected[-1] == D(2026, 5, 12)

    actual = [cal.day_of(n) for n in range(1, 61)]
    assert actual == expected
    assert [cal.number_on(d) for d in actual] == list(range(1, 61))
    assert cal.due_times(60) == [cal.due_at(n) for n in range(1, 61)]
    # Every other day in the stretch (a Friday or a holiday) delivers nothing.
    stretch = [start + dt.timedelta(days=i) for i in range((expected[-1] - start).days + 1)]
    assert len(stretch) == 73
    assert {d for d in stretch if cal.number_on(d) is None} == {d for d in stretch if d.isoweekday() == 5} | holidays
    assert cal.released(cal.due_at(60), 60) == 60
    assert cal.next_due(cal.due_at(59), 60) == (60, utc(2026, 5, 12, 15, 30))


def test_a_year_long_curriculum() -> None:
    cal = baghdad(D(2026, 1, 1))
    due = cal.due_times(365)
    assert len(due) == 365
    assert all(a < b for a, b in itertools.pairwise(due))
    assert due[-1] == cal.due_at(365)
    assert cal.released(utc(2030, 1, 1), 365) == 365
    assert cal.released(due[199], 365) == 200
    assert cal.next_due(due[199], 365) == (201, due[200])


def test_from_cohort() -> None:
    cohort = CohortDTO(
        id=1,
        name="Basra spring",
        timezone="Asia/Baghdad",
        start_date=D(2026, 2, 5),
        lesson_time=dt.time(9, 0),
        status=CohortStatus.ACTIVE,
        created_at=utc(2026, 1, 1),
        rest_days=frozenset({5, 6}),
        observe_holidays=False,
    )
    cal = LessonCalendar.from_cohort(cohort)
    assert cal == LessonCalendar(D(2026, 2, 5), dt.time(9, 0), "Asia/Baghdad", frozenset({5, 6}), False)
    assert cal.due_at(2) == utc(2026, 2, 8, 6, 0)
