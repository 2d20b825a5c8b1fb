"""Unit: the campaign planner's limits and checks, progress figures, the .ics file and the PNG month view."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.services.campaigns.rules import (
    PlanFields,
    PostFields,
    check_plan,
    check_post,
    hashtag,
    plan_stats,
    proof_link,
    target,
    text_field,
)
from bot.services.errors import DomainError, Problem
from handlers.campaigns.calendar_image import DayPost, month_png, weekday_names
from handlers.campaigns.ics import IcsEvent, calendar_ics
from storage.campaigns.dto import Mark, OccurrenceDTO, PostDTO, PostKind, Repeat

ZONE = "Asia/Baghdad"
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def at(day: int, hour: int = 18, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=ZoneInfo(ZONE)).astimezone(dt.UTC)


def post(post_id: int, when: dt.datetime, repeat: Repeat = Repeat.NONE, until: dt.date | None = None) -> PostDTO:
    return PostDTO(post_id, 1, when, PostKind.CAMPAIGN, "ig", "idea", repeat, until, None, None, None, NOW)


def fields(when: dt.datetime, **changes: object) -> PostFields:
    values: dict[str, object] = {"starts_at": when, "kind": PostKind.CAMPAIGN, "platform": "ig", "idea": "An idea"}
    values.update(changes)
    return PostFields(**values)  # type: ignore[arg-type]


def problem_of(call: object) -> Problem:
    assert callable(call)
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.problem


def test_texts_hashtags_targets_links() -> None:
    assert text_field("  Rubbish   in Hit ", "problem") == "Rubbish in Hit"
    assert problem_of(lambda: text_field("ok", "problem")) is Problem.CAMPAIGN_TEXT
    assert problem_of(lambda: text_field("x" * 301, "problem")) is Problem.CAMPAIGN_TEXT
    assert hashtag("نظفوا هيت") == "#نظفوا_هيت" and hashtag("#CleanHit2026") == "#CleanHit2026"
    assert hashtag("#حملة_١") == "#حملة_1"
    for bad in ("#", "#two words!", "#" + "a" * 51, "#a-b"):
        assert problem_of(lambda bad=bad: hashtag(bad)) is Problem.CAMPAIGN_HASHTAG
    assert target("٥٠٠") == 500 and target("1,500") == 1500
    for bad in ("0", "-3", "lots", "10000001", "²"):
        assert problem_of(lambda bad=bad: target(bad)) is Problem.CAMPAIGN_TARGET
    assert proof_link("https://www.instagram.com/p/abc") == "https://www.instagram.com/p/abc"
    assert proof_link("instagram.com/p/abc") is None and proof_link("javascript:alert(1)") is None


def test_a_plan_needs_its_fields() -> None:
    plan = PlanFields("A problem", "A goal", "followers", 500, None, "Youth", ("fb",), "#x")
    check_plan(plan)
    assert problem_of(lambda: check_plan(replace(plan, platforms=()))) is Problem.CAMPAIGN_PLATFORMS
    assert problem_of(lambda: check_plan(replace(plan, platforms=("myspace",)))) is Problem.CAMPAIGN_PLATFORMS
    assert problem_of(lambda: check_plan(replace(plan, target_metric="likes"))) is Problem.CAMPAIGN_TARGET
    other = replace(plan, target_metric="other", target_unit=None)
    assert problem_of(lambda: check_plan(other)) is Problem.CAMPAIGN_TEXT


def test_post_rules() -> None:
    assert len(check_post(fields(at(10)), ("ig",), ZONE, NOW, [])) == 1
    assert problem_of(lambda: check_post(fields(NOW - dt.timedelta(minutes=1)), ("ig",), ZONE, NOW, [])) is (
        Problem.POST_IN_PAST
    )
    assert problem_of(lambda: check_post(fields(NOW + dt.timedelta(days=400)), ("ig",), ZONE, NOW, [])) is (
        Problem.POST_TOO_FAR
    )
    assert problem_of(lambda: check_post(fields(at(10), idea="x" * 501), ("ig",), ZONE, NOW, [])) is (
        Problem.CAMPAIGN_TEXT
    )
    assert problem_of(lambda: check_post(fields(at(10), platform="x"), ("ig",), ZONE, NOW, [])) is (
        Problem.CAMPAIGN_PLATFORMS
    )
    weekly = fields(at(10), repeat=Repeat.WEEKLY, repeat_until=dt.date(2027, 6, 30))
    assert problem_of(lambda: check_post(weekly, ("ig",), ZONE, NOW, [])) is Problem.REPEAT_END  # > 6 months
    weekly = fields(at(10), repeat=Repeat.WEEKLY, repeat_until=dt.date(2026, 12, 31))
    assert len(check_post(weekly, ("ig",), ZONE, NOW, [])) == 4
    no_end = fields(at(10), repeat=Repeat.MONTHLY)
    assert problem_of(lambda: check_post(no_end, ("ig",), ZONE, NOW, [])) is Problem.REPEAT_END
    started = fields(NOW - dt.timedelta(days=7), repeat=Repeat.WEEKLY, repeat_until=dt.date(2027, 1, 31))
    assert check_post(started, ("ig",), ZONE, NOW, [], check_start=False)  # a series that has begun, changed


def test_five_posts_a_day_and_two_hundred_a_plan() -> None:
    same_day = [post(i, at(15, 8 + i)) for i in range(5)]
    assert problem_of(lambda: check_post(fields(at(15, 20)), ("ig",), ZONE, NOW, same_day)) is Problem.POSTS_PER_DAY
    check_post(fields(at(16, 20)), ("ig",), ZONE, NOW, same_day)  # another day is fine
    # a weekly series that would land on the full day is refused too
    series = fields(at(8, 20), repeat=Repeat.WEEKLY, repeat_until=dt.date(2026, 12, 22))
    with pytest.raises(DomainError) as refused:
        check_post(series, ("ig",), ZONE, NOW, same_day)
    assert refused.value.problem is Problem.POSTS_PER_DAY and refused.value.details["day"] == "2026-12-15"
    many = [post(i, at(1 + i % 28, 10 + i // 28, month=1 + i // 112 % 12)) for i in range(200)]
    assert problem_of(lambda: check_post(fields(at(30, 23)), ("ig",), ZONE, NOW, many)) is Problem.POSTS_PER_PLAN


def record(post_id: int, when: dt.datetime, state: Mark, marked: dt.datetime) -> OccurrenceDTO:
    return OccurrenceDTO(1, post_id, 1, when, state, 1, marked, None, None, None, None, None)


def test_progress_figures() -> None:
    grace = dt.timedelta(hours=6)
    weekly = post(1, at(1, 8), Repeat.WEEKLY, dt.date(2026, 12, 29))  # 1, 8, 15, 22, 29 December
    now = at(20)
    records = [
        record(1, at(1, 8), Mark.DONE, at(1, 9)),  # on time
        record(1, at(8, 8), Mark.DONE, at(9, 9)),  # a day late
        record(1, at(15, 8), Mark.SKIPPED, at(15, 9)),
        record(9, at(2, 8), Mark.DONE, at(2, 8)),  # a post deleted since: still counted
    ]
    stats = plan_stats([weekly], records, ZONE, now, grace)
    assert (stats.planned, stats.done, stats.skipped, stats.missed, stats.upcoming) == (6, 3, 1, 0, 2)
    assert stats.on_time == 2 and stats.on_time_percent == 50
    later = plan_stats([weekly], records, ZONE, at(31), grace)
    assert later.missed == 2 and later.on_time_percent == 33
    assert plan_stats([], [], ZONE, now, grace).on_time_percent is None


def test_ics_round_trip() -> None:
    events = [
        IcsEvent("post-1-1@cohortbot", at(10), "📣 #CleanHit · Instagram", "Campaign post: before photos", 60),
        IcsEvent("post-2-2@cohortbot", at(11), "#CleanHit · X", "Promotion: join us"),
    ]
    data = calendar_ics(events, name="Campaign posts", now=NOW)
    calendar = Calendar.from_ical(data)
    parsed = list(calendar.walk("VEVENT"))
    assert [str(e.get("uid")) for e in parsed] == ["post-1-1@cohortbot", "post-2-2@cohortbot"]
    assert parsed[0].decoded("dtstart") == at(10) and parsed[0].decoded("dtend") == at(10) + dt.timedelta(minutes=30)
    assert str(parsed[0].get("summary")) == "📣 #CleanHit · Instagram"
    alarms = [next(iter(e.walk("VALARM"))).decoded("trigger") for e in parsed]
    assert alarms == [-dt.timedelta(hours=1), dt.timedelta(0)]
    assert str(calendar.get("x-wr-calname")) == "Campaign posts"
    with pytest.raises(ValueError, match="naive"):
        calendar_ics([IcsEvent("x", dt.datetime(2026, 12, 1), "s", "d")], name="n", now=NOW)


def test_month_view_png_in_both_languages() -> None:
    assert weekday_names("ar")[0] == "السبت" and weekday_names("ar")[-1] == "الجمعة"  # Saturday first
    assert weekday_names("en")[0] == "Mon" and weekday_names("en")[-1] == "Sun"
    for locale in ("ar", "en"):
        png = month_png(
            year=2026,
            month=12,
            locale=locale,
            subtitle="#نظفوا_هيت $\\frac$",  # typed text: never read as TeX (matplotlib would raise)
            posts={3: [DayPost("18:00", "campaign", "Instagram", "done")] * 5, 10: [DayPost("9:00", "occasion", "X")]},
            occasions={10: ["يوم حقوق الإنسان"]},
            today=dt.date(2026, 12, 1),
        )
        assert png.startswith(b"\x89PNG") and len(png) > 20_000
