"""Trainees and their lessons: /today, /lessons, /progress, the lesson buttons and quiz answers."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode

from bot.i18n import N_, _, current_locale, ngettext
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.services.lessons import LessonCalendar, LessonProgressDTO, LessonView, Progress, percent
from bot.text import cmd, fmt, local_datetime, local_time, name, progress_bar, rtl_safe
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.registry import Button, Command, Event
from handlers.core.ui import answer_callback, chat_id_of, reply, with_retries
from handlers.lessons.buttons import LESSON_PRESS, LessonPress
from handlers.lessons.views import PART_PAUSE_S, lesson_markup, quiz_summary, send_lesson, send_question
from handlers.problems import problem_text

log = logging.getLogger(__name__)

OPEN_BUTTONS_PER_ROW = 5


async def show_lesson(update: Update, context: BotContext, view: LessonView) -> None:
    """The lesson, then (a second apart) the quiz questions not sent before, each recorded as it goes."""
    bot, chat_id = context.bot, chat_id_of(update)
    await with_retries(lambda: send_lesson(bot, chat_id, view.cohort.id, view.curriculum, view.number, done=view.done))
    lesson = view.lesson
    for index in view.to_send:
        await asyncio.sleep(PART_PAUSE_S)  # the quiz a second after the lesson, as Telegram's per-chat pace asks
        _sent, poll_id = await with_retries(lambda index=index: send_question(bot, chat_id, lesson, index))  # type: ignore[misc]
        await context.services.lessons.record_sent_polls(
            chat_id, view.cohort.id, lesson.id, [(index, poll_id, lesson.questions[index].correct)]
        )
    if not view.to_send and view.answered:
        await reply(update, quiz_summary(view.correct, len(lesson.questions)))


async def today(update: Update, context: BotContext) -> None:
    try:
        result = await context.services.lessons.today(chat_id_of(update))
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    for cohort, first in result.upcoming:
        await reply(
            update,
            fmt(
                _("{cohort} has not started yet: the first lesson comes on {when}."),
                cohort=name(cohort.name),
                when=local_datetime(first, cohort.timezone),
            ),
        )
    for cohort in result.without_curriculum:
        await reply(update, fmt(_("The cohort {cohort} has no lessons yet."), cohort=name(cohort.name)))
    for view in result.views:
        await show_lesson(update, context, view)


def status_icon(progress: LessonProgressDTO | None) -> str:
    if progress is None or progress.delivered_at is None:
        return "⭕"
    if progress.done_at is not None:
        return "✅"
    return "👁" if progress.opened_at is not None else "📩"


async def list_lessons(update: Update, context: BotContext) -> None:
    try:
        overviews = await context.services.lessons.overview(chat_id_of(update))
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    if not overviews:
        await reply(update, _("You are not in a cohort with lessons yet."))
        return
    locale = current_locale()
    for overview in overviews:
        cohort, curriculum = overview.cohort, overview.curriculum
        calendar = LessonCalendar.from_cohort(cohort)
        lines: list[str] = [
            fmt("<b>{cohort}</b> · {title}", cohort=name(cohort.name), title=curriculum.title.get(locale))
        ]
        for number, lesson in enumerate(curriculum.lessons, 1):
            title = lesson.title.get(locale)
            if number <= overview.released:
                icon = status_icon(overview.progress.get(lesson.id))
                lines.append(fmt("{icon} {number}. {title}", icon=icon, number=number, title=title))
            else:
                when = local_datetime(calendar.due_at(number), cohort.timezone)
                lines.append(fmt("🔒 {number}. {title} — {when}", number=number, title=title, when=when))
        lines += ["", _("✅ done · 👁 opened · 📩 received · ⭕ missed · 🔒 coming. Tap a number to open a lesson.")]
        buttons = [
            InlineKeyboardButton(str(number), callback_data=LESSON_PRESS.encode(LessonPress("open", cohort.id, number)))
            for number in range(1, overview.released + 1)
        ]
        rows = [buttons[i : i + OPEN_BUTTONS_PER_ROW] for i in range(0, len(buttons), OPEN_BUTTONS_PER_ROW)]
        await reply(update, "\n".join(lines), InlineKeyboardMarkup(rows) if rows else None)


def progress_text(report: Progress) -> str:
    lines: list[str] = [fmt(_("📊 <b>Your progress in {cohort}</b>"), cohort=name(report.cohort.name))]
    if report.total:  # a cohort without lessons still shows its campaign posts and the rank
        lines += lesson_lines(report)
    lines.append(
        fmt(
            ngettext(
                "Rank: {rank} of {count} trainee (names are never shown)",
                "Rank: {rank} of {count} trainees (names are never shown)",
                report.ranked,
            ),
            rank=report.rank,
            count=report.ranked,
        )
    )
    if report.extra_done:
        lines.append(
            fmt(
                ngettext("Campaign posts done: {count}", "Campaign posts done: {count}", report.extra_done),
                count=report.extra_done,
            )
        )
    opened = percent(report.opened, report.released)
    if opened is not None:
        lines.append(fmt(_("Lessons opened: {percent}%"), percent=opened))
    return "\n".join(lines)


def lesson_lines(report: Progress) -> list[str]:
    lines: list[str] = []
    done_line = ngettext("{bar} {done} of {total} lesson done", "{bar} {done} of {total} lessons done", report.total)
    lines.append(fmt(done_line, bar=progress_bar(report.done, report.total), done=report.done, total=report.total))
    if report.answered:
        score = ngettext(
            "Quiz score: {percent}% ({correct} of {answered} answer correct)",
            "Quiz score: {percent}% ({correct} of {answered} answers correct)",
            report.answered,
        )
        lines.append(fmt(score, percent=report.score_percent or 0, correct=report.correct, answered=report.answered))
    else:
        lines.append(_("Quiz score: no answers yet."))
    streak = ngettext("Streak: {days} day in a row 🔥", "Streak: {days} days in a row 🔥", report.streak)
    lines.append(fmt(streak, days=report.streak) if report.streak else _("Streak: start one today!"))
    return lines


async def show_progress(update: Update, context: BotContext) -> None:
    try:
        reports = await context.services.lesson_stats.progress(chat_id_of(update))
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    if not reports:
        await reply(update, _("You are not in a cohort with lessons yet."))
        return
    await reply(update, "\n\n".join(progress_text(report) for report in reports))


async def lesson_button(update: Update, context: BotContext) -> None:
    """Authority comes from the database: the presser must be a member and the lesson released."""
    press = pressed(update, LESSON_PRESS)
    if press is None:
        await answer_callback(update, _("This button is no longer active."))
        return
    action, cohort_id, number = press.action, press.cohort_id, press.number
    lessons, user_id = context.services.lessons, chat_id_of(update)
    try:
        if action == "done":
            first = await lessons.mark_done(user_id, cohort_id, number)
            await answer_callback(update, _("Marked as done. Well done!") if first else _("Already marked as done."))
            await drop_done_buttons(update, context, cohort_id, number)
        elif action == "later":
            when, new = await lessons.later(user_id, cohort_id, number)
            zone = await lessons.cohort_zone(cohort_id) or context.services.settings.bot_timezone
            await answer_callback(update, later_text(when, zone, new), alert=True)
        else:  # "open"
            view = await lessons.open(user_id, cohort_id, number)
            await answer_callback(update)
            await show_lesson(update, context, view)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)


def later_text(when: dt.datetime, zone: str, new: bool) -> str:
    at = local_time(when.astimezone(ZoneInfo(zone)).time())
    if new:
        return fmt(_("All right: I will send this lesson again at {time}."), time=at)
    return fmt(_("This lesson is already coming back at {time}."), time=at)


async def drop_done_buttons(update: Update, context: BotContext, cohort_id: int, number: int) -> None:
    """The pressed lesson keeps its links but loses Done/Later; an old message that cannot be edited stays."""
    query = update.callback_query
    assert query is not None
    if not isinstance(query.message, Message):
        return
    view = await context.services.lessons.peek(chat_id_of(update), cohort_id, number)
    if view is None:
        return
    markup = lesson_markup(cohort_id, number, view.lesson, done=True)
    try:
        await with_retries(lambda: query.edit_message_reply_markup(markup if markup.inline_keyboard else None))
    except Exception:  # a message too old to edit, or already without buttons: the toast said it
        log.info("lesson buttons left as they were")


async def poll_answered(update: Update, context: BotContext) -> None:
    answer = update.poll_answer
    if answer is None or answer.user is None:
        return
    result = await context.services.lessons.record_answer(answer.poll_id, answer.user.id, tuple(answer.option_ids))
    if result is None or not result.quiz_done:
        return  # unknown poll, a repeat, or more questions to come
    text = quiz_summary(result.right, result.questions)
    text += "\n" + fmt(_("See your progress with {command}."), command=cmd("/progress"))
    user_id = answer.user.id
    await with_retries(lambda: context.bot.send_message(user_id, rtl_safe(text), parse_mode=ParseMode.HTML))


TRAINEE = Audience.TRAINEE
TODAY = Command(("today",), TRAINEE, today, menu=N_("Today's lesson and quiz"))
LESSONS = Command(("lessons",), TRAINEE, list_lessons, menu=N_("All your lessons; open any you missed"))
PROGRESS = Command(("progress",), TRAINEE, show_progress, menu=N_("Your lessons done, quiz score and streak"))
LESSON_BUTTON = Button.of(LESSON_PRESS, TRAINEE, lesson_button)
# A quiz answer counts only for a poll the bot sent to that very person (checked in the service).
QUIZ_ANSWER = Event("quiz answer", Audience.ANYONE, poll_answered, "poll_answer")
