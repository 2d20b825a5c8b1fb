"""Trainers and coordinators: /attendance <cohort> — figures per session and per town, the trainees absent twice or
more, and the PNG chart with it; then on request the XLSX and CSV exports (also /export <cohort>) and the per-trainee
list (split across messages, or a file when it is long). The cohorts overview and one session's names by state:
`handlers.attendance.queries`."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Literal
from zoneinfo import ZoneInfo

from telegram import Update

from bot.i18n import N_, _, current_locale, ngettext
from bot.services.access import Audience
from bot.services.attendance import AttendanceStatus, CohortDTO
from bot.services.attendance.chart import attendance_chart
from bot.services.attendance.exports import absentees_csv, attendance_csv, attendance_xlsx, export_name
from bot.services.attendance.reports import Absentee, Summary, TraineeRow
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, name
from handlers.attendance.buttons import COHORT_REPORT, CohortReport
from handlers.attendance.cohorts import my_cohorts, named_cohort, stale
from handlers.attendance.views import session_text, status_counts
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, reply, reply_document, reply_photo
from handlers.problems import problem_text

MAX_TRAINEE_LINES = 300  # beyond this the per-trainee list comes as a CSV file
MAX_FLAGGED_LINES = 50  # beyond this the absent-twice list comes as a CSV file


def share(value: int | None) -> str:
    return ltr("—" if value is None else f"{value}%")


def summary_text(summary: Summary) -> str:
    zone = summary.cohort.timezone
    lines: list[str] = [
        fmt(_("📊 <b>Attendance · {cohort}</b>"), cohort=name(summary.cohort.name)),
        fmt(
            _("Trainees: {trainees} · sessions held: {held} · attendance: {percent}"),
            trainees=summary.trainees,
            held=len(summary.held),
            percent=share(summary.percent),
        ),
    ]
    if summary.not_taken:
        count = len(summary.not_taken)
        lines.append(
            fmt(
                ngettext(
                    "{count} session began without a check-in or a roll; it is left out.",
                    "{count} sessions began without a check-in or a roll; they are left out.",
                    count,
                ),
                count=count,
            )
        )
    if summary.upcoming:
        lines.append(fmt(_("Next session: {session}"), session=session_text(summary.upcoming[0], zone)))
    if not summary.held:
        lines += ["", _("No session has been held yet.")]
        return "\n".join(lines)
    lines += ["", "<b>" + _("By session") + "</b>"]
    for number, stat in enumerate(summary.held, 1):
        lines.append(fmt("{number}. {session}", number=number, session=session_text(stat.session, zone)))
        counts = status_counts({**stat.counts, AttendanceStatus.ABSENT: stat.absent})
        lines.append(f"    {counts} — {share(stat.percent)}")
    lines += ["", "<b>" + _("By town") + "</b>"]
    for town in summary.towns:
        lines.append(
            fmt(
                ngettext("{town}: {percent} ({count} trainee)", "{town}: {percent} ({count} trainees)", town.trainees),
                town=name(town.town or "?"),
                percent=share(town.percent),
                count=town.trainees,
            )
        )
    lines += ["", *flagged_lines(summary.flagged)]
    lines += ["", fmt(_("One session's names: {command} cohort session (its number, date or title)."),
                      command=cmd("/attendance"))]  # fmt: skip
    return "\n".join(lines)


def flagged_lines(flagged: list[Absentee]) -> list[str]:
    """The trainees absent twice or more (most absences first); a long list comes as a file instead."""
    if not flagged:
        return [_("⚠️ No trainee has two or more absences.")]
    lines: list[str] = [fmt(_("⚠️ <b>Two or more absences: {count}</b>"), count=len(flagged))]
    if len(flagged) > MAX_FLAGGED_LINES:
        return [*lines, _("The list is in the file below.")]
    for absentee in flagged:
        lines.append(
            fmt(
                _("• {name} ({town}) — absent {absences} of {expected}"),
                name=name(absentee.trainee.name),
                town=name(absentee.trainee.town or "?"),
                absences=absentee.absences,
                expected=absentee.expected,
            )
        )
    return lines


def trainee_line(number: int, row: TraineeRow) -> str:
    return fmt(
        _("{number}. {name} ({town}) — {attended} of {expected} · {percent}"),
        number=number,
        name=name(row.trainee.name),
        town=name(row.trainee.town or "?"),
        attended=row.attended,
        expected=row.expected,
        percent=share(row.percent),
    )


async def send_summary(update: Update, context: BotContext, cohort_id: int) -> None:
    """/attendance <cohort>: the figures (with the export buttons), then the chart; a long absent-twice list as a
    file."""
    try:
        summary = await context.services.attendance_reports.summary(context.principal, cohort_id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await show_summary(update, summary)


async def show_summary(update: Update, summary: Summary) -> None:
    cohort_id = summary.cohort.id
    markup = None
    if summary.held:
        markup = buttons(
            [
                [(_("📗 Excel"), report_data("x", cohort_id)), (_("📄 CSV"), report_data("v", cohort_id))],
                [(_("👥 Per trainee"), report_data("t", cohort_id))],
            ]
        )
    await reply(update, summary_text(summary), markup)
    if not summary.held:
        return
    await send_chart(update, summary)
    if len(summary.flagged) > MAX_FLAGGED_LINES:
        data = await asyncio.to_thread(absentees_csv, summary, current_locale())
        caption = fmt(_("Two or more absences: {count}"), count=len(summary.flagged))
        file_name = export_name(summary.cohort, "csv", today(summary.cohort), "absences")
        await reply_document(update, data, file_name, caption)


async def send_chart(update: Update, summary: Summary) -> None:
    picture = await asyncio.to_thread(attendance_chart, summary, current_locale())
    caption = fmt(_("Attendance of {cohort}, per session and per town"), cohort=name(summary.cohort.name))
    await reply_photo(update, picture, caption, filename="attendance.png")


def report_data(what: Literal["s", "g", "x", "v", "e", "t"], cohort_id: int) -> str:
    return COHORT_REPORT.encode(CohortReport(what, cohort_id))


def today(cohort: CohortDTO) -> dt.date:
    """The cohort's local date (a file made at 01:00 in Baghdad is dated that day, not the UTC day before)."""
    return dt.datetime.now(ZoneInfo(cohort.timezone)).date()


async def send_exports(update: Update, context: BotContext, cohort_id: int, kinds: tuple[str, ...]) -> None:
    """The XLSX and/or CSV files, in the reader's language. The service checks authority."""
    grid = await context.services.attendance_reports.grid(context.principal, cohort_id)
    await answer_callback(update)
    caption = fmt(
        _("Attendance of {cohort} — trainees: {trainees}, sessions held: {sessions}."),
        cohort=name(grid.summary.cohort.name),
        trainees=len(grid.rows),
        sessions=len(grid.sessions),
    )
    for kind in kinds:
        export = attendance_xlsx if kind == "xlsx" else attendance_csv
        data = await asyncio.to_thread(export, grid, current_locale())
        await reply_document(update, data, export_name(grid.summary.cohort, kind, today(grid.summary.cohort)), caption)


async def export_command(update: Update, context: BotContext) -> None:
    """/export <cohort>: the XLSX and the CSV; without a name, the one active cohort or a choice."""
    wanted = " ".join(context.args or []).strip()
    if wanted:
        found = await named_cohort(update, context, wanted)
        if found is None:
            return
        cohort, rest = found
        if rest:
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return
        cohort_ids = [cohort.id]
    else:
        cohorts = await my_cohorts(update, context, "")
        if cohorts is None:
            return
        if len(cohorts) > 1:
            rows = [[(c.name[:40], report_data("e", c.id))] for c in cohorts[:20]]
            await reply(update, _("Which cohort's attendance do you want to export?"), buttons(rows))
            return
        cohort_ids = [cohorts[0].id]
    try:
        await send_exports(update, context, cohort_ids[0], ("xlsx", "csv"))
    except DomainError as error:
        await reply(update, problem_text(error))


async def attendance_button(update: Update, context: BotContext) -> None:
    """at:<what>:<cohort>: s the summary (and chart), g the chart, x XLSX, v CSV, e both, t per trainee. The service
    checks authority on every press."""
    press = pressed(update, COHORT_REPORT)
    if press is None:
        await answer_callback(update, stale())
        return
    what, cohort_id, reports = press.what, press.cohort_id, context.services.attendance_reports
    try:
        if what == "s":
            summary = await reports.summary(context.principal, cohort_id)
            await answer_callback(update)
            await show_summary(update, summary)
        elif what == "g":
            summary = await reports.summary(context.principal, cohort_id)
            await answer_callback(update)
            await send_chart(update, summary)
        elif what in {"x", "v", "e"}:
            kinds = {"x": ("xlsx",), "v": ("csv",), "e": ("xlsx", "csv")}[what]
            await send_exports(update, context, cohort_id, kinds)
        else:
            await per_trainee(update, context, cohort_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)


async def per_trainee(update: Update, context: BotContext, cohort_id: int) -> None:
    grid = await context.services.attendance_reports.grid(context.principal, cohort_id)
    await answer_callback(update)
    if len(grid.rows) > MAX_TRAINEE_LINES:
        data = await asyncio.to_thread(attendance_csv, grid, current_locale())
        caption = fmt(
            _("Trainees: {count} — too many for a chat message, so here is the list as a file."), count=len(grid.rows)
        )
        await reply_document(update, data, export_name(grid.summary.cohort, "csv", today(grid.summary.cohort)), caption)
        return
    lines: list[str] = [fmt(_("👥 <b>Per trainee · {cohort}</b>"), cohort=name(grid.summary.cohort.name))]
    lines += [trainee_line(number, row) for number, row in enumerate(grid.rows, 1)]
    if not grid.rows:
        lines.append(_("This cohort has no trainees yet."))
    await reply(update, "\n".join(lines))


EXPORT = Command(
    ("export",),
    Audience.TRAINER,
    export_command,
    menu=N_("A cohort's attendance as Excel and CSV files: /export cohort"),
)
ATTENDANCE_BUTTON = Button.of(COHORT_REPORT, Audience.TRAINER, attendance_button)
