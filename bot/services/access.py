"""Who is writing: role and locale, resolved from the database by numeric Telegram id only; and the authority
checks services make themselves (`require_coordinator`, `require_manager`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, TypeAlias

from bot.i18n import resolve_locale
from bot.services.errors import DomainError, Problem
from storage.dto import PersonDTO, Role
from storage.uow import Database, UnitOfWork


class Audience(StrEnum):
    """What a command or button needs. Ordered by privilege, not by membership."""

    ANYONE = "anyone"
    TRAINEE = "trainee"
    TRAINER = "trainer"  # a trainer of some cohort, or a coordinator
    COORDINATOR = "coordinator"


@dataclass(frozen=True, slots=True)
class Principal:
    telegram_id: int
    locale: str
    person: PersonDTO | None = None
    is_coordinator: bool = False
    trainer_of: frozenset[int] = field(default_factory=frozenset)
    trainee_of: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_trainer(self) -> bool:
        return bool(self.trainer_of)

    @property
    def is_trainee(self) -> bool:
        return bool(self.trainee_of)

    def allows(self, audience: Audience) -> bool:
        if audience is Audience.ANYONE:
            return True
        if audience is Audience.TRAINEE:
            return self.is_trainee
        if audience is Audience.TRAINER:
            return self.is_trainer or self.is_coordinator
        return self.is_coordinator

    def can_manage(self, cohort_id: int) -> bool:
        """Coordinators manage every cohort; trainers only their own."""
        return self.is_coordinator or cohort_id in self.trainer_of

    def manageable(self) -> frozenset[int] | None:
        """Cohort ids this person may manage; None means all."""
        return None if self.is_coordinator else self.trainer_of


async def resolve_principal(
    uow: UnitOfWork, telegram_id: int, telegram_language: str | None, default_locale: str
) -> Principal:
    person = await uow.people.by_telegram_id(telegram_id)
    is_coordinator = await uow.coordinators.is_coordinator(telegram_id)
    trainer_of: set[int] = set()
    trainee_of: set[int] = set()
    if person is not None:
        for membership in await uow.memberships.for_person(person.id):
            (trainer_of if membership.role is Role.TRAINER else trainee_of).add(membership.cohort_id)
    locale = resolve_locale(person.locale if person else None, telegram_language, default_locale)
    return Principal(
        telegram_id=telegram_id,
        locale=locale,
        person=person,
        is_coordinator=is_coordinator,
        trainer_of=frozenset(trainer_of),
        trainee_of=frozenset(trainee_of),
    )


class AccessService:
    """The principal behind an update, each lookup in its own unit of work (handlers never open one)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def principal(
        self, telegram_id: int, telegram_language: str | None, default_locale: str, *, reading: bool = True
    ) -> Principal:
        """`reading`: a read-only unit of work (no write lock on SQLite), as access control needs on every update."""
        async with self._db.reading() if reading else self._db.unit_of_work() as uow:
            return await resolve_principal(uow, telegram_id, telegram_language, default_locale)


# ------------------------------------------------------------------------------------ authority in services
#
# The second line of defence: every privileged service operation receives who acts and re-reads their roles from the
# database inside its own unit of work, so a handler that forgets a check (or holds a stale Principal) cannot act.


class TelegramPerson(Protocol):
    """Someone acting in chat, known only by their numeric Telegram id (a `Principal` is one)."""

    @property
    def telegram_id(self) -> int: ...


@dataclass(frozen=True, slots=True)
class Operator:
    """The operator at the command line or in the container: they have the server, so they are trusted."""


OPERATOR = Operator()
Actor: TypeAlias = TelegramPerson | Operator


@dataclass(frozen=True, slots=True)
class Authority:
    """What the actor may do, as the database says inside the caller's unit of work (the operator: anything)."""

    telegram_id: int | None  # None: the operator
    person: PersonDTO | None
    is_coordinator: bool
    trainer_of: frozenset[int]

    @property
    def is_operator(self) -> bool:
        return self.telegram_id is None

    @property
    def is_staff(self) -> bool:
        """A coordinator, a trainer of some cohort, or the operator."""
        return self.is_coordinator or bool(self.trainer_of)

    def manages(self, cohort_id: int) -> bool:
        return self.is_coordinator or cohort_id in self.trainer_of

    def manageable(self) -> frozenset[int] | None:
        """Cohort ids the actor manages; None means all."""
        return None if self.is_coordinator else self.trainer_of


async def authority(uow: UnitOfWork, actor: Actor) -> Authority:
    """The actor's roles, read now in the caller's unit of work (never from a snapshot taken earlier in the update).
    The rows that grant them stay share-locked until it ends: a role removed meanwhile waits for the act it allowed."""
    if isinstance(actor, Operator):
        return Authority(None, None, is_coordinator=True, trainer_of=frozenset())
    telegram_id = actor.telegram_id
    person = await uow.people.by_telegram_id(telegram_id)
    trainer_of = await uow.memberships.trained_by(person.id) if person is not None else frozenset()
    return Authority(telegram_id, person, await uow.coordinators.holds(telegram_id), trainer_of)


async def require_coordinator(uow: UnitOfWork, actor: Actor) -> Authority:
    found = await authority(uow, actor)
    if not found.is_coordinator:
        raise DomainError(Problem.NOT_ALLOWED)
    return found


async def require_staff(uow: UnitOfWork, actor: Actor) -> Authority:
    """A trainer of some cohort or a coordinator (what they may see is then scoped to what they manage)."""
    found = await authority(uow, actor)
    if not found.is_staff:
        raise DomainError(Problem.NOT_ALLOWED)
    return found


async def require_manager(uow: UnitOfWork, actor: Actor, cohort_id: int) -> Authority:
    """A trainer of this cohort or a coordinator."""
    found = await authority(uow, actor)
    if not found.manages(cohort_id):
        raise DomainError(Problem.NOT_ALLOWED)
    return found


async def require_managers(uow: UnitOfWork, actor: Actor, cohort_ids: Iterable[int]) -> Authority:
    """A manager of every one of these cohorts."""
    found = await authority(uow, actor)
    if not all(found.manages(cohort_id) for cohort_id in cohort_ids):
        raise DomainError(Problem.NOT_ALLOWED)
    return found
