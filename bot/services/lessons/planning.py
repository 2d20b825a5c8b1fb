"""Planning lessons into the outbox: each lesson as it falls due, tonight's nudge, a late joiner's current lesson,
a delivered lesson's quiz questions, and the alarms that wake the planner.

The schedule of record is the cohort (start date, time, rest days) and its curriculum; the planner turns what has
fallen due into outbox rows with unique keys, so planning twice never sends twice.
"""

from __future__ import annotations

import datetime as dt

from bot.services.lessons.base import LessonServiceBase
from bot.services.lessons.outbox_rows import LESSON, NUDGE, item_key, payload
from bot.services.lessons.schedule import LessonCalendar
from storage.dto import CohortDTO, CohortStatus, NewDelivery
from storage.uow import UnitOfWork

NUDGE_MIN_GAP = dt.timedelta(minutes=30)  # no evening nudge right on the heels of a lesson
NUDGE_CATCH_UP = dt.timedelta(hours=1)  # after downtime over the nudge time, nudges still go for an hour
JOIN_PAUSE = dt.timedelta(seconds=2)  # the welcome first, then the current lesson


class LessonPlanning(LessonServiceBase):
    """Puts lesson items in the outbox; the delivery engine sends them (after `sending` says send or skip)."""

    async def plan_due(self, now: dt.datetime | None = None) -> int:
        """Fan out every lesson that has fallen due and is not planned yet; returns the rows added."""
        now = now or self._clock()
        async with self._db.unit_of_work() as uow:
            cohorts = await uow.cohorts.active()
        added = 0
        for cohort in cohorts:
            added += await self._plan_cohort(cohort, now)
        if added:
            self.on_planned()
        return added

    async def _plan_cohort(self, cohort: CohortDTO, now: dt.datetime) -> int:
        curriculum = await self.curriculum_of(cohort)
        if curriculum is None:
            return 0
        calendar = LessonCalendar.from_cohort(cohort)
        released = calendar.released(now, len(curriculum.lessons))
        if released <= cohort.lessons_planned:
            return 0
        async with self._db.unit_of_work() as uow:
            recipients = await uow.memberships.recipients(cohort.id)
            items: list[NewDelivery] = []
            for number in range(cohort.lessons_planned + 1, released + 1):
                due, lesson = calendar.due_at(number), curriculum.lesson(number).id
                items += [
                    NewDelivery(
                        key=item_key(LESSON, cohort.id, number, r.person_id),
                        kind=LESSON,
                        person_id=r.person_id,
                        chat_id=r.telegram_id,
                        cohort_id=cohort.id,
                        due_at=due,
                        expires_at=due + self.settings.grace,
                        ref=lesson,
                        payload=payload(number, lesson),
                    )
                    for r in recipients
                    # older lessons only for who was there; the newest for everyone (a late joiner already has
                    # it under the same key, so nothing goes twice)
                    if number == released or r.joined_at <= due
                ]
            added = await uow.deliveries.plan(items, now)
            await uow.cohorts.advance_planned(cohort.id, released)
            await uow.commit()
        return added

    async def plan_nudges(self, now: dt.datetime | None = None) -> int:
        """Tonight's nudge for whoever got today's lesson but neither opened it nor answered its quiz."""
        now = now or self._clock()
        async with self._db.unit_of_work() as uow:
            cohorts = await uow.cohorts.active()
        added = 0
        for cohort in cohorts:
            window = await self._nudge_window(cohort, now)
            if window is None:
                continue
            number, lesson, nudge_at, day_end = window
            if not nudge_at <= now < min(day_end, nudge_at + NUDGE_CATCH_UP):
                continue
            async with self._db.unit_of_work() as uow:
                targets = await uow.progress.unengaged(cohort.id, lesson, delivered_before=nudge_at - NUDGE_MIN_GAP)
                items = [
                    NewDelivery(
                        key=item_key(NUDGE, cohort.id, number, person_id),
                        kind=NUDGE,
                        person_id=person_id,
                        chat_id=telegram_id,
                        cohort_id=cohort.id,
                        due_at=nudge_at,
                        expires_at=day_end,
                        ref=lesson,
                        payload=payload(number, lesson),
                    )
                    for person_id, telegram_id in targets
                ]
                added += await uow.deliveries.plan(items, now)
                await uow.commit()
        if added:
            self.on_planned()
        return added

    async def _nudge_window(
        self, cohort: CohortDTO, now: dt.datetime
    ) -> tuple[int, str, dt.datetime, dt.datetime] | None:
        """(lesson number, lesson id, nudge time, end of that local day) for the cohort's lesson today."""
        curriculum = await self.curriculum_of(cohort)
        if curriculum is None:
            return None
        calendar = LessonCalendar.from_cohort(cohort)
        number = calendar.number_on(calendar.local_day(now))
        if number is None or number > len(curriculum.lessons):
            return None
        nudge_at = calendar.at_on_day(number, cohort.nudge_time or self.settings.nudge_time)
        if nudge_at < calendar.due_at(number) + NUDGE_MIN_GAP:
            return None
        day_end = calendar.at_on_day(number, dt.time(23, 59, 59))
        return number, curriculum.lesson(number).id, nudge_at, day_end

    async def next_alarms(self, now: dt.datetime | None = None) -> list[tuple[str, int, dt.datetime]]:
        """(what, cohort id, when) for the JobQueue: each active cohort's next lesson and next nudge."""
        now = now or self._clock()
        async with self._db.unit_of_work() as uow:
            cohorts = await uow.cohorts.active()
        alarms: list[tuple[str, int, dt.datetime]] = []
        for cohort in cohorts:
            curriculum = await self.curriculum_of(cohort)
            if curriculum is None:
                continue
            calendar = LessonCalendar.from_cohort(cohort)
            upcoming = calendar.next_due(now, len(curriculum.lessons))
            if upcoming is not None:
                alarms.append((LESSON, cohort.id, upcoming[1]))
            for number in (upcoming[0] - 1, upcoming[0]) if upcoming else (len(curriculum.lessons),):
                if number < 1:
                    continue
                nudge_at = calendar.at_on_day(number, cohort.nudge_time or self.settings.nudge_time)
                if nudge_at > now and nudge_at >= calendar.due_at(number) + NUDGE_MIN_GAP:
                    alarms.append((NUDGE, cohort.id, nudge_at))
                    break
        return alarms

    async def plan_for_new_member(self, uow: UnitOfWork, person_id: int, telegram_id: int, cohort_id: int) -> bool:
        """A trainee who joins after the start gets the current lesson now (within the caller's transaction)."""
        cohort = await uow.cohorts.by_id(cohort_id)
        if cohort is None or cohort.status is not CohortStatus.ACTIVE:
            return False
        curriculum = await self.curriculum_of(cohort, uow)
        if curriculum is None:
            return False
        now = self._clock()
        number = LessonCalendar.from_cohort(cohort).released(now, len(curriculum.lessons))
        if number == 0:
            return False
        lesson = curriculum.lesson(number).id
        item = NewDelivery(
            key=item_key(LESSON, cohort_id, number, person_id),
            kind=LESSON,
            person_id=person_id,
            chat_id=telegram_id,
            cohort_id=cohort_id,
            due_at=now,
            expires_at=now + self.settings.grace,
            ref=lesson,
            payload=payload(number, lesson),
        )
        return await uow.deliveries.plan([item], now, not_before=now + JOIN_PAUSE) > 0

    async def plan_quiz(self, uow: UnitOfWork, person_id: int, chat_id: int, cohort_id: int, number: int) -> int:
        """After a lesson went out: its questions follow as polls (called in the engine's recording transaction)."""
        cohort = await uow.cohorts.by_id(cohort_id)
        curriculum = None if cohort is None else await self.curriculum_of(cohort, uow)
        if curriculum is None or number > len(curriculum.lessons):
            return 0
        lesson = curriculum.lesson(number)
        sent = await uow.quizzes.sent_questions(person_id, cohort_id, lesson.id)
        now = self._clock()
        items = [
            self._question(person_id, chat_id, cohort_id, number, lesson, index, now)
            for index in range(len(lesson.questions))
            if index not in sent
        ]
        return await uow.deliveries.plan(items, now, not_before=now + self.settings.quiz_delay)
