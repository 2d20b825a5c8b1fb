"""The campaign planner's button data: every kind reads back what it built (one codec per kind, no two kinds
reading the same data), within Telegram's 64 bytes at the largest values, and forged data reads as nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.campaigns import PostKind, Repeat
from handlers.campaigns import buttons as b
from handlers.core.buttons import EMPTY, Codec

CODECS = {name: codec for name, codec in vars(b).items() if isinstance(codec, Codec)}
BIG = 999_999_999
LATE = dt.datetime(2999, 12, 31, 23, 59, tzinfo=dt.UTC)
SAMPLES: list[tuple[Codec[object], object]] = [
    (b.NEW_PLAN, EMPTY),
    (b.RESUME_PLAN, EMPTY),
    (b.DISCARD_PLAN, EMPTY),
    (b.PLAN_COHORT, b.CohortRef(BIG)),
    (b.PLAN_METRIC, b.MetricChoice("signups")),
    (b.PLAN_PLATFORM, b.PlatformTap("ok")),
    (b.PLAN_NO_HASHTAG, b.NoHashtag("none")),
    (b.PLAN_TEAM, b.TeamChoice("yes")),
    (b.SHOW_PLAN, b.PlanRef(BIG)),
    (b.EDIT_PLAN, b.PlanRef(BIG)),
    (b.EDIT_PLAN_FIELD, b.PlanFieldRef(BIG, "platforms")),
    (b.SHOW_TEAM, b.PlanRef(BIG)),
    (b.TOGGLE_TEAMMATE, b.TeammateRef(BIG, BIG)),
    (b.NOOP, EMPTY),
    (b.ADD_POST, b.PlanRef(BIG)),
    (b.POST_DAY, b.DayPick("abcdef", dt.date(2075, 12, 31))),
    (b.POST_MONTH, b.MonthPick("abcdef", dt.date(2075, 12, 1))),
    (b.POST_KIND, b.KindChoice("abcdef", PostKind.PROMOTION)),
    (b.POST_PLATFORM, b.PlatformChoice("abcdef", "other")),
    (b.POST_REPEAT, b.RepeatChoice("abcdef", Repeat.MONTHLY)),
    (b.POST_LEAD, b.LeadChoice("abcdef", 1440)),
    (b.SHOW_POSTS, b.PlanRef(BIG)),
    (b.SHOW_POST, b.PostRef(BIG)),
    (b.EDIT_POST_FIELD, b.PostFieldRef(BIG, "repeat")),
    (b.DELETE_POST, b.PostRef(BIG)),
    (b.DELETE_POST_CONFIRMED, b.PostRef(BIG)),
    (b.OCCASIONS, b.PlanMonth(BIG, None)),
    (b.OCCASIONS, b.PlanMonth(BIG, dt.date(2075, 12, 1))),
    (b.ADD_OCCASION, b.OccasionPick(BIG, dt.date(2075, 12, 31), 99)),
    (b.REMINDER, b.ReminderPress("z", BIG, LATE)),
    (b.NO_PROOF, EMPTY),
    (b.REVIEW_COHORT, b.CohortRef(BIG)),
    (b.REVIEW_PLAN, b.PlanRef(BIG)),
    (b.APPROVE_PROOF, b.OccurrenceRef(BIG)),
    (b.SHOW_PROOF, b.OccurrenceRef(BIG)),
    (b.COMMENT, b.PlanRef(BIG)),
    (b.CALENDAR_MONTH, b.CalendarMonth(None)),
    (b.CALENDAR_MONTH, b.CalendarMonth(dt.date(2026, 12, 1))),
    (b.CALENDAR_FILE, EMPTY),
    (b.CALENDAR_OCCASIONS, b.MonthRef(dt.date(2026, 12, 1))),
]


def test_every_kind_is_sampled() -> None:
    assert {id(codec) for codec, _value in SAMPLES} == {id(codec) for codec in CODECS.values()}


@pytest.mark.parametrize(("codec", "value"), SAMPLES, ids=[f"{c.prefix}:{c.tag}" for c, _v in SAMPLES])
def test_each_kind_reads_back_only_its_own_data(codec: Codec[object], value: object) -> None:
    data = codec.encode(value)
    assert len(data.encode()) <= 64
    assert codec.decode(data) == value
    assert [name for name, other in CODECS.items() if other.decode(data) is not None] == [
        name for name, other in CODECS.items() if other is codec
    ]


def test_the_data_of_before_still_reads() -> None:
    """Buttons already in people's chats keep working: the data is what the hand-built strings were."""
    at = dt.datetime.fromtimestamp(1_765_000_000, dt.UTC)
    assert b.REMINDER.decode("cr:d:12:1765000000") == b.ReminderPress("d", 12, at)
    assert b.CALENDAR_MONTH.decode("cc:m:0") == b.CalendarMonth(None)
    assert b.OCCASIONS.decode("cp:oc:3:202612") == b.PlanMonth(3, dt.date(2026, 12, 1))
    assert b.POST_DAY.decode("cp:d:0a1b2c:20261210") == b.DayPick("0a1b2c", dt.date(2026, 12, 10))
    assert b.PLAN_TEAM.decode("cp:team:no") == b.TeamChoice("no")


FORGED = [
    *("cp:v:x", "cp:v:", "cp:zz:1", "cv:c", "cp:k:abcdef:story", "cp:d:ABCDEF:20261210", "cc:m:1", "cr:d:5:x"),
    *("cp:mt:likes", "cp:pf:myspace", "cp:d:abcdef:20261332", "cr:q:5:1765000000", "cp:v:١٢"),
]


@pytest.mark.parametrize("data", FORGED)
def test_forged_data_reads_as_nothing(data: str) -> None:
    assert all(codec.decode(data) is None for codec in CODECS.values())
