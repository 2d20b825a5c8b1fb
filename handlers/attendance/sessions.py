"""Trainers: a cohort's sessions (/sessions). Adding one in chat: `handlers.attendance.new_session`; check-ins:
`handlers.attendance.checkin`."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, name
from handlers.attendance.cohorts import TRAINER, my_cohorts
from handlers.attendance.views import session_text
from handlers.core.context import BotContext
from handlers.core.registry import Command
from handlers.core.ui import reply
from handlers.problems import problem_text


async def list_sessions(update: Update, context: BotContext) -> None:
    cohorts = await my_cohorts(update, context, " ".join(context.args or []))
    if cohorts is None:
        return
    parts = []
    for cohort in cohorts:
        try:
            summary = await context.services.attendance_reports.summary(context.principal, cohort.id)
            sessions = await context.services.attendance.sessions(context.principal, cohort.id)
        except DomainError as error:  # no longer theirs
            await reply(update, problem_text(error))
            return
        stats = {stat.session.id: stat for stat in summary.held}
        lines: list[str] = [fmt(_("🗓 <b>Sessions of {cohort}</b>"), cohort=name(cohort.name))]
        if not sessions:
            lines.append(fmt(_("No sessions yet. Add one with {command}."), command=cmd("/session")))
        for session in sessions:
            line = "• " + session_text(session, cohort.timezone)
            if (stat := stats.get(session.id)) is not None:
                line += " — " + fmt(
                    _("attended {count} of {total} ({percent})"),
                    count=stat.attended,
                    total=stat.expected,
                    percent=ltr(f"{stat.percent or 0}%"),
                )
            elif session in summary.upcoming:
                line += " — " + _("upcoming")
            else:
                line += " — " + _("no attendance taken")
            lines.append(line)
        parts.append("\n".join(lines))
    await reply(update, "\n\n".join(parts))


SESSIONS = Command(("sessions",), TRAINER, list_sessions, menu=N_("A cohort's sessions: /sessions cohort"))
