"""What every part of the lesson service shares: its settings, the cohort's curriculum, who may act on a lesson,
and the outbox row of one quiz question."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.curriculum import Curriculum, Lesson
from bot.services.lessons.outbox_rows import QUIZ, item_key, payload
from storage.dto import CohortDTO, NewDelivery, PersonDTO, Role
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class LessonSettings:
    grace: dt.timedelta = dt.timedelta(hours=6)
    nudge_time: dt.time = dt.time(21, 0)
    quiz_delay: dt.timedelta = dt.timedelta(seconds=2)
    later_delay: dt.timedelta = dt.timedelta(hours=2)


class LessonServiceBase:
    """The database, curricula, settings and clock that planning, sending, quizzes and trainees' actions share."""

    def __init__(
        self,
        db: Database,
        curricula: CurriculumService,
        settings: LessonSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._db = db
        self._curricula = curricula
        self.settings = settings or LessonSettings()
        self._clock = clock
        self.on_planned: Callable[[], None] = lambda: None  # the delivery engine's wake-up

    async def curriculum_of(self, cohort: CohortDTO, uow: UnitOfWork | None = None) -> Curriculum | None:
        """The cohort's curriculum; pass the open unit of work when there is one (never nest sessions)."""
        if cohort.curriculum_id is None:
            return None
        if uow is not None:
            return await self._curricula.load_in(uow, cohort.curriculum_id)
        return await self._curricula.load(cohort.curriculum_id)

    async def _trainee(self, uow: UnitOfWork, telegram_id: int) -> PersonDTO:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None or not person.is_registered:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        return person

    async def _membership_cohort(self, uow: UnitOfWork, person: PersonDTO, cohort_id: int) -> CohortDTO:
        membership = await uow.memberships.get(person.id, cohort_id)
        cohort = await uow.cohorts.by_id(cohort_id)
        if membership is None or membership.role is not Role.TRAINEE or cohort is None:  # a trainer's marks would
            raise DomainError(Problem.NOT_ALLOWED)  # count in the cohort's lesson statistics
        return cohort

    def _question(
        self, person_id: int, chat_id: int, cohort_id: int, number: int, lesson: Lesson, index: int, now: dt.datetime
    ) -> NewDelivery:
        return NewDelivery(
            key=item_key(QUIZ, cohort_id, number, person_id, index),
            kind=QUIZ,
            person_id=person_id,
            chat_id=chat_id,
            cohort_id=cohort_id,
            due_at=now,
            expires_at=now + self.settings.grace,
            ref=lesson.id,
            payload=payload(number, lesson.id, index),
        )
