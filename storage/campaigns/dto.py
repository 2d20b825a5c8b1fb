"""Dataclasses the campaign repository hands out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class PostKind(StrEnum):
    CAMPAIGN = "campaign"
    OCCASION = "occasion"  # a festival or occasion
    PROMOTION = "promotion"


class Repeat(StrEnum):
    NONE = "none"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Mark(StrEnum):
    DONE = "done"
    SKIPPED = "skipped"


class ProofKind(StrEnum):
    LINK = "link"
    PHOTO = "photo"


PLATFORMS = ("fb", "ig", "x", "tt", "wa", "other")  # Facebook page, Instagram, X, TikTok, WhatsApp channel, other
METRICS = ("followers", "responses", "signups", "other")


@dataclass(frozen=True, slots=True)
class PlanDTO:
    id: int
    owner_id: int
    cohort_id: int
    problem: str
    goal: str
    target_metric: str
    target_count: int
    target_unit: str | None
    audience: str
    platforms: tuple[str, ...]
    hashtag: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    teammates: tuple[int, ...] = ()  # person ids

    def members(self) -> tuple[int, ...]:
        """Owner first, then the teammates: who gets reminders and may mark posts done."""
        return (self.owner_id, *self.teammates)


@dataclass(frozen=True, slots=True)
class PostDTO:
    id: int
    plan_id: int
    starts_at: dt.datetime
    kind: PostKind
    platform: str
    idea: str
    repeat: Repeat
    repeat_until: dt.date | None
    lead_minutes: int | None
    occasion: str | None
    planned_until: dt.datetime | None
    created_at: dt.datetime
    deleted_at: dt.datetime | None = None  # hidden, kept for the marks of its occurrences


@dataclass(frozen=True, slots=True)
class PlannablePost:
    """A post with what the reminder planner needs of its plan."""

    post: PostDTO
    owner_id: int
    cohort_id: int
    timezone: str


@dataclass(frozen=True, slots=True)
class OccurrenceDTO:
    id: int
    post_id: int
    plan_id: int
    occurs_at: dt.datetime
    state: Mark
    by_id: int | None
    marked_at: dt.datetime
    proof_kind: ProofKind | None
    proof: str | None
    proof_at: dt.datetime | None
    approved_at: dt.datetime | None
    approved_by: int | None


@dataclass(frozen=True, slots=True)
class CommentDTO:
    id: int
    plan_id: int
    author_id: int | None
    text: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Reachable:
    """A person reminders can go to: registered and not blocked."""

    person_id: int
    telegram_id: int
