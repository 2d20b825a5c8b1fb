"""The lesson outbox kinds as the delivery engine sends them: lesson, later (the same lesson again), quiz question,
evening nudge.

The service decides first (bot/services/lessons/sending.py: still a member, cohort active, lesson still in the
curriculum, not done or sent meanwhile …); a skip is recorded with its reason, and what is to be sent is rendered
here with views.py in the recipient's stored language. What sending records (progress, the quiz that follows, the
poll) is the service's too, in the engine's transaction.
"""

from __future__ import annotations

from pathlib import Path

from telegram import Bot
from telegram.constants import ParseMode

from bot.context import Services
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import set_locale
from bot.services.lessons import LATER, LESSON, NUDGE, QUIZ, DeliveryDTO, Skipped, ToSend
from bot.text import rtl_safe
from handlers.lessons.views import nudge_text, open_markup, send_lesson, send_question


class LessonOutboxKind:
    """Shared by the four kinds: the service's decision in the recipient's language, or a skip."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.lessons = services.lessons
        self.on_sent = self.lessons.nothing_to_record  # what sending changes: the service's, per kind

    def to_send(self, decision: ToSend | Skipped) -> ToSend:
        if isinstance(decision, Skipped):
            raise Skip(decision.reason)
        set_locale(decision.locale or self.services.settings.bot_default_locale)
        return decision

    def image_folder(self, curriculum_source: str | None) -> Path:
        """Local images sit beside the curriculum file; uploads (source "chat:…") use CURRICULUM_DIR."""
        if not curriculum_source or curriculum_source.startswith("chat:"):
            return self.services.settings.curriculum_dir
        return Path(curriculum_source).parent


class LessonKind(LessonOutboxKind):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.on_sent = self.lessons.lesson_sent  # recorded as delivered; its quiz follows

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = self.to_send(await self.lessons.lesson_to_send(delivery))
        message = await send_lesson(
            bot,
            item.telegram_id,
            item.cohort_id,
            item.curriculum,
            item.number,
            done=item.done,
            image_folder=self.image_folder(item.curriculum_source),
        )
        return Sent(message.message_id, item.recorded)


class LaterKind(LessonOutboxKind):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = self.to_send(await self.lessons.later_to_send(delivery))
        message = await send_lesson(bot, item.telegram_id, item.cohort_id, item.curriculum, item.number, reminder=True)
        return Sent(message.message_id)


class QuizKind(LessonOutboxKind):
    def __init__(self, services: Services) -> None:
        super().__init__(services)
        self.on_sent = self.lessons.question_sent  # the poll recorded, so that its answer counts

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = self.to_send(await self.lessons.question_to_send(delivery))
        assert item.question is not None
        message, poll_id = await send_question(bot, item.telegram_id, item.lesson, item.question)
        return Sent(message.message_id, {**item.recorded, "poll_id": poll_id})


class NudgeKind(LessonOutboxKind):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        item = self.to_send(await self.lessons.nudge_to_send(delivery))
        message = await bot.send_message(
            item.telegram_id,
            rtl_safe(nudge_text(item.curriculum, item.number)),
            parse_mode=ParseMode.HTML,
            reply_markup=open_markup(item.cohort_id, item.number),
        )
        return Sent(message.message_id)


def lesson_kinds(services: Services) -> dict[str, DeliveryKind]:
    return {
        LESSON: LessonKind(services),
        LATER: LaterKind(services),
        QUIZ: QuizKind(services),
        NUDGE: NudgeKind(services),
    }
