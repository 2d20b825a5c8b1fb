"""A person's own settings and data: language, blocked state, /mydata and /forgetme."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.services.clock import Clock, utc_now
from storage.dto import (
    CohortDTO,
    DeliveryState,
    LessonProgressDTO,
    MembershipDTO,
    PersonDTO,
    PersonStatus,
    QuizPollDTO,
)
from storage.persistence import forget_state
from storage.uow import Database


@dataclass(frozen=True, slots=True)
class MyData:
    telegram_id: int
    person: PersonDTO | None
    memberships: list[tuple[MembershipDTO, CohortDTO]]
    is_coordinator: bool
    lessons: list[LessonProgressDTO] = field(default_factory=list)
    answers: list[QuizPollDTO] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.person is None and not self.is_coordinator


class PeopleService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def set_locale(self, telegram_id: int, locale: str) -> None:
        """Remember a language choice; keeps only the id and the choice for someone not registered."""
        async with self._db.unit_of_work() as uow:
            person = await uow.people.ensure(telegram_id, self._clock(), locale)
            await uow.people.set_locale(person.id, locale)
            await uow.commit()

    async def set_reachable(self, telegram_id: int, reachable: bool) -> bool:
        """The bot was blocked or unblocked in a private chat; False when the person is unknown."""
        async with self._db.unit_of_work() as uow:
            changed = await uow.people.set_status(
                telegram_id, PersonStatus.ACTIVE if reachable else PersonStatus.BLOCKED
            )
            person = await uow.people.by_telegram_id(telegram_id) if not reachable else None
            if person is not None:  # nothing queued goes to someone who blocked the bot
                await uow.deliveries.close_pending_for(
                    person.id, DeliveryState.BLOCKED, "blocked the bot", self._clock()
                )
            await uow.commit()
        return changed

    async def my_data(self, telegram_id: int) -> MyData:
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            pairs: list[tuple[MembershipDTO, CohortDTO]] = []
            lessons: list[LessonProgressDTO] = []
            answers: list[QuizPollDTO] = []
            if person is not None:
                memberships = await uow.memberships.for_person(person.id)
                cohorts = {c.id: c for c in await uow.cohorts.by_ids([m.cohort_id for m in memberships])}
                pairs = [(m, cohorts[m.cohort_id]) for m in memberships if m.cohort_id in cohorts]
                lessons = await uow.progress.for_any(person.id)
                for cohort_id in cohorts:
                    answers += await uow.quizzes.for_person(person.id, cohort_id)
            is_coordinator = await uow.coordinators.is_coordinator(telegram_id)
        return MyData(telegram_id, person, pairs, is_coordinator, lessons, answers)

    async def forget(self, telegram_id: int) -> bool:
        """Delete the person, their memberships (cascade), saved flow state and role; False if nothing was kept.

        Aggregates that other features keep (counts, delivery totals) hold no person id and stay.
        """
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            if person is not None:
                await uow.deliveries.forget_person(person.id, self._clock())
                await uow.checkins.forget_chat(telegram_id)  # a check-in message they were shown
                await uow.broadcasts.forget_sender(person.id)
                await uow.people.delete(person.id)
            revoked = await uow.coordinators.revoke(telegram_id)
            await forget_state(uow.state, telegram_id)
            await uow.commit()
        return person is not None or revoked
