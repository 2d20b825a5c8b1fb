"""What the attendance services share: settings, the views they return, and who may act on what."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.services.access import Principal
from bot.services.cohorts import deep_link
from bot.services.errors import DomainError, Problem
from bot.text import clean_input
from storage.dto import CohortDTO
from storage.dto_attendance import AttendanceStatus, CheckinDTO, SessionDTO, Trainee
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


async def load_cohort(uow: UnitOfWork, cohort_id: int, principal: Principal | None) -> CohortDTO:
    """The cohort, if the principal may manage it (no principal: the operator on the command line)."""
    cohort = await uow.cohorts.by_id(cohort_id)
    if cohort is None:
        raise DomainError(Problem.COHORT_NOT_FOUND, name=str(cohort_id))
    if principal is not None and not principal.can_manage(cohort_id):
        raise DomainError(Problem.NOT_ALLOWED)
    return cohort


async def load_session(uow: UnitOfWork, session_id: int, principal: Principal | None) -> tuple[SessionDTO, CohortDTO]:
    session = await uow.sessions.by_id(session_id)
    if session is None:
        raise DomainError(Problem.SESSION_NOT_FOUND)
    return session, await load_cohort(uow, session.cohort_id, principal)


async def actor_id(uow: UnitOfWork, principal: Principal, now: dt.datetime) -> int:
    """Who acts, as a person id; a coordinator never registered gets a bare row (the Telegram id and language)."""
    if principal.person is not None:
        return principal.person.id
    person = await uow.people.ensure(principal.telegram_id, now, principal.locale)  # scheduled notices use it
    return person.id
