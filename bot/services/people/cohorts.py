"""Cohorts and their invites: what coordinators do in chat and on the command line. Each operation receives who
acts and checks their role in the database itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.parsing import COHORT_NAME_MAX, key_fits
from bot.services.access import Actor, authority, require_coordinator, require_manager
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.services.people.invites import (
    DEFAULT_INVITE_DAYS,
    INVITE_DAYS_MAX,
    INVITE_USES_MAX,
    invite_defaults,
    new_invite_token,
)
from bot.text import normalize_key
from storage.atomic import AlreadyExists
from storage.dto import CohortDTO, CohortStatus, CohortSummary, InviteDTO, MembershipDTO, PersonDTO, Role
from storage.uow import Database

# A cohort's start date lies within three years of today, whoever creates it (the chat asks for one within a year
# back and two ahead); a year 1 or 9999 would overflow every lesson time computed from it.
START_RANGE = dt.timedelta(days=3 * 366)


def start_date_allowed(start: dt.date, today: dt.date) -> bool:
    return today - START_RANGE <= start <= today + START_RANGE


@dataclass(frozen=True, slots=True)
class NewCohort:
    cohort: CohortDTO
    invite: InviteDTO


class CohortService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def create(
        self,
        actor: Actor,
        *,
        name: str,
        start_date: dt.date,
        lesson_time: dt.time,
        timezone: str,
        curriculum_id: int | None = None,
        rest_days: frozenset[int] = frozenset({5}),
        observe_holidays: bool = True,
        nudge_time: dt.time | None = None,
    ) -> NewCohort:
        """A cohort tied to a curriculum (None: no lessons), with a trainee invite; coordinators only."""
        try:
            zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {timezone!r}") from exc
        now = self._clock()
        if not 1 <= len(name) <= COHORT_NAME_MAX or not key_fits(name):  # the columns' limits, whoever calls
            raise DomainError(Problem.NAME_INVALID, name=name)
        if not start_date_allowed(start_date, now.astimezone(zone).date()):
            raise DomainError(Problem.START_DATE_RANGE, date=start_date.isoformat())
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            if await uow.cohorts.by_name_key(normalize_key(name)) is not None:
                raise DomainError(Problem.COHORT_EXISTS, name=name)
            if curriculum_id is not None and await uow.curricula.by_id(curriculum_id) is None:
                raise DomainError(Problem.CURRICULUM_NOT_FOUND, id=curriculum_id)
            try:
                cohort = await uow.cohorts.add(
                    name=name,
                    name_key=normalize_key(name),
                    timezone=timezone,
                    start_date=start_date,
                    lesson_time=lesson_time,
                    now=now,
                    curriculum_id=curriculum_id,
                    rest_days=rest_days,
                    observe_holidays=observe_holidays,
                    nudge_time=nudge_time,
                )
            except AlreadyExists:  # created under the same name a moment ago
                raise DomainError(Problem.COHORT_EXISTS, name=name) from None
            invite = await uow.invites.add(
                token=new_invite_token(),
                cohort_id=cohort.id,
                role=Role.TRAINEE,
                expires_at=now + dt.timedelta(days=DEFAULT_INVITE_DAYS),
                max_uses=None,
                now=now,
            )
            await uow.commit()
        return NewCohort(cohort, invite)

    async def set_schedule(
        self,
        actor: Actor,
        cohort_id: int,
        *,
        rest_days: frozenset[int] | None = None,
        observe_holidays: bool | None = None,
        nudge_time: dt.time | None = None,
        lesson_time: dt.time | None = None,
        start_date: dt.date | None = None,
    ) -> CohortDTO:
        """Change when a cohort's lessons go out; lessons already sent stay as they were. Coordinators only."""
        if start_date is not None and not start_date_allowed(start_date, self._clock().date()):
            raise DomainError(Problem.START_DATE_RANGE, date=start_date.isoformat())
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            await uow.cohorts.set_schedule(
                cohort_id,
                rest_days=rest_days,
                observe_holidays=observe_holidays,
                nudge_time=nudge_time,
                lesson_time=lesson_time,
                start_date=start_date,
            )
            cohort = await uow.cohorts.by_id(cohort_id)
            await uow.commit()
        if cohort is None:
            raise DomainError(Problem.COHORT_NOT_FOUND, name=str(cohort_id))
        return cohort

    async def find(self, name: str) -> CohortDTO:
        async with self._db.unit_of_work() as uow:
            cohort = await uow.cohorts.by_name_key(normalize_key(name))
        if cohort is None:
            raise DomainError(Problem.COHORT_NOT_FOUND, name=name)
        return cohort

    async def summaries(self, actor: Actor) -> list[CohortSummary]:
        """The cohorts the actor manages now (coordinators and the operator: all; anyone else: none)."""
        async with self._db.reading() as uow:
            manageable = (await authority(uow, actor)).manageable()
            return await uow.cohorts.summaries(None if manageable is None else sorted(manageable))

    async def members(
        self, actor: Actor, cohort_id: int, role: Role | None = None
    ) -> list[tuple[MembershipDTO, PersonDTO]]:
        """A cohort's members, for a manager of it."""
        async with self._db.unit_of_work() as uow:
            await require_manager(uow, actor, cohort_id)
            return await uow.memberships.members(cohort_id, role)

    async def set_status(self, actor: Actor, cohort_id: int, status: CohortStatus) -> None:
        """End (or reopen) a cohort; coordinators only."""
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            await uow.cohorts.set_status(cohort_id, status)
            await uow.commit()

    async def create_invite(
        self,
        actor: Actor,
        cohort_id: int,
        role: Role,
        *,
        days: int | None = None,
        expires_at: dt.datetime | None = None,
        max_uses: int | None = None,
    ) -> InviteDTO:
        """An invite valid for `days` (or until `expires_at`) and `max_uses` people; what is not given follows the
        role (`invite_defaults`). Beyond INVITE_DAYS_MAX days or INVITE_USES_MAX uses: DomainError, nothing made."""
        now = self._clock()
        default_days, default_uses = invite_defaults(role)
        if expires_at is None:
            if days is not None and not 1 <= days <= INVITE_DAYS_MAX:
                raise DomainError(Problem.INVITE_LIMITS, days=INVITE_DAYS_MAX, uses=INVITE_USES_MAX)
            expires_at = now + dt.timedelta(days=default_days if days is None else days)
        if not now < expires_at <= now + dt.timedelta(days=INVITE_DAYS_MAX):
            raise DomainError(Problem.INVITE_LIMITS, days=INVITE_DAYS_MAX, uses=INVITE_USES_MAX)
        if max_uses is None:
            max_uses = default_uses
        elif not 1 <= max_uses <= INVITE_USES_MAX:
            raise DomainError(Problem.INVITE_LIMITS, days=INVITE_DAYS_MAX, uses=INVITE_USES_MAX)
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            cohort = await uow.cohorts.by_id(cohort_id)
            if cohort is None:
                raise DomainError(Problem.COHORT_NOT_FOUND, name=str(cohort_id))
            if cohort.status is CohortStatus.ENDED:
                raise DomainError(Problem.COHORT_ENDED, name=cohort.name)
            invite = await uow.invites.add(
                token=new_invite_token(),
                cohort_id=cohort_id,
                role=role,
                expires_at=expires_at,
                max_uses=max_uses,
                now=now,
            )
            await uow.commit()
        return invite

    async def invites(self, actor: Actor, cohort_id: int) -> list[InviteDTO]:
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            return await uow.invites.for_cohort(cohort_id)

    async def invite(self, actor: Actor, invite_id: int) -> InviteDTO | None:
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            return await uow.invites.by_id(invite_id)

    async def revoke_invite(self, actor: Actor, invite_id: int) -> InviteDTO:
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            invite = await uow.invites.by_id(invite_id)
            if invite is None:
                raise DomainError(Problem.INVITE_NOT_FOUND)
            await uow.invites.revoke(invite_id, self._clock())
            await uow.commit()
            revoked = await uow.invites.by_id(invite_id)
        assert revoked is not None
        return revoked
