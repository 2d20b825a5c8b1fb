"""Send or skip: the decision for each lesson outbox item when it falls due, and what its sending records.

How a lesson reaches a trainee: `planning` puts a row in the outbox; the delivery engine (bot/delivery) claims it when
due and hands it to the lessons' outbox kind (handlers/lessons/outbox_kinds.py), which asks this service first.
Someone who left, a cohort that ended, a lesson removed from the curriculum, a lesson already done, a question
already sent … is skipped with the reason; otherwise the kind renders `ToSend` and the engine records `lesson_sent`
or `question_sent` in the transaction that marks the row sent.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

from bot.services.lessons.curriculum import Curriculum, Lesson
from bot.services.lessons.planning import LessonPlanning
from bot.services.lessons.quizzes import QuizAnswers
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO, PersonDTO
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing (any more) to send; `reason` is recorded in English (translated where it is shown)."""

    reason: str


@dataclass(frozen=True, slots=True)
class ToSend:
    """One lesson item to send now, as the database says it is at this moment."""

    telegram_id: int
    locale: str | None  # the recipient's stored language (None: the bot's default)
    cohort_id: int
    curriculum: Curriculum
    number: int  # the lesson's place in the curriculum now (a re-import may have moved it)
    question: int | None = None  # a quiz item's question
    done: bool = False  # a lesson already marked done goes without its Done/Later buttons
    curriculum_source: str | None = None  # where a lesson's local images sit (see the renderer)

    @property
    def lesson(self) -> Lesson:
        return self.curriculum.lesson(self.number)

    @property
    def recorded(self) -> dict[str, Any]:
        """What `lesson_sent` / `question_sent` need back from the send (the renderer adds the poll id)."""
        recorded: dict[str, Any] = {"lesson": self.lesson.id, "number": self.number}
        if self.question is not None:
            recorded["correct"] = list(self.lesson.questions[self.question].correct)
        return recorded


class SentMessage(Protocol):
    """What the delivery engine hands back after a send (its `Sent`)."""

    @property
    def extra(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True, slots=True)
class _Due:
    """An item that passed the shared checks: its person and cohort as they are now."""

    person: PersonDTO
    cohort: CohortDTO
    item: ToSend


class LessonSending(LessonPlanning, QuizAnswers):
    """Sending plans a lesson's quiz and records its polls: hence planning and quizzes underneath."""

    async def _due(self, uow: UnitOfWork, delivery: DeliveryDTO) -> _Due | Skipped:
        """The checks every lesson kind shares: still a member of an active cohort whose curriculum has the lesson."""
        if delivery.person_id is None or delivery.cohort_id is None:
            return Skipped("person deleted their data")
        person = await uow.people.by_id(delivery.person_id)
        cohort = await uow.cohorts.by_id(delivery.cohort_id)
        member = await uow.memberships.get(delivery.person_id, delivery.cohort_id) if person else None
        if person is None or member is None:
            return Skipped("no longer a member")
        if cohort is None or cohort.status is not CohortStatus.ACTIVE:
            return Skipped("cohort ended")
        curriculum = await self.curriculum_of(cohort, uow)
        if curriculum is None:
            return Skipped("cohort has no curriculum")
        data = json.loads(delivery.payload)
        lesson_id = str(data["lesson"])
        number = next((n for n, lesson in enumerate(curriculum.lessons, 1) if lesson.id == lesson_id), None)
        if number is None:
            return Skipped("lesson removed from the curriculum")
        question = None if data.get("question") is None else int(data["question"])
        item = ToSend(person.telegram_id, person.locale, cohort.id, curriculum, number, question)
        return _Due(person, cohort, item)

    async def _is_done(self, uow: UnitOfWork, due: _Due) -> bool:
        progress = (await uow.progress.for_person(due.person.id, due.cohort.id)).get(due.item.lesson.id)
        return progress is not None and progress.done_at is not None

    async def lesson_to_send(self, delivery: DeliveryDTO) -> ToSend | Skipped:
        """A lesson falling due (or a late joiner's current one); one already done goes without Done/Later."""
        async with self._db.unit_of_work() as uow:
            due = await self._due(uow, delivery)
            if isinstance(due, Skipped):
                return due
            done = await self._is_done(uow, due)
            source = await uow.curricula.by_id(due.cohort.curriculum_id or 0)
        return replace(due.item, done=done, curriculum_source=source.source if source else None)

    async def later_to_send(self, delivery: DeliveryDTO) -> ToSend | Skipped:
        """The lesson again, as its trainee asked with Later, unless they marked it done meanwhile."""
        async with self._db.unit_of_work() as uow:
            due = await self._due(uow, delivery)
            if isinstance(due, Skipped):
                return due
            if await self._is_done(uow, due):
                return Skipped("lesson already done")
        return due.item

    async def question_to_send(self, delivery: DeliveryDTO) -> ToSend | Skipped:
        """One quiz question after its lesson, unless the lesson lost it or a chat reply sent it already."""
        async with self._db.unit_of_work() as uow:
            due = await self._due(uow, delivery)
            if isinstance(due, Skipped):
                return due
            question = due.item.question
            if question is None or question >= len(due.item.lesson.questions):
                return Skipped("question removed from the lesson")
            sent = await uow.quizzes.sent_questions(due.person.id, due.cohort.id, due.item.lesson.id)
        if question in sent:
            return Skipped("question already sent")
        return due.item

    async def nudge_to_send(self, delivery: DeliveryDTO) -> ToSend | Skipped:
        """Tonight's nudge, unless the lesson was opened or its quiz answered meanwhile."""
        async with self._db.unit_of_work() as uow:
            due = await self._due(uow, delivery)
            if isinstance(due, Skipped):
                return due
            waiting = {person for person, _chat in await uow.progress.unengaged(due.cohort.id, due.item.lesson.id)}
        if due.person.id not in waiting:
            return Skipped("lesson opened meanwhile")
        return due.item

    async def lesson_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: SentMessage, now: dt.datetime) -> None:
        """Delivered: recorded, and its quiz follows (at least `quiz_delay` later); in the engine's transaction."""
        assert delivery.person_id is not None and delivery.cohort_id is not None and delivery.chat_id is not None
        number, lesson = int(sent.extra["number"]), str(sent.extra["lesson"])
        await uow.progress.delivered(delivery.person_id, delivery.cohort_id, lesson, number, now)
        await self.plan_quiz(uow, delivery.person_id, delivery.chat_id, delivery.cohort_id, number)

    async def question_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: SentMessage, now: dt.datetime) -> None:
        """The poll is recorded, so that its answer counts; in the engine's transaction."""
        assert delivery.person_id is not None and delivery.cohort_id is not None
        await self.record_poll(
            uow,
            poll_id=str(sent.extra["poll_id"]),
            person_id=delivery.person_id,
            cohort_id=delivery.cohort_id,
            lesson=str(sent.extra["lesson"]),
            question=int(json.loads(delivery.payload)["question"]),
            correct=tuple(int(option) for option in sent.extra["correct"]),
        )

    async def nothing_to_record(
        self, uow: UnitOfWork, delivery: DeliveryDTO, sent: SentMessage, now: dt.datetime
    ) -> None:
        """A nudge or a Later reminder changes nothing once sent."""
