"""Unit: post dates and times as trainees type them, in Arabic and English words, in every digit set."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.campaigns.post_dates import When, WhenError, parse_day, parse_when

TODAY = dt.date(2026, 12, 1)  # a Tuesday
D, T = dt.date, dt.time


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-10 18:00", When(D(2026, 12, 10), T(18, 0))),
        ("2026/12/10 18:00", When(D(2026, 12, 10), T(18, 0))),
        ("2026-12-10T18:00", When(D(2026, 12, 10), T(18, 0))),
        ("10/12/2026 6:30 pm", When(D(2026, 12, 10), T(18, 30))),
        ("10.12.2026 07:05", When(D(2026, 12, 10), T(7, 5))),
        ("10/12 6pm", When(D(2026, 12, 10), T(18, 0))),
        ("10-12 6 PM", When(D(2026, 12, 10), T(18, 0))),
        ("1/12", When(D(2026, 12, 1), None)),  # today counts
        ("30/11", When(D(2027, 11, 30), None)),  # passed this year: the next one
        ("10 December", When(D(2026, 12, 10), None)),
        ("December 10 2027 9am", When(D(2027, 12, 10), T(9, 0))),
        ("10 dec, 2026 at 12 am", When(D(2026, 12, 10), T(0, 0))),
        ("tomorrow 9:30", When(D(2026, 12, 2), T(9, 30))),
        ("Tomorrow at 12pm", When(D(2026, 12, 2), T(12, 0))),
        ("today 21:00", When(D(2026, 12, 1), T(21, 0))),
        ("day after tomorrow 8", When(D(2026, 12, 3), T(8, 0))),
        ("friday", When(D(2026, 12, 4), None)),
        ("next friday 17:00", When(D(2026, 12, 4), T(17, 0))),
        ("tuesday 10:00", When(D(2026, 12, 1), T(10, 0))),  # a plain weekday may be today
        ("next tuesday 10:00", When(D(2026, 12, 8), T(10, 0))),  # "next" never is
        ("18:00", When(None, T(18, 0))),
        ("9", When(None, T(9, 0))),
        # Arabic words, Arabic-Indic and Persian digits
        ("غدًا ٩:٣٠ مساءً", When(D(2026, 12, 2), T(21, 30))),
        ("غداً الساعة ٩ صباحاً", When(D(2026, 12, 2), T(9, 0))),
        ("بكرة 8 م", When(D(2026, 12, 2), T(20, 0))),
        ("باجر الساعة 8 ونص", When(D(2026, 12, 2), T(8, 30))),
        ("بعد باجر ٧ وربع مساء", When(D(2026, 12, 3), T(19, 15))),
        ("بعد غد ١٠:٠٠", When(D(2026, 12, 3), T(10, 0))),
        ("اليوم ١١ ليلاً", When(D(2026, 12, 1), T(23, 0))),
        ("الخميس 8 م", When(D(2026, 12, 3), T(20, 0))),
        ("يوم الجمعة 5 عصرا", When(D(2026, 12, 4), T(17, 0))),
        ("الثلاثاء القادم ٩ ص", When(D(2026, 12, 8), T(9, 0))),
        ("الاحد الجاي 2 ظهرا", When(D(2026, 12, 6), T(14, 0))),
        ("١٢ ظهرًا", When(None, T(12, 0))),
        ("٢٠٢٦-١٢-١٠ ١٨:٠٠", When(D(2026, 12, 10), T(18, 0))),
        ("۱۰/۱۲ ۱۸:۰۰", When(D(2026, 12, 10), T(18, 0))),
        ("١٠ كانون الأول ٦ مساءً", When(D(2026, 12, 10), T(18, 0))),
        ("10 كانون الاول", When(D(2026, 12, 10), None)),
        ("٥ آذار 2027", When(D(2027, 3, 5), None)),
        ("15 ديسمبر", When(D(2026, 12, 15), None)),
        ("\u200f١٠/١٢\u200e ٦ م", When(D(2026, 12, 10), T(18, 0))),  # direction marks from a phone keyboard
    ],
)
def test_understood(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("31/02", "date"),
        ("31/02/2027", "date"),
        ("2026-13-01", "date"),
        ("30 شباط", "date"),
        ("0/5", "date"),
        ("25:00", "time"),
        ("10/12 24:00", "time"),
        ("18:75", "time"),
        ("13 pm", "time"),
        ("غدا ١٣ م", "time"),
        ("9:5", "time"),
        ("2500", "time"),
        ("soon", "unknown"),
        ("", "unknown"),
        ("next week", "unknown"),
        ("tomorrow evening please", "unknown"),
        ("بكرة الصبح", "unknown"),
    ],
)
def test_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(WhenError) as refused:
        parse_when(text, TODAY)
    assert refused.value.reason == reason


def test_29_february_is_the_next_leap_day() -> None:
    assert parse_when("29/02", TODAY) == When(D(2028, 2, 29), None)
    with pytest.raises(WhenError):
        parse_when("29/02/2027", TODAY)


def test_a_day_alone_for_the_end_of_a_series() -> None:
    assert parse_day("٢٠٢٧-٠١-١٥", TODAY) == D(2027, 1, 15)
    assert parse_day("next friday", TODAY) == D(2026, 12, 4)
    with pytest.raises(WhenError):
        parse_day("2027-01-15 18:00", TODAY)
    with pytest.raises(WhenError):
        parse_day("18:00", TODAY)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("غدًا ٩٫٣٠ مساءً", When(D(2026, 12, 2), T(21, 30))),  # the Arabic decimal separator between hour and minute
        ("٦٫١٥ م", When(None, T(18, 15))),
        ("الخميس 8٫45", When(D(2026, 12, 3), T(8, 45))),
        ("18 ٫ 05", When(None, T(18, 5))),
        ("tomorrow 9.30", When(D(2026, 12, 2), T(9, 30))),  # and the dot
    ],
)
def test_hour_and_minute_split_by_a_decimal_separator(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


def test_a_decimal_separator_needs_two_minute_digits() -> None:
    with pytest.raises(WhenError) as refused:
        parse_when("٩٫٣", TODAY)
    assert refused.value.reason == "time"
