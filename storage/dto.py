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
