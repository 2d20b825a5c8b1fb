"""How a lesson, its quiz and its nudge look in a chat: shared by chat replies and the delivery engine.

Texts come from the curriculum in the reader's language; the frame around them goes through gettext.
"""

from __future__ import annotations

import asyncio
import html
from pathlib import Path
from typing import TYPE_CHECKING, cast

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, Message, Poll
from telegram.constants import ParseMode

from bot.i18n import _, current_locale, ngettext
from bot.services.lessons.curriculum import Curriculum, Lesson
from bot.text import fmt, rtl_safe, split_message
from handlers.lessons.buttons import LESSON_PRESS, LessonPress

if TYPE_CHECKING:
    from telegram._utils.types import CorrectOptionID

PART_PAUSE_S = 1.0  # two messages to one chat: a second apart, as Telegram asks


def lesson_text(curriculum: Curriculum, number: int, *, reminder: bool = False) -> str:
    locale = current_locale()
    lesson = curriculum.lesson(number)
    header = fmt(
        _("Lesson {number} of {total}: {title}"),
        number=number,
        total=len(curriculum.lessons),
        title=lesson.title.get(locale),
    )
    lines = []
    if reminder:
        lines.append(_("⏰ You asked to be reminded of this lesson."))
    lines += [f"📘 <b>{header}</b>", "", lesson.prompt.get(locale), "", "✍️ <b>" + _("Today's task") + "</b>"]
    lines.append(html.escape(lesson.task.get(locale), quote=False))
    return "\n".join(lines)


def lesson_markup(cohort_id: int, number: int, lesson: Lesson, *, done: bool) -> InlineKeyboardMarkup:
    """Done and Later (while not done), then one button per link."""
    locale = current_locale()
    rows: list[list[InlineKeyboardButton]] = []
    if not done:
        done_data = LESSON_PRESS.encode(LessonPress("done", cohort_id, number))
        later_data = LESSON_PRESS.encode(LessonPress("later", cohort_id, number))
        rows.append(
            [
                InlineKeyboardButton("✅ " + _("Done"), callback_data=done_data),
                InlineKeyboardButton("⏰ " + _("Later"), callback_data=later_data),
            ]
        )
    rows += [[InlineKeyboardButton("🔗 " + link.label.get(locale), url=link.url)] for link in lesson.links]
    return InlineKeyboardMarkup(rows)


async def send_lesson(
    bot: Bot,
    chat_id: int,
    cohort_id: int,
    curriculum: Curriculum,
    number: int,
    *,
    done: bool = False,
    reminder: bool = False,
    image_folder: Path | None = None,
) -> Message:
    """The lesson as one message when it fits (split at 4096 otherwise); buttons on the last part.

    An https image shows as the large preview above the text; a local image goes first as a photo."""
    lesson = curriculum.lesson(number)
    parts = split_message(rtl_safe(lesson_text(curriculum, number, reminder=reminder)))
    preview = LinkPreviewOptions(is_disabled=True)
    if lesson.image and lesson.image.startswith("https://"):
        preview = LinkPreviewOptions(url=lesson.image, prefer_large_media=True, show_above_text=True)
    elif lesson.image and image_folder is not None and (image_folder / lesson.image).is_file():
        await bot.send_photo(chat_id, (image_folder / lesson.image).read_bytes())
        await asyncio.sleep(PART_PAUSE_S)
    message: Message | None = None
    for index, part in enumerate(parts):
        if index:
            await asyncio.sleep(PART_PAUSE_S)
        last = index == len(parts) - 1
        message = await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            link_preview_options=preview if index == 0 else LinkPreviewOptions(is_disabled=True),
            reply_markup=lesson_markup(cohort_id, number, lesson, done=done) if last else None,
        )
    assert message is not None
    return message


async def send_question(bot: Bot, chat_id: int, lesson: Lesson, index: int) -> tuple[Message, str]:
    """One quiz question as a native quiz poll (not anonymous, so its answers reach the bot); returns the poll id."""
    locale = current_locale()
    question = lesson.questions[index]
    message = await bot.send_poll(
        chat_id,
        question.question.get(locale),
        [option.get(locale) for option in question.options],
        type=Poll.QUIZ,
        is_anonymous=False,
        allows_multiple_answers=question.multiple,
        correct_option_ids=cast("list[CorrectOptionID]", list(question.correct)),
        explanation=question.explanation.get(locale),
    )
    assert message.poll is not None
    return message, message.poll.id


def nudge_text(curriculum: Curriculum, number: int) -> str:
    lesson = curriculum.lesson(number)
    return fmt(
        _("🔔 Today's lesson is waiting for you: {title}. It takes about three minutes, and its quiz even less."),
        title=lesson.title.get(current_locale()),
    )


def open_markup(cohort_id: int, number: int) -> InlineKeyboardMarkup:
    data = LESSON_PRESS.encode(LessonPress("open", cohort_id, number))
    return InlineKeyboardMarkup([[InlineKeyboardButton("📖 " + _("Open the lesson"), callback_data=data)]])


def quiz_summary(right: int, questions: int) -> str:
    template = ngettext(
        "Quiz done: {right} of {questions} question correct.",
        "Quiz done: {right} of {questions} questions correct.",
        questions,
    )
    return fmt(template, right=right, questions=questions)
