"""The lesson items the delivery engine sends: lesson, later (the same lesson again), quiz question, evening nudge.

Each item is rendered at send time in the recipient's stored language, from what the database says then: someone
who left, a cohort that ended or a lesson that was removed is skipped with the reason, not sent.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from telegram import Bot
from telegram.constants import ParseMode

from bot.context import Services
from bot.curriculum import Curriculum
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import set_locale
from bot.services.lessons import LATER, LESSON, NUDGE, QUIZ
from bot.text import rtl_safe
from handlers.lesson_views import nudge_text, open_markup, send_lesson, send_question
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO, PersonDTO
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Item:
    person: PersonDTO
    cohort: CohortDTO
    curriculum: Curriculum
    number: int  # the lesson's place in the curriculum now (a re-import may have moved it)
    lesson: str
    question: int | None


class LessonItems:
    """Shared loading and checks; one subclass per kind."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def load(self, delivery: DeliveryDTO) -> Item:
        data = json.loads(delivery.payload)
        if delivery.person_id is None or delivery.cohort_id is None:
            raise Skip("person deleted their data")
        async with self.services.db.unit_of_work() as uow:
            person = await uow.people.by_id(delivery.person_id)
            cohort = await uow.cohorts.by_id(delivery.cohort_id)
            member = await uow.memberships.get(delivery.person_id, delivery.cohort_id) if person else None
        if person is None or member is None:
            raise Skip("no longer a member")
        if cohort is None or cohort.status is not CohortStatus.ACTIVE:
            raise Skip("cohort ended")
        curriculum = await self.services.lessons.curriculum_of(cohort)
        if curriculum is None:
            raise Skip("cohort has no curriculum")
        lesson_id = str(data["lesson"])
        number = next((n for n, lesson in enumerate(curriculum.lessons, 1) if lesson.id == lesson_id), None)
        if number is None:
            raise Skip("lesson removed from the curriculum")
        question = data.get("question")
        set_locale(person.locale or self.services.settings.bot_default_locale)
        return Item(person, cohort, curriculum, number, lesson_id, None if question is None else int(question))

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        return None

    def image_folder(self, curriculum_source: str | None) -> Path:
        """Local images sit beside the curriculum file; uploads (source "chat:…") use CURRICULUM_DIR."""
        if not curriculum_source or curriculum_source.startswith("chat:"):
            return self.services.settings.curriculum_dir
        return Path(curriculum_source).parent


class LessonKind(LessonItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = await self.load(delivery)
        async with self.services.db.unit_of_work() as uow:
            progress = await uow.progress.for_person(item.person.id, item.cohort.id)
            source = await uow.curricula.by_id(item.cohort.curriculum_id or 0)
        done = item.lesson in progress and progress[item.lesson].done_at is not None
        message = await send_lesson(
            bot,
            item.person.telegram_id,
            item.cohort.id,
            item.curriculum,
            item.number,
            done=done,
            image_folder=self.image_folder(source.source if source else None),
        )
        return Sent(message.message_id, {"lesson": item.lesson, "number": item.number})

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        """Delivered: recorded, and its quiz follows (at least QUIZ_DELAY_SECONDS later)."""
        assert delivery.person_id is not None and delivery.cohort_id is not None and delivery.chat_id is not None
        number, lesson = int(sent.extra["number"]), str(sent.extra["lesson"])
        await uow.progress.delivered(delivery.person_id, delivery.cohort_id, lesson, number, now)
        await self.services.lessons.plan_quiz(uow, delivery.person_id, delivery.chat_id, delivery.cohort_id, number)


class LaterKind(LessonItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = await self.load(delivery)
        async with self.services.db.unit_of_work() as uow:
            progress = await uow.progress.for_person(item.person.id, item.cohort.id)
        if item.lesson in progress and progress[item.lesson].done_at is not None:
            raise Skip("lesson already done")
        message = await send_lesson(
            bot, item.person.telegram_id, item.cohort.id, item.curriculum, item.number, reminder=True
        )
        return Sent(message.message_id)


class QuizKind(LessonItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = await self.load(delivery)
        lesson = item.curriculum.lesson(item.number)
        if item.question is None or item.question >= len(lesson.questions):
            raise Skip("question removed from the lesson")
        async with self.services.db.unit_of_work() as uow:
            sent = await uow.quizzes.sent_questions(item.person.id, item.cohort.id, item.lesson)
        if item.question in sent:
            raise Skip("question already sent")
        message, poll_id = await send_question(bot, item.person.telegram_id, lesson, item.question)
        correct = lesson.questions[item.question].correct
        return Sent(message.message_id, {"poll_id": poll_id, "lesson": item.lesson, "correct": list(correct)})

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        assert delivery.person_id is not None and delivery.cohort_id is not None
        data = json.loads(delivery.payload)
        await self.services.lessons.record_poll(
            uow,
            poll_id=str(sent.extra["poll_id"]),
            person_id=delivery.person_id,
            cohort_id=delivery.cohort_id,
            lesson=str(sent.extra["lesson"]),
            question=int(data["question"]),
            correct=tuple(int(option) for option in sent.extra["correct"]),
        )


class NudgeKind(LessonItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = await self.load(delivery)
        async with self.services.db.unit_of_work() as uow:
            waiting = {person for person, _chat in await uow.progress.unengaged(item.cohort.id, item.lesson)}
        if item.person.id not in waiting:
            raise Skip("lesson opened meanwhile")
        message = await bot.send_message(
            item.person.telegram_id,
            rtl_safe(nudge_text(item.curriculum, item.number)),
            parse_mode=ParseMode.HTML,
            reply_markup=open_markup(item.cohort.id, item.number),
        )
        return Sent(message.message_id)


def lesson_kinds(services: Services) -> dict[str, DeliveryKind]:
    return {
        LESSON: LessonKind(services),
        LATER: LaterKind(services),
        QUIZ: QuizKind(services),
        NUDGE: NudgeKind(services),
    }
