"""Plain dataclasses that the storage layer hands out."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    TRAINEE = "trainee"
    TRAINER = "trainer"


class PersonStatus(StrEnum):
    ACTIVE = "active"
    BLOCKED = "blocked"
    LEFT = "left"


class CohortStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


@dataclass(frozen=True, slots=True)
class PersonDTO:
    id: int
    telegram_id: int
    full_name: str | None
    locale: str | None
    town: str | None
    consent_at: dt.datetime | None
    status: PersonStatus
    created_at: dt.datetime

    @property
    def is_registered(self) -> bool:
        return self.consent_at is not None


@dataclass(frozen=True, slots=True)
class CohortDTO:
    id: int
    name: str
    timezone: str
    start_date: dt.date
    lesson_time: dt.time
    status: CohortStatus
    created_at: dt.datetime
    curriculum_id: int | None = None
    rest_days: frozenset[int] = frozenset({5})  # ISO weekdays without lessons (Friday = 5)
    observe_holidays: bool = True
    nudge_time: dt.time | None = None
    lessons_planned: int = 0


@dataclass(frozen=True, slots=True)
class CohortSummary:
    cohort: CohortDTO
    trainees: int
    trainers: int


@dataclass(frozen=True, slots=True)
class MembershipDTO:
    id: int
    person_id: int
    cohort_id: int
    role: Role
    joined_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Recipient:
    person_id: int
    telegram_id: int
    joined_at: dt.datetime
    town: str | None = None
    status: PersonStatus = PersonStatus.ACTIVE


@dataclass(frozen=True, slots=True)
class InviteDTO:
    id: int
    token: str
    cohort_id: int
    role: Role
    expires_at: dt.datetime | None
    max_uses: int | None
    uses: int
    revoked_at: dt.datetime | None
    created_at: dt.datetime

    def problem(self, now: dt.datetime) -> str | None:
        """Why this invite cannot be used now ("revoked", "expired", "used_up"), or None."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        if self.max_uses is not None and self.uses >= self.max_uses:
            return "used_up"
        return None


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by the sender: in flight
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    SKIPPED = "skipped"


FINAL_STATES = frozenset({DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.BLOCKED, DeliveryState.SKIPPED})


@dataclass(frozen=True, slots=True)
class CurriculumDTO:
    id: int
    slug: str
    version: int
    title_ar: str
    title_en: str
    lesson_count: int
    document: str  # the validated curriculum as JSON (bot.services.lessons.curriculum.Curriculum)
    source: str
    imported_at: dt.datetime

    def title(self, locale: str) -> str:
        return self.title_ar if locale == "ar" else self.title_en


@dataclass(frozen=True, slots=True)
class NewDelivery:
    """What the planner asks the outbox for; `key` is unique per (recipient, item)."""

    key: str
    kind: str
    person_id: int | None
    chat_id: int
    cohort_id: int | None
    due_at: dt.datetime
    expires_at: dt.datetime | None = None
    ref: str | None = None
    payload: str = "{}"


@dataclass(frozen=True, slots=True)
class DeliveryDTO:
    id: int
    key: str
    kind: str
    person_id: int | None
    chat_id: int | None
    cohort_id: int | None
    ref: str | None
    payload: str
    due_at: dt.datetime
    not_before: dt.datetime
    expires_at: dt.datetime | None
    state: DeliveryState
    reason: str | None
    attempts: int
    message_id: int | None
    sent_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class LessonProgressDTO:
    person_id: int | None
    cohort_id: int
    lesson: str
    number: int
    delivered_at: dt.datetime | None
    opened_at: dt.datetime | None
    done_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class QuizPollDTO:
    poll_id: str
    person_id: int | None
    cohort_id: int
    lesson: str
    question: int
    correct_options: tuple[int, ...]
    sent_at: dt.datetime
    answered_options: tuple[int, ...] | None
    answered_at: dt.datetime | None
    correct: bool | None
