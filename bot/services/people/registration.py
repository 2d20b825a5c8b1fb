"""Joining a cohort by invite: checks that store nothing, then one commit at consent."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.parsing import NAME_MAX, key_fits
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.services.lessons import LessonService
from bot.text import normalize_key
from storage.dto import CohortDTO, CohortStatus, InviteDTO, PersonDTO, Role
from storage.uow import Database, UnitOfWork

TOWNS = ("هيت", "الرمادي", "الفلوجة", "ديالى", "بغداد")
INVITE_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")
TOWN_MAX = 64


@dataclass(frozen=True, slots=True)
class InviteCheck:
    invite: InviteDTO
    cohort: CohortDTO
    person: PersonDTO | None
    already_member: bool

    @property
    def registered(self) -> bool:
        """Registered people join a further cohort with one confirmation, without re-entering details."""
        return self.person is not None and self.person.is_registered


@dataclass(frozen=True, slots=True)
class Joined:
    cohort: CohortDTO
    role: Role
    role_upgraded: bool = False
    lesson_planned: bool = False  # the current lesson is on its way (a late joiner)


class RegistrationService:
    def __init__(self, db: Database, clock: Clock = utc_now, lessons: LessonService | None = None) -> None:
        self._db = db
        self._clock = clock
        self._lessons = lessons  # a late joiner gets the current lesson at once

    async def _check(self, uow: UnitOfWork, token: str, telegram_id: int) -> InviteCheck:
        if not INVITE_TOKEN.fullmatch(token):  # a deep-link payload is 1-64 of A-Z a-z 0-9 _ -
            raise DomainError(Problem.INVITE_NOT_FOUND)
        invite = await uow.invites.by_token(token)
        if invite is None:
            raise DomainError(Problem.INVITE_NOT_FOUND)
        problem = invite.problem(self._clock())
        if problem is not None:
            raise DomainError(Problem(problem))
        cohort = await uow.cohorts.by_id(invite.cohort_id)
        if cohort is None:
            raise DomainError(Problem.INVITE_NOT_FOUND)
        if cohort.status is CohortStatus.ENDED:
            raise DomainError(Problem.COHORT_ENDED, name=cohort.name)
        person = await uow.people.by_telegram_id(telegram_id)
        membership = await uow.memberships.get(person.id, cohort.id) if person else None
        already = membership is not None and not (membership.role is Role.TRAINEE and invite.role is Role.TRAINER)
        return InviteCheck(invite, cohort, person, already)

    async def check_invite(self, token: str, telegram_id: int) -> InviteCheck:
        """Validate an invite for this person; raises DomainError; stores nothing."""
        async with self._db.unit_of_work() as uow:
            return await self._check(uow, token, telegram_id)

    async def register(self, *, token: str, telegram_id: int, full_name: str, town: str, locale: str) -> Joined:
        """Record consent, details and membership in one transaction (the invite is re-checked).

        The person's row is made (if new) and locked first: a second tap on the consent button waits for the first
        and is then told "already registered"."""
        if not 1 <= len(full_name) <= NAME_MAX or not key_fits(full_name):  # the columns' limits, whoever calls
            raise DomainError(Problem.NAME_INVALID, name=full_name)
        async with self._db.unit_of_work() as uow:
            now = self._clock()
            person = await uow.people.ensure(telegram_id, now, locale, lock=True)
            check = await self._check(uow, token, telegram_id)
            if check.already_member:
                raise DomainError(Problem.ALREADY_MEMBER, cohort=check.cohort.name)
            await uow.people.register(
                person.id,
                full_name=full_name,
                name_key=normalize_key(full_name),
                town=town[:TOWN_MAX],
                locale=locale,
                consent_at=now,
            )
            joined = await self._join(uow, check, person.id, telegram_id)
            await uow.commit()
        self._planned(joined)
        return joined

    async def join(self, *, token: str, telegram_id: int) -> Joined:
        """A registered person joins a further cohort (or a trainee becomes its trainer); locked like `register`."""
        async with self._db.unit_of_work() as uow:
            await uow.people.lock(telegram_id)
            check = await self._check(uow, token, telegram_id)
            if check.already_member:
                raise DomainError(Problem.ALREADY_MEMBER, cohort=check.cohort.name)
            if check.person is None or not check.person.is_registered:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            joined = await self._join(uow, check, check.person.id, telegram_id)
            await uow.commit()
        self._planned(joined)
        return joined

    def _planned(self, joined: Joined) -> None:
        if joined.lesson_planned and self._lessons is not None:
            self._lessons.on_planned()

    async def _join(self, uow: UnitOfWork, check: InviteCheck, person_id: int, telegram_id: int) -> Joined:
        if not await uow.invites.use(check.invite.id):
            raise DomainError(Problem.INVITE_USED_UP)
        existing = await uow.memberships.get(person_id, check.cohort.id)
        if existing is not None:  # a trainee of this cohort invited as its trainer
            await uow.memberships.set_role(existing.id, Role.TRAINER)
            return Joined(check.cohort, Role.TRAINER, role_upgraded=True)
        await uow.memberships.add(person_id, check.cohort.id, check.invite.role, self._clock())
        planned = False
        if check.invite.role is Role.TRAINEE and self._lessons is not None:
            planned = await self._lessons.plan_for_new_member(uow, person_id, telegram_id, check.cohort.id)
        return Joined(check.cohort, check.invite.role, lesson_planned=planned)
