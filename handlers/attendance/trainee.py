"""Attendance for trainees: check in with a code (/checkin 1234, or just the digits) or the QR's deep link
(/start ci_<token>), and /myattendance."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.i18n import N_, _
from bot.services.access import Audience
from bot.services.attendance import ATTENDED, CHECKIN_PREFIX
from bot.services.attendance.reports import MyCohort, percent
from bot.services.errors import DomainError
from bot.text import fmt, ltr, name
from handlers.attendance.views import ICONS, ask_code_text, result_text, session_text, status_name
from handlers.core.common import anything_else
from handlers.core.context import BotContext
from handlers.core.registry import Command, Typed
from handlers.core.ui import chat_id_of, reply
from handlers.problems import problem_text

# A message that is only a 4-6 digit code, in any digits (Arabic-Indic ٠-٩, Persian ۰-۹).
CODE_MESSAGE = r"^\s*[0-9\u0660-\u0669\u06f0-\u06f9]{4,6}\s*$"
LINK_PAYLOAD = rf"^/start(@\w+)?\s+{CHECKIN_PREFIX}[A-Za-z0-9_-]+\s*$"


async def check_in_with_code(update: Update, context: BotContext, code: str) -> None:
    try:
        result = await context.services.attendance.check_in_code(chat_id_of(update), code)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await reply(update, result_text(result))


async def checkin_command(update: Update, context: BotContext) -> None:
    """/checkin [code]."""
    code = "".join(context.args or [])
    if not code:
        await reply(update, ask_code_text(context.services.attendance.settings.code_digits))
        return
    await check_in_with_code(update, context, code)


async def code_message(update: Update, context: BotContext) -> None:
    """Digits alone: a check-in code from a trainee; from anyone else, the usual "I didn't understand"."""
    if not context.principal.is_trainee:
        await anything_else(update, context)
        return
    text = update.message.text if update.message and update.message.text else ""
    await check_in_with_code(update, context, text)


async def checkin_link(update: Update, context: BotContext) -> None:
    """/start ci_<token>: the QR code of a check-in, scanned with the phone's camera."""
    token = (context.args or [""])[0].removeprefix(CHECKIN_PREFIX)
    try:
        result = await context.services.attendance.check_in_link(chat_id_of(update), token)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await reply(update, result_text(result))


def my_cohort_text(mine: MyCohort) -> str:
    zone = mine.cohort.timezone
    attended = sum(1 for _session, status in mine.sessions if status in ATTENDED)
    lines: list[str] = [fmt(_("📋 <b>Your attendance in {cohort}</b>"), cohort=name(mine.cohort.name))]
    if mine.sessions:
        share = percent(attended, len(mine.sessions))
        lines.append(
            fmt(
                _("Sessions you came to: {attended} of {count} ({percent})."),
                attended=attended,
                count=len(mine.sessions),
                percent=ltr(f"{share}%"),
            )
        )
    else:
        lines.append(_("No session has been held yet."))
    for session, status in mine.sessions:
        lines.append(
            fmt(
                "{icon} {session} — {status}",
                icon=ICONS[status],
                session=session_text(session, zone),
                status=status_name(status),
            )
        )
    if mine.upcoming:
        lines.append(fmt(_("Next session: {session}"), session=session_text(mine.upcoming[0], zone)))
    return "\n".join(lines)


async def my_attendance(update: Update, context: BotContext) -> None:
    try:
        cohorts = await context.services.attendance_reports.mine(chat_id_of(update))
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await reply(update, "\n\n".join(my_cohort_text(mine) for mine in cohorts) or _("No session has been held yet."))


# The QR's deep link arrives as /start: open to anyone, the service admits only the cohort's trainees.
CHECKIN_LINK = Command(("start",), Audience.ANYONE, checkin_link, when=filters.Regex(LINK_PAYLOAD), has_args=True)
CHECKIN = Command(("checkin",), Audience.TRAINEE, checkin_command, menu=N_("Check in to a session: /checkin code"))
MY_ATTENDANCE = Command(("myattendance",), Audience.TRAINEE, my_attendance, menu=N_("Your attendance at the sessions"))
# Digits alone: from a trainee a check-in code, from anyone else the usual "I didn't understand".
CODE_MESSAGE_TYPED = Typed("check-in code", Audience.ANYONE, code_message, filters.TEXT & filters.Regex(CODE_MESSAGE))
