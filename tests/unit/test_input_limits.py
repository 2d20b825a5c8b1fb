"""Length and range limits on what people type, checked on the normalised value: the parsers and the checks that
need no database (post and send times, invite words, pop-ups). The services' own checks on a database, the CLI
flags and migration 0008 are in tests/storage/test_input_limits.py."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.parsing import (
    DB_INT_MAX,
    NAME_KEY_MAX,
    TELEGRAM_ID_MAX,
    parse_cohort_name,
    parse_full_name,
    parse_int,
    parse_invite_words,
    parse_positive_int,
    parse_telegram_id,
    parse_weekdays,
)
from bot.services.broadcasts import BroadcastService
from bot.services.campaigns.rules import TARGET_MAX, post_moment, target
from bot.services.errors import DomainError, Problem
from bot.text import FSI, PDI, plain
from storage.models import NAME_KEY_LENGTH, Cohort, Person

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
BAGHDAD = "Asia/Baghdad"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


# ------------------------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("١٢٣", 123),
        ("۱۲۳", 123),
        (" 42 ", 42),
        ("0007", 7),
        (str(DB_INT_MAX), DB_INT_MAX),
        (str(DB_INT_MAX + 1), None),
        ("9" * 5000, None),  # more digits than int() takes: counted first
        ("٩" * 5000, None),
        ("0", None),
        ("-5", None),
        ("12a", None),
        ("²", None),  # isdigit() says yes, int() says no
        ("", None),
    ],
)
def test_positive_ints_are_bounded_before_int(typed: str, expected: int | None) -> None:
    assert parse_positive_int(typed) == expected


def test_bounds_of_the_shared_parser_and_telegram_ids() -> None:
    assert parse_int("0") == 0 and parse_int("7", maximum=7) == 7 and parse_int("8", maximum=7) is None
    assert parse_positive_int("١٠٠٠٠", maximum=10_000) == 10_000 and parse_positive_int("10001", 10_000) is None
    assert parse_telegram_id("٤٥٠٣٥٩٩٦٢٧٣٧٠٤٩٥") == TELEGRAM_ID_MAX == 2**52 - 1
    assert parse_telegram_id(str(2**52)) is None
    assert parse_telegram_id("12345678901234567890123") is None
    assert parse_telegram_id("0") is None


def test_weekdays_refuse_odd_digits_instead_of_crashing() -> None:
    assert parse_weekdays("٥ ٦") == frozenset({5, 6})
    assert parse_weekdays("²") is None
    assert parse_weekdays("9" * 5000) is None
    assert parse_weekdays("8") is None


def test_campaign_targets() -> None:
    assert target("١٬٠٠٠") == 1000 and target("10,000,000") == TARGET_MAX
    for bad in ("9" * 5000, "10000001", "0", "lots"):
        with pytest.raises(DomainError) as caught:
            target(bad)
        assert caught.value.problem is Problem.CAMPAIGN_TARGET


# -------------------------------------------------------------------------------------------------- names


def test_names_are_checked_on_their_normalised_key() -> None:
    assert NAME_KEY_LENGTH == NAME_KEY_MAX  # the columns (migration 0008) fit what the parsers let through
    assert Person.__table__.c.name_key.type.length == Cohort.__table__.c.name_key.type.length == NAME_KEY_MAX
    assert parse_full_name("محمد ﷺ ﷺ ﷺ ﷺ") == "محمد ﷺ ﷺ ﷺ ﷺ"
    assert parse_full_name("محمد " + " ".join(["ﷺ"] * 13)) is not None  # a key of 4 + 13 × 19 = 251
    assert parse_full_name("محمد " + " ".join(["ﷺ"] * 14)) is None  # 270: beyond the column
    assert parse_cohort_name(" ".join(["ﷺ"] * 13)) is not None
    assert parse_cohort_name(" ".join(["ﷺ"] * 32)) is None  # 63 characters, a key of 607


# ---------------------------------------------------------------------------------------- moments and dates


def test_post_moments_refuse_years_that_would_overflow() -> None:
    assert post_moment(dt.date(2026, 12, 1), dt.time(10), BAGHDAD, NOW) == dt.datetime(2026, 12, 1, 7, tzinfo=dt.UTC)
    for day, problem in ((dt.date(1, 1, 1), Problem.POST_IN_PAST), (dt.date(9999, 12, 31), Problem.POST_TOO_FAR)):
        for zone in (BAGHDAD, "America/New_York", "Pacific/Kiritimati", "Etc/GMT+12"):
            with pytest.raises(DomainError) as caught:
                post_moment(day, dt.time(0, 30), zone, NOW)
            assert caught.value.problem is problem


def test_broadcast_send_moments_are_ahead_and_within_a_year() -> None:
    service = BroadcastService(None, Clock())  # type: ignore[arg-type]
    assert service.send_moment(dt.date(2026, 11, 26), dt.time(9), BAGHDAD) == dt.datetime(
        2026, 11, 26, 6, tzinfo=dt.UTC
    )
    for day, problem in (
        (dt.date(1, 1, 1), Problem.TIME_IN_PAST),
        (dt.date(2026, 11, 25), Problem.TIME_IN_PAST),  # 09:00 Baghdad is 06:00 UTC: already passed
        (dt.date(2027, 11, 27), Problem.TIME_TOO_FAR),
        (dt.date(9999, 12, 31), Problem.TIME_TOO_FAR),
    ):
        with pytest.raises(DomainError) as caught:
            service.send_moment(day, dt.time(9), "America/New_York" if day.year == 9999 else BAGHDAD)
        assert caught.value.problem is problem


# ------------------------------------------------------------------------------------------------- invites


def test_invite_words_in_english_and_arabic() -> None:
    words = parse_invite_words(["Hit", "Youth", "trainer", "uses", "3", "days", "14"])
    assert (words.cohort, words.trainer, words.uses, words.days, words.out_of_range) == (
        "Hit Youth",
        True,
        3,
        14,
        False,
    )
    words = parse_invite_words(["دفعة", "بغداد", "مدرّبة", "أيام", "٧", "مرات", "٢"])
    assert (words.cohort, words.trainer, words.uses, words.days) == ("دفعة بغداد", True, 2, 7)
    words = parse_invite_words(["Hit", "--days=10", "--uses=4"])
    assert (words.cohort, words.trainer, words.uses, words.days) == ("Hit", False, 4, 10)
    assert parse_invite_words(["Summer", "days"]).cohort == "Summer days"  # a name that ends in an option word
    assert parse_invite_words(["Hit", "uses", "9" * 30]).out_of_range


# ----------------------------------------------------------------------------------------------- pop-ups


def test_pop_up_text_is_plain_and_fits() -> None:
    assert plain(f"<b>Invite</b> for {FSI}Tom &amp; Jerry &lt;A&gt;{PDI}") == f"Invite for {FSI}Tom & Jerry <A>{PDI}"
    long = plain(f"{FSI}{'ﷺ & ' * 100}{PDI}", 200)
    assert len(long.encode("utf-16-le")) // 2 <= 200 and long.endswith(f"{PDI}…")  # the isolate is closed
    emoji = plain("😀" * 150, 200)
    assert len(emoji.encode("utf-16-le")) // 2 <= 200 and emoji.endswith("😀…")  # no half of a surrogate pair
