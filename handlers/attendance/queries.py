"""Trainers and coordinators: /attendance.

- `/attendance` — the cohorts overview (coordinators: every cohort; trainers: their own): sessions held and the
  average attendance, with a button to open each.
- `/attendance <cohort>` — its figures and chart (`handlers.attendance.reports`). The cohort is the longest leading
  run of words naming one, so names may have spaces.
- `/attendance <cohort> <session or date>` — one session's names by state: the session by its number among the held
  ones, by date (any digits: 2026-12-03, 3/12/2026, ٢٠٢٦-١٢-٠٣) or by title; several on that date: a choice.
"""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.i18n import N_, _, current_locale
from bot.services.access import Audience
from bot.services.attendance import CohortDTO, CohortStatus
from bot.services.attendance.exports import export_name, session_csv
from bot.services.attendance.lookup import By, SessionLookup, find_sessions
from bot.services.attendance.reports import CohortOverview, DetailEntry, SessionDetail
from bot.services.errors import DomainError
from bot.text import cmd, fmt, local_date, ltr, name
from handlers.attendance.buttons import COHORT_REPORT, SESSION_DETAIL, CohortReport, SessionPick
from handlers.attendance.cohorts import MAX_CHOICES, choice_label, named_cohort, stale
from handlers.attendance.reports import MAX_TRAINEE_LINES, send_summary, share, today
from handlers.attendance.views import ICONS, session_text, status_name
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, reply, reply_document
from handlers.problems import problem_text

MAX_COHORT_BUTTONS = 30


async def attendance_command(update: Update, context: BotContext) -> None:
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await send_overview(update, context)
        return
    found = await named_cohort(update, context, wanted)
    if found is None:
        return
    cohort, rest = found
    if not rest:
        await send_summary(update, context, cohort.id)
        return
    await send_session_query(update, context, cohort, rest)


# ------------------------------------------------------------------------------------------------- overview


def overview_line(item: CohortOverview) -> str:
    line = fmt(
        _("• {cohort}: sessions held: {held} · average attendance: {percent} · trainees: {trainees}"),
        cohort=name(item.cohort.name),
        held=item.held,
        percent=share(item.percent),
        trainees=item.trainees,
    )
    return line + (" " + _("(ended)") if item.cohort.status is not CohortStatus.ACTIVE else "")


def overview_text(overview: list[CohortOverview], everyone: bool) -> str:
    title = _("📊 <b>Attendance · all cohorts</b>") if everyone else _("📊 <b>Attendance · your cohorts</b>")
    lines = [title, "", *(overview_line(item) for item in overview), ""]
    lines.append(
        fmt(_("Tap a cohort for its figures and chart, or send {command} and its name."), command=cmd("/attendance"))
    )
    return "\n".join(lines)


async def send_overview(update: Update, context: BotContext) -> None:
    overview = await context.services.attendance_reports.overview(context.principal)
    if not overview:
        await reply(update, _("You have no cohorts yet."))
        return
    rows = [
        [(item.cohort.name[:40], COHORT_REPORT.encode(CohortReport("s", item.cohort.id)))]
        for item in overview[:MAX_COHORT_BUTTONS]
    ]
    await reply(update, overview_text(overview, context.principal.is_coordinator), buttons(rows))


# ---------------------------------------------------------------------------------------------- one session


def not_found_text(lookup: SessionLookup, cohort: CohortDTO, held: int) -> str:
    values = {"cohort": name(cohort.name), "command": cmd("/attendance")}
    if lookup.by is By.NUMBER:
        return fmt(
            _(
                "{cohort} has no session number {number} (sessions held: {held}). Send {command} and the cohort's "
                "name to see them numbered."
            ),
            number=lookup.number if lookup.number is not None else ltr(lookup.text[:12] + "…"),
            held=held,
            **values,
        )
    if lookup.by is By.DATE and lookup.day is not None:
        return fmt(_("{cohort} has no session on {date}."), date=local_date(lookup.day), **values)
    return fmt(
        _("{cohort} has no session called {title}. Send {command} and the cohort's name to see its sessions."),
        title=name(lookup.text),
        **values,
    )


async def send_session_query(update: Update, context: BotContext, cohort: CohortDTO, text: str) -> None:
    try:
        sessions, held = await context.services.attendance_reports.sessions_of(context.principal, cohort.id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    lookup = find_sessions(text, sessions, held, cohort.timezone)
    if not lookup.sessions:
        await reply(update, not_found_text(lookup, cohort, len(held)))
        return
    if len(lookup.sessions) == 1:
        await send_detail(update, context, lookup.sessions[0].id)
        return
    rows = [
        [(choice_label(s, cohort), SESSION_DETAIL.encode(SessionPick(s.id)))] for s in lookup.sessions[:MAX_CHOICES]
    ]
    await reply(
        update, fmt(_("Several sessions of {cohort} match. Which one?"), cohort=name(cohort.name)), buttons(rows)
    )


def entry_line(entry: DetailEntry) -> str:
    line = fmt("• {name} ({town})", name=name(entry.trainee.name), town=name(entry.trainee.town or "?"))
    return line + (fmt(" — «{note}»", note=entry.note) if entry.note else "")


def detail_text(detail: SessionDetail, *, names: bool = True) -> str:
    cohort = detail.cohort
    lines: list[str] = [
        fmt(_("🗓 <b>Attendance · {cohort}</b>"), cohort=name(cohort.name)),
        session_text(detail.session, cohort.timezone),
    ]
    if detail.number is None:
        lines.append(_("Its attendance has not been taken (no check-in or roll yet)."))
    else:
        lines.append(fmt(_("Session {number} of those held."), number=detail.number))
    lines.append(
        fmt(
            _("Attendance: {percent} ({attended} of {expected})"),
            percent=share(detail.percent),
            attended=detail.attended,
            expected=len(detail.entries),
        )
    )
    for status in ICONS:
        group = detail.of(status)
        lines += [
            "",
            fmt("{icon} <b>{status}: {count}</b>", icon=ICONS[status], status=status_name(status), count=len(group)),
        ]
        if names:
            lines += [entry_line(entry) for entry in group]
    if waiting := detail.of(None):  # a session not held yet: nobody is "absent" before it
        lines += ["", fmt("⏳ <b>{status}: {count}</b>", status=_("not marked yet"), count=len(waiting))]
        if names:
            lines += [entry_line(entry) for entry in waiting]
    return "\n".join(lines)


async def send_detail(update: Update, context: BotContext, session_id: int) -> None:
    """Names by state; beyond MAX_TRAINEE_LINES the counts here and the names as a file."""
    try:
        detail = await context.services.attendance_reports.session_detail(context.principal, session_id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await show_detail(update, detail)


async def show_detail(update: Update, detail: SessionDetail) -> None:
    if len(detail.entries) <= MAX_TRAINEE_LINES:
        await reply(update, detail_text(detail))
        return
    await reply(update, detail_text(detail, names=False) + "\n\n" + _("The names are in the file below."))
    data = await asyncio.to_thread(session_csv, detail, current_locale())
    file_name = export_name(detail.cohort, "csv", today(detail.cohort), f"session-{detail.session.id}")
    await reply_document(update, data, file_name)


async def session_button(update: Update, context: BotContext) -> None:
    """at:d:<session>: one of several sessions that matched. The service checks authority."""
    pick = pressed(update, SESSION_DETAIL)
    if pick is None:
        await answer_callback(update, stale())
        return
    try:
        detail = await context.services.attendance_reports.session_detail(context.principal, pick.session_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return
    await answer_callback(update)
    await show_detail(update, detail)


ATTENDANCE = Command(
    ("attendance",),
    Audience.TRAINER,
    attendance_command,
    menu=N_("Attendance: all cohorts, /attendance cohort [session or date]"),
)
SESSION_BUTTON = Button.of(SESSION_DETAIL, Audience.TRAINER, session_button)
