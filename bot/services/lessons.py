"""Daily lessons: planning them into the outbox, and what trainees do with them (open, done, later, quiz answers).

No Telegram here. The schedule of record is the cohort (start date, time, rest days) and its curriculum; the planner
turns what has fallen due into outbox rows with unique keys, so planning twice never sends twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.curriculum import Curriculum, Lesson
from bot.services.clock import Clock, utc_now
from bot.services.curricula import CurriculumService
from bot.services.errors import DomainError, Problem
from bot.services.schedule import LessonCalendar
from storage.dto import CohortDTO, CohortStatus, LessonProgressDTO, NewDelivery, PersonDTO, Role
from storage.uow import Database, UnitOfWork

LESSON, QUIZ, NUDGE, LATER = "lesson", "quiz", "nudge", "later"
LESSON_KINDS = (LESSON, QUIZ, NUDGE, LATER)
NUDGE_MIN_GAP = dt.timedelta(minutes=30)  # no evening nudge right on the heels of a lesson
NUDGE_CATCH_UP = dt.timedelta(hours=1)  # after downtime over the nudge time, nudges still go for an hour
JOIN_PAUSE = dt.timedelta(seconds=2)  # the welcome first, then the current lesson
SENT_DIRECTLY = "sent directly in a chat reply"
# A question claimed by a chat reply that has not arrived after this long is claimed again (that send failed).
REPLY_CLAIM_STALE = dt.timedelta(minutes=2)


@dataclass(frozen=True, slots=True)
class LessonSettings:
    grace: dt.timedelta = dt.timedelta(hours=6)
    nudge_time: dt.time = dt.time(21, 0)
    quiz_delay: dt.timedelta = dt.timedelta(seconds=2)
    later_delay: dt.timedelta = dt.timedelta(hours=2)


def item_key(kind: str, cohort_id: int, number: int, person_id: int, question: int | None = None) -> str:
    suffix = "" if question is None else f":{question}"
    return f"{kind}:{cohort_id}:{number}:{person_id}{suffix}"


def payload(number: int, lesson: str, question: int | None = None) -> str:
    data: dict[str, object] = {"number": number, "lesson": lesson}
    if question is not None:
        data["question"] = question
    return json.dumps(data)


@dataclass(frozen=True, slots=True)
class LessonView:
    """One lesson as a trainee sees it, with what they have done of it."""

    cohort: CohortDTO
    curriculum: Curriculum
    number: int
    released: int
    progress: LessonProgressDTO | None
    to_send: tuple[int, ...] = ()  # quiz questions to send with this view (not sent before)
    answered: int = 0
    correct: int = 0

    @property
    def lesson(self) -> Lesson:
        return self.curriculum.lesson(self.number)

    @property
    def total(self) -> int:
        return len(self.curriculum.lessons)

    @property
    def done(self) -> bool:
        return self.progress is not None and self.progress.done_at is not None


@dataclass(frozen=True, slots=True)
class Today:
    views: list[LessonView] = field(default_factory=list)
    upcoming: list[tuple[CohortDTO, dt.datetime]] = field(default_factory=list)  # not started: first lesson time
    without_curriculum: list[CohortDTO] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Overview:
    """A cohort's lessons for one trainee: how many are out, and what they did with each (by lesson id)."""

    cohort: CohortDTO
    curriculum: Curriculum
    released: int
    progress: dict[str, LessonProgressDTO]


@dataclass(frozen=True, slots=True)
class Answer:
    """A first answer to a quiz poll; `quiz_done` once every question of the lesson sent so far is answered."""

    cohort_id: int
    lesson: str
    correct: bool
    quiz_done: bool
    answered: int
    right: int
    questions: int


class LessonService:
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

    # ------------------------------------------------------------------------------------------ planning

    async def curriculum_of(self, cohort: CohortDTO, uow: UnitOfWork | None = None) -> Curriculum | None:
        """The cohort's curriculum; pass the open unit of work when there is one (never nest sessions)."""
        if cohort.curriculum_id is None:
            return None
        if uow is not None:
            return await self._curricula.load_in(uow, cohort.curriculum_id)
        return await self._curricula.load(cohort.curriculum_id)

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

    # ---------------------------------------------------------------------------------- what trainees do

    async def _trainee(self, uow: UnitOfWork, telegram_id: int) -> PersonDTO:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None or not person.is_registered:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        return person

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

    async def _membership_cohort(self, uow: UnitOfWork, person: PersonDTO, cohort_id: int) -> CohortDTO:
        membership = await uow.memberships.get(person.id, cohort_id)
        cohort = await uow.cohorts.by_id(cohort_id)
        if membership is None or membership.role is not Role.TRAINEE or cohort is None:  # a trainer's marks would
            raise DomainError(Problem.NOT_ALLOWED)  # count in the cohort's lesson statistics
        return cohort

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

    async def record_poll(
        self,
        uow: UnitOfWork,
        *,
        poll_id: str,
        person_id: int,
        cohort_id: int,
        lesson: str,
        question: int,
        correct: tuple[int, ...],
    ) -> None:
        await uow.quizzes.add(
            poll_id=poll_id,
            person_id=person_id,
            cohort_id=cohort_id,
            lesson=lesson,
            question=question,
            correct_options=correct,
            now=self._clock(),
        )

    async def record_sent_polls(
        self, telegram_id: int, cohort_id: int, lesson: str, polls: list[tuple[int, str, tuple[int, ...]]]
    ) -> None:
        """Polls a chat reply sent itself: (question index, poll id, correct options)."""
        async with self._db.unit_of_work() as uow:
            person = await self._trainee(uow, telegram_id)
            await self._membership_cohort(uow, person, cohort_id)
            for question, poll_id, correct in polls:
                await self.record_poll(
                    uow,
                    poll_id=poll_id,
                    person_id=person.id,
                    cohort_id=cohort_id,
                    lesson=lesson,
                    question=question,
                    correct=correct,
                )
            await uow.commit()

    async def record_answer(self, poll_id: str, telegram_id: int, options: tuple[int, ...]) -> Answer | None:
        """The first answer counts; an unknown poll, someone else's poll, a retraction or a repeat → None."""
        if not options:
            return None
        async with self._db.unit_of_work() as uow:
            person = await uow.people.lock(telegram_id)  # answers to one quiz arrive together: one at a time
            poll = await uow.quizzes.by_poll_id(poll_id)
            if poll is None or person is None or poll.person_id != person.id:
                return None
            correct = set(options) == set(poll.correct_options)
            now = self._clock()
            if not await uow.quizzes.answer(poll_id, options, correct, now):
                return None
            cohort = await uow.cohorts.by_id(poll.cohort_id)
            curriculum = None if cohort is None else await self.curriculum_of(cohort, uow)
            polls = [p for p in await uow.quizzes.for_person(person.id, poll.cohort_id) if p.lesson == poll.lesson]
            questions = len(polls)
            if curriculum is not None:
                lesson = next((item for item in curriculum.lessons if item.id == poll.lesson), None)
                questions = max(questions, len(lesson.questions)) if lesson else questions
            answered = [p for p in polls if p.answered_at is not None or p.poll_id == poll_id]
            right = sum(1 for p in answered if (p.correct if p.poll_id != poll_id else correct))
            await uow.commit()
        return Answer(
            cohort_id=poll.cohort_id,
            lesson=poll.lesson,
            correct=correct,
            quiz_done=len(answered) >= questions,
            answered=len(answered),
            right=right,
            questions=questions,
        )
