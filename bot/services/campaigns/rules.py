"""The campaign planner's rules: limits, what a plan and a post are made of, checks, and progress figures.

Limits (README "Campaign planner"): problem, goal and audience 3-300 characters; an idea 1-500; a hashtag up to 50;
a target 1-10,000,000; at most 10 plans per trainee, 5 teammates per plan, 5 posts per plan on one day and 200 posts
per plan (each occurrence of a repeating post counts); a post at most a year ahead; a series ends within 6 months
of its first post; lead times 15 minutes, 1 hour or 1 day.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.parsing import parse_int
from bot.services.campaigns.recurrence import occurrences
from bot.services.errors import DomainError, Problem
from bot.text import clean_input, normalize_digits
from storage.campaigns.dto import METRICS, PLATFORMS, Mark, OccurrenceDTO, PostDTO, PostKind, Repeat

TEXT_MIN, TEXT_MAX = 3, 300
IDEA_MAX = 500
HASHTAG_MAX = 50
TARGET_MAX = 10_000_000
UNIT_MAX = 40
COMMENT_MAX = 1000
PLANS_PER_TRAINEE = 10
TEAMMATES_MAX = 5
POSTS_PER_DAY = 5
POSTS_PER_PLAN = 200
AHEAD_MAX = dt.timedelta(days=366)
SERIES_MAX = dt.timedelta(days=183)
LEADS = (15, 60, 1440)  # minutes before the post
OCCASION_TIME = dt.time(18, 0)  # a post added for an occasion with one tap goes out at 18:00 local time
SNOOZE = dt.timedelta(hours=1)
SNOOZES_MAX = 3  # per occurrence and person
PROOF_MAX = 512

_HASHTAG = re.compile(r"^#[\w]+$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PlanFields:
    problem: str
    goal: str
    target_metric: str
    target_count: int
    target_unit: str | None
    audience: str
    platforms: tuple[str, ...]
    hashtag: str | None


@dataclass(frozen=True, slots=True)
class PostFields:
    starts_at: dt.datetime
    kind: PostKind
    platform: str
    idea: str
    repeat: Repeat = Repeat.NONE
    repeat_until: dt.date | None = None
    lead_minutes: int | None = None
    occasion: str | None = None


def text_field(value: str, field: str, low: int = TEXT_MIN, high: int = TEXT_MAX) -> str:
    text = clean_input(value)
    if not low <= len(text) <= high or any(unicodedata.category(c) == "Cc" for c in text):
        raise DomainError(Problem.CAMPAIGN_TEXT, field=field, low=low, high=high, length=len(text))
    return text


def hashtag(value: str) -> str:
    """ "#نظفوا_هيت", "clean hit" → "#clean_hit"; letters, digits and underscores, up to 50."""
    text = "_".join(normalize_digits(clean_input(value)).split())
    text = text if text.startswith("#") else f"#{text}"
    if len(text) < 2 or len(text) > HASHTAG_MAX + 1 or not _HASHTAG.match(text):
        raise DomainError(Problem.CAMPAIGN_HASHTAG, limit=HASHTAG_MAX)
    return text


def target(value: str) -> int:
    """1..TARGET_MAX in any digits, thousands separators allowed; the digits are counted before `int()`."""
    number = parse_int(normalize_digits(clean_input(value)).replace(",", "").replace("٬", ""), maximum=TARGET_MAX)
    if number is None or number < 1:
        raise DomainError(Problem.CAMPAIGN_TARGET, limit=TARGET_MAX)
    return number


def proof_link(value: str) -> str | None:
    text = clean_input(value)
    return text if _URL.match(text) and len(text) <= PROOF_MAX else None


def check_plan(fields: PlanFields) -> None:
    for name, value in (("problem", fields.problem), ("goal", fields.goal), ("audience", fields.audience)):
        text_field(value, name)
    if fields.target_metric not in METRICS or not 1 <= fields.target_count <= TARGET_MAX:
        raise DomainError(Problem.CAMPAIGN_TARGET, limit=TARGET_MAX)
    if fields.target_metric == "other":
        text_field(fields.target_unit or "", "unit", 2, UNIT_MAX)
    if not fields.platforms or any(p not in PLATFORMS for p in fields.platforms):
        raise DomainError(Problem.CAMPAIGN_PLATFORMS)


def series(fields: PostFields, zone: str) -> list[dt.datetime]:
    return occurrences(fields.starts_at, zone, fields.repeat, fields.repeat_until)


def post_moment(day: dt.date, time: dt.time, zone: str, now: dt.datetime) -> dt.datetime:
    """A typed day and time in the cohort's zone → UTC. The day is checked first: year 1 or 9999 would overflow the
    conversion (and is in the past or beyond AHEAD_MAX anyway). The exact moment is then checked by `check_moment`."""
    today = now.astimezone(ZoneInfo(zone)).date()
    if day < today - dt.timedelta(days=1):
        raise DomainError(Problem.POST_IN_PAST)
    if day > today + AHEAD_MAX + dt.timedelta(days=1):
        raise DomainError(Problem.POST_TOO_FAR)
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


def check_moment(moment: dt.datetime, now: dt.datetime) -> None:
    if moment <= now:
        raise DomainError(Problem.POST_IN_PAST)
    if moment > now + AHEAD_MAX:
        raise DomainError(Problem.POST_TOO_FAR)


def check_post(
    fields: PostFields,
    platforms: Sequence[str],
    zone: str,
    now: dt.datetime,
    others: Iterable[PostDTO],
    *,
    check_start: bool = True,
) -> list[dt.datetime]:
    """Every rule for a new or changed post against the plan's other posts; returns its occurrences.

    `check_start=False` for a change that keeps the first time (a series that has begun keeps it)."""
    if check_start:
        check_moment(fields.starts_at, now)
    if fields.kind not in PostKind or fields.platform not in platforms:
        raise DomainError(Problem.CAMPAIGN_PLATFORMS)
    text_field(fields.idea, "idea", 1, IDEA_MAX)
    if fields.lead_minutes is not None and fields.lead_minutes not in LEADS:
        raise DomainError(Problem.NOT_ALLOWED)
    if fields.repeat is Repeat.NONE:
        if fields.repeat_until is not None:
            raise DomainError(Problem.REPEAT_END)
    else:
        first_day = fields.starts_at.astimezone(ZoneInfo(zone)).date()
        if fields.repeat_until is None or not first_day < fields.repeat_until <= first_day + SERIES_MAX:
            raise DomainError(Problem.REPEAT_END, days=SERIES_MAX.days)
    mine = series(fields, zone)
    taken = [moment for post in others for moment in occurrences(post.starts_at, zone, post.repeat, post.repeat_until)]
    if len(taken) + len(mine) > POSTS_PER_PLAN:
        raise DomainError(Problem.POSTS_PER_PLAN, limit=POSTS_PER_PLAN)
    tz = ZoneInfo(zone)
    per_day = Counter(moment.astimezone(tz).date() for moment in taken)
    for moment in mine:
        day = moment.astimezone(tz).date()
        per_day[day] += 1
        if per_day[day] > POSTS_PER_DAY:
            raise DomainError(Problem.POSTS_PER_DAY, day=day.isoformat(), limit=POSTS_PER_DAY)
    return mine


@dataclass(frozen=True, slots=True)
class PlanStats:
    planned: int  # occurrences in the schedule, and any recorded that a later change moved
    done: int
    skipped: int
    missed: int  # time and grace window passed, neither done nor skipped
    on_time: int  # done no later than the grace window after their time
    upcoming: int

    @property
    def closed(self) -> int:
        return self.done + self.skipped + self.missed

    @property
    def on_time_percent(self) -> int | None:
        """Of the posts whose time has come and gone (done, skipped or missed), the share done on time."""
        return None if self.closed == 0 else round(100 * self.on_time / self.closed)


def plan_stats(
    posts: Iterable[PostDTO],
    records: Iterable[OccurrenceDTO],
    zone: str,
    now: dt.datetime,
    grace: dt.timedelta,
) -> PlanStats:
    schedule = {
        (post.id, moment)
        for post in posts
        for moment in occurrences(post.starts_at, zone, post.repeat, post.repeat_until)
    }
    marks = {(r.post_id, r.occurs_at): r for r in records}
    done = [r for r in marks.values() if r.state is Mark.DONE]
    missed = sum(1 for key in schedule if key not in marks and key[1] + grace <= now)
    upcoming = sum(1 for key in schedule if key not in marks and key[1] > now)
    return PlanStats(
        planned=len(schedule | set(marks)),
        done=len(done),
        skipped=sum(1 for r in marks.values() if r.state is Mark.SKIPPED),
        missed=missed,
        on_time=sum(1 for r in done if r.marked_at <= r.occurs_at + grace),
        upcoming=upcoming,
    )
