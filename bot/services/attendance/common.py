"""What the attendance services share: settings, the views they return, and who may act on what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.services.access import Actor, Operator, require_manager
from bot.services.errors import DomainError, Problem
from bot.services.people import deep_link
from bot.text import clean_input
from storage.attendance.dto import AttendanceStatus, CheckinDTO, SessionDTO, Trainee
from storage.dto import CohortDTO
from storage.uow import UnitOfWork

CHECKIN_PREFIX = "ci_"  # deep-link payloads "ci_<token>"; invite tokens never start like this
TITLE_MAX, PLACE_MAX, NOTE_MAX = 120, 120, 200


@dataclass(frozen=True, slots=True)
class AttendanceSettings:
    window: dt.timedelta = dt.timedelta(minutes=15)
    late_after: dt.timedelta = dt.timedelta(minutes=10)
    code_digits: int = 4
    rotate_every: dt.timedelta = dt.timedelta(minutes=2)
    rotate_by_default: bool = False
    max_wrong: int = 5
    wrong_window: dt.timedelta = dt.timedelta(minutes=10)


def checkin_link(bot_username: str, token: str) -> str:
    return deep_link(bot_username, f"{CHECKIN_PREFIX}{token}")


@dataclass(frozen=True, slots=True)
class CheckinView:
    checkin: CheckinDTO
    session: SessionDTO
    cohort: CohortDTO
    checked_in: int  # present or late by check-in or roll
    late: int
    trainees: int
    late_from: dt.datetime  # check-ins from then on count as late


@dataclass(frozen=True, slots=True)
class CheckinResult:
    session: SessionDTO
    cohort: CohortDTO
    status: AttendanceStatus
    already: bool


@dataclass(frozen=True, slots=True)
class RollEntry:
    trainee: Trainee
    status: AttendanceStatus  # ABSENT also when there is no record


@dataclass(frozen=True, slots=True)
class Roll:
    session: SessionDTO
    cohort: CohortDTO
    entries: list[RollEntry]

    def count(self, status: AttendanceStatus) -> int:
        return sum(1 for entry in self.entries if entry.status is status)


@dataclass(frozen=True, slots=True)
class Alarm:
    what: str  # "close" or "rotate"
    checkin_id: int
    when: dt.datetime


def clean_text(text: str, limit: int) -> str | None:
    value = clean_input(text)
    return value if 1 <= len(value) <= limit and not value.startswith("/") else None


async def cohort_of(uow: UnitOfWork, cohort_id: int) -> CohortDTO:
    """The cohort, whoever asks (a trainee's own check-in; the delivery engine)."""
    cohort = await uow.cohorts.by_id(cohort_id)
    if cohort is None:
        raise DomainError(Problem.COHORT_NOT_FOUND, name=str(cohort_id))
    return cohort


async def session_of(uow: UnitOfWork, session_id: int) -> tuple[SessionDTO, CohortDTO]:
    session = await uow.sessions.by_id(session_id)
    if session is None:
        raise DomainError(Problem.SESSION_NOT_FOUND)
    return session, await cohort_of(uow, session.cohort_id)


async def load_cohort(uow: UnitOfWork, cohort_id: int, actor: Actor) -> CohortDTO:
    """The cohort, if the actor manages it now (read from the database; the operator manages all)."""
    cohort = await cohort_of(uow, cohort_id)
    await require_manager(uow, actor, cohort_id)
    return cohort


async def load_session(uow: UnitOfWork, session_id: int, actor: Actor) -> tuple[SessionDTO, CohortDTO]:
    session, cohort = await session_of(uow, session_id)
    await require_manager(uow, actor, cohort.id)
    return session, cohort


async def actor_id(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> int | None:
    """Who acts, as a person id (None: the operator); a coordinator never registered gets a bare row (the Telegram
    id and, when known, their language: scheduled notices use it)."""
    if isinstance(actor, Operator):
        return None
    locale = getattr(actor, "locale", None)  # a Principal knows it
    person = await uow.people.ensure(actor.telegram_id, now, locale if isinstance(locale, str) else None)
    return person.id
