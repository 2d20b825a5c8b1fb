"""Who is writing: role and locale, resolved from the database by numeric Telegram id only."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.i18n import resolve_locale
from storage.dto import PersonDTO, Role
from storage.uow import UnitOfWork


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
