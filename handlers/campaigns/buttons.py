"""The campaign planner's button data: one codec per button kind (handlers.core.buttons), shared by the keyboards
that build the data, the declarations that route it and the handlers that read it.

Prefixes: `cp` a trainee's plans and posts, `cr` a posting reminder, `cv` a trainer's review, `cc` the calendar. The
post flow's buttons carry the draft's token: a press from an older flow is stale even when its fields are valid.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

from bot.services.campaigns import METRICS, PLATFORMS, PostKind, Repeat
from handlers.core.buttons import MONTH, Codec, Empty, NoneAs, Num, Text

Token = Annotated[str, Text("[0-9a-f]{6}")]
Month = Annotated[dt.date, MONTH]
ThisMonthOr = Annotated[dt.date | None, MONTH, NoneAs("0")]  # "0": the current month
Metric = Annotated[str, Text("|".join(METRICS))]
Platform = Annotated[str, Text("|".join(PLATFORMS))]
PlatformOrNext = Annotated[str, Text("|".join((*PLATFORMS, "ok")))]  # "ok": the platforms are chosen
PlanField = Literal["problem", "goal", "target", "audience", "platforms", "hashtag"]
PostField = Literal["when", "kind", "platform", "idea", "repeat", "lead"]


@dataclass(frozen=True)
class PlanRef:
    plan_id: int


@dataclass(frozen=True)
class PostRef:
    post_id: int


@dataclass(frozen=True)
class CohortRef:
    cohort_id: int


@dataclass(frozen=True)
class OccurrenceRef:
    occurrence_id: int


# ------------------------------------------------------------------------------- cp: a new plan's steps


@dataclass(frozen=True)
class MetricChoice:
    metric: Metric


@dataclass(frozen=True)
class PlatformTap:
    platform: PlatformOrNext


@dataclass(frozen=True)
class NoHashtag:
    none: Literal["none"]


@dataclass(frozen=True)
class TeamChoice:
    with_team: Literal["no", "yes"]


NEW_PLAN = Codec("cp", Empty, tag="new")
RESUME_PLAN = Codec("cp", Empty, tag="rs")
DISCARD_PLAN = Codec("cp", Empty, tag="rd")
PLAN_COHORT = Codec("cp", CohortRef, tag="co")
PLAN_METRIC = Codec("cp", MetricChoice, tag="mt")
PLAN_PLATFORM = Codec("cp", PlatformTap, tag="pf")
PLAN_NO_HASHTAG = Codec("cp", NoHashtag, tag="hs")
PLAN_TEAM = Codec("cp", TeamChoice, tag="team")

# ------------------------------------------------------------------------------ cp: a plan, its edits, its team


@dataclass(frozen=True)
class PlanFieldRef:
    plan_id: int
    field: PlanField


@dataclass(frozen=True)
class TeammateRef:
    plan_id: int
    person_id: int


SHOW_PLAN = Codec("cp", PlanRef, tag="v")
EDIT_PLAN = Codec("cp", PlanRef, tag="e")
EDIT_PLAN_FIELD = Codec("cp", PlanFieldRef, tag="ef")
SHOW_TEAM = Codec("cp", PlanRef, tag="tl")
TOGGLE_TEAMMATE = Codec("cp", TeammateRef, tag="t")

# ----------------------------------------------------------------------------------- cp: the post flow


@dataclass(frozen=True)
class DayPick:
    token: Token
    day: dt.date


@dataclass(frozen=True)
class MonthPick:
    token: Token
    month: Month


@dataclass(frozen=True)
class KindChoice:
    token: Token
    kind: PostKind


@dataclass(frozen=True)
class PlatformChoice:
    token: Token
    platform: Platform


@dataclass(frozen=True)
class RepeatChoice:
    token: Token
    repeat: Repeat


@dataclass(frozen=True)
class LeadChoice:
    token: Token
    minutes: Annotated[int, Num(digits=4, minimum=0)]  # 0: only at the post's time


NOOP = Codec("cp", Empty, tag="noop")  # a calendar cell or header: nothing to do
ADD_POST = Codec("cp", PlanRef, tag="ap")
POST_DAY = Codec("cp", DayPick, tag="d")
POST_MONTH = Codec("cp", MonthPick, tag="m")
POST_KIND = Codec("cp", KindChoice, tag="k")
POST_PLATFORM = Codec("cp", PlatformChoice, tag="p")
POST_REPEAT = Codec("cp", RepeatChoice, tag="r")
POST_LEAD = Codec("cp", LeadChoice, tag="l")

# ------------------------------------------------------------------------------ cp: existing posts, occasions


@dataclass(frozen=True)
class PostFieldRef:
    post_id: int
    field: PostField


@dataclass(frozen=True)
class PlanMonth:
    plan_id: int
    month: ThisMonthOr


@dataclass(frozen=True)
class OccasionPick:
    plan_id: int
    day: dt.date
    index: Annotated[int, Num(digits=2, minimum=0)]  # among the occasions of that day


SHOW_POSTS = Codec("cp", PlanRef, tag="ps")
SHOW_POST = Codec("cp", PostRef, tag="po")
EDIT_POST_FIELD = Codec("cp", PostFieldRef, tag="pe")
DELETE_POST = Codec("cp", PostRef, tag="px")
DELETE_POST_CONFIRMED = Codec("cp", PostRef, tag="py")
OCCASIONS = Codec("cp", PlanMonth, tag="oc")
ADD_OCCASION = Codec("cp", OccasionPick, tag="oa")

# ---------------------------------------------------------------------------------- cr: posting reminders


@dataclass(frozen=True)
class ReminderPress:
    action: Literal["d", "z", "s"]  # done, snooze, skip
    post_id: int
    at: dt.datetime  # the occurrence


REMINDER = Codec("cr", ReminderPress)
NO_PROOF = Codec("cr", Empty, tag="n")

# ------------------------------------------------------------------------------------ cv: trainers' review

REVIEW_COHORT = Codec("cv", CohortRef, tag="c")
REVIEW_PLAN = Codec("cv", PlanRef, tag="p")
APPROVE_PROOF = Codec("cv", OccurrenceRef, tag="a")
SHOW_PROOF = Codec("cv", OccurrenceRef, tag="f")
COMMENT = Codec("cv", PlanRef, tag="m")

# ------------------------------------------------------------------------------------------ cc: /calendar


@dataclass(frozen=True)
class CalendarMonth:
    month: ThisMonthOr


@dataclass(frozen=True)
class MonthRef:
    month: Month


CALENDAR_MONTH = Codec("cc", CalendarMonth, tag="m")
CALENDAR_FILE = Codec("cc", Empty, tag="ics")
CALENDAR_OCCASIONS = Codec("cc", MonthRef, tag="oc")
