"""What trainees do with their lessons: open one, today's, the overview, Done and Later.

Authority comes from the database: the trainee must be a trainee member of the cohort and the lesson released.
"""

from __future__ import annotations

import datetime as dt

from bot.services.errors import DomainError, Problem
from bot.services.lessons.base import LessonServiceBase
from bot.services.lessons.curriculum import Lesson
from bot.services.lessons.outbox_rows import LATER, item_key, payload
from bot.services.lessons.results import LessonView, Overview, Today
from bot.services.lessons.schedule import LessonCalendar
from storage.dto import CohortDTO, NewDelivery, PersonDTO, Role
from storage.uow import UnitOfWork

SENT_DIRECTLY = "sent directly in a chat reply"
# A question claimed by a chat reply that has not arrived after this long is claimed again (that send failed).
REPLY_CLAIM_STALE = dt.timedelta(minutes=2)


class TraineeLessons(LessonServiceBase):
    """A trainee's lesson taps and commands; each owns its transaction."""

    async def _view(
        self, uow: UnitOfWork, person: PersonDTO, cohort: CohortDTO, number: int, *, claim_quiz: bool
    ) -> LessonView:
        curriculum = await self.curriculum_of(cohort, uow)
        if curriculum is None:
            raise DomainError(Problem.NO_CURRICULUM, cohort=cohort.name)
        released = LessonCalendar.from_cohort(cohort).released(self._clock(), len(curriculum.lessons))
        if not 1 <= number <= released:
            raise DomainError(Problem.LESSON_NOT_AVAILABLE, number=number)
        lesson = curriculum.lesson(number)
        now = self._clock()
        await uow.progress.opened(person.id, cohort.id, lesson.id, number, now)
        polls = [p for p in await uow.quizzes.for_person(person.id, cohort.id) if p.lesson == lesson.id]
        to_send: tuple[int, ...] = ()
        if claim_quiz:
            to_send = await self._claim_questions(uow, person, cohort.id, number, lesson, {p.question for p in polls})
        progress = (await uow.progress.for_person(person.id, cohort.id)).get(lesson.id)
        answered = [p for p in polls if p.answered_at is not None]
        return LessonView(
            cohort=cohort,
            curriculum=curriculum,
            number=number,
            released=released,
            progress=progress,
            to_send=to_send,
            answered=len(answered),
            correct=sum(1 for p in answered if p.correct),
        )

    async def _claim_questions(
        self, uow: UnitOfWork, person: PersonDTO, cohort_id: int, number: int, lesson: Lesson, sent: set[int]
    ) -> tuple[int, ...]:
        """Questions the chat reply should send itself: never sent, not on their way from the outbox, and claimed in
        this transaction so that a second tap at the same moment does not send them too."""
        now, claimed = self._clock(), []
        for index in range(len(lesson.questions)):
            if index in sent:
                continue
            item = self._question(person.id, person.telegram_id, cohort_id, number, lesson, index, now)
            if await uow.deliveries.take_for_reply(item, SENT_DIRECTLY, now, REPLY_CLAIM_STALE):
                claimed.append(index)
        return tuple(claimed)

    async def open(self, telegram_id: int, cohort_id: int, number: int) -> LessonView:
        """A trainee opens a released lesson (a button, /lessons): marked opened; unsent questions are claimed."""
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            cohort = await self._membership_cohort(uow, person, cohort_id)
            view = await self._view(uow, person, cohort, number, claim_quiz=True)
            await uow.commit()
        return view

    async def today(self, telegram_id: int) -> Today:
        """The current lesson of each of the trainee's cohorts (opened), or when the first one comes."""
        result = Today()
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            memberships = [m for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
            for cohort in await uow.cohorts.by_ids([m.cohort_id for m in memberships]):
                curriculum = await self.curriculum_of(cohort, uow)
                if curriculum is None:
                    result.without_curriculum.append(cohort)
                    continue
                calendar = LessonCalendar.from_cohort(cohort)
                released = calendar.released(self._clock(), len(curriculum.lessons))
                if released == 0:
                    result.upcoming.append((cohort, calendar.due_at(1)))
                    continue
                result.views.append(await self._view(uow, person, cohort, released, claim_quiz=True))
            await uow.commit()
        return result

    async def overview(self, telegram_id: int) -> list[Overview]:
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            memberships = [m for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
            result = []
            for cohort in await uow.cohorts.by_ids([m.cohort_id for m in memberships]):
                curriculum = await self.curriculum_of(cohort, uow)
                if curriculum is None:
                    continue
                released = LessonCalendar.from_cohort(cohort).released(self._clock(), len(curriculum.lessons))
                progress = await uow.progress.for_person(person.id, cohort.id)
                result.append(Overview(cohort, curriculum, released, progress))
        return result

    async def peek(self, telegram_id: int, cohort_id: int, number: int) -> LessonView | None:
        """The lesson as it stands, changing nothing; None when it is not this person's to see."""
        async with self._db.unit_of_work() as uow:
            try:
                person = await self._trainee(uow, telegram_id)
                cohort = await self._membership_cohort(uow, person, cohort_id)
                return await self._view(uow, person, cohort, number, claim_quiz=False)
            except DomainError:
                return None
            # no commit: the opened mark of _view is rolled back

    async def mark_done(self, telegram_id: int, cohort_id: int, number: int) -> bool:
        """True the first time; a repeated press changes nothing."""
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            cohort = await self._membership_cohort(uow, person, cohort_id)
            view = await self._view(uow, person, cohort, number, claim_quiz=False)
            first = await uow.progress.done(person.id, cohort_id, view.lesson.id, number, self._clock())
            await uow.commit()
        return first

    async def later(self, telegram_id: int, cohort_id: int, number: int) -> tuple[dt.datetime, bool]:
        """Send this lesson again after `later_delay`; (when, newly planned). Once per lesson."""
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            cohort = await self._membership_cohort(uow, person, cohort_id)
            curriculum = await self.curriculum_of(cohort, uow)
            released = (
                0
                if curriculum is None
                else LessonCalendar.from_cohort(cohort).released(self._clock(), len(curriculum.lessons))
            )
            if curriculum is None or not 1 <= number <= released:
                raise DomainError(Problem.LESSON_NOT_AVAILABLE, number=number)
            lesson, now = curriculum.lesson(number).id, self._clock()
            key = item_key(LATER, cohort_id, number, person.id)
            existing = await uow.deliveries.by_key(key)
            if existing is not None:
                return existing.due_at, False
            when = now + self.settings.later_delay
            item = NewDelivery(
                key=key,
                kind=LATER,
                person_id=person.id,
                chat_id=telegram_id,
                cohort_id=cohort_id,
                due_at=when,
                expires_at=when + self.settings.grace,
                ref=lesson,
                payload=payload(number, lesson),
            )
            if not await uow.deliveries.plan([item], now):  # planned by a second tap at the same moment
                raced = await uow.deliveries.by_key(key)
                return (raced.due_at if raced else when), False
            await uow.commit()
        self.on_planned()
        return when, True

    async def cohort_zone(self, cohort_id: int) -> str | None:
        """The cohort's time zone, to say when Later brings a lesson back; None when the cohort is gone."""
        async with self._db.unit_of_work() as uow:
            cohort = await uow.cohorts.by_id(cohort_id)
        return cohort.timezone if cohort else None
