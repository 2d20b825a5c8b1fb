"""`cohortbot session add|list` and `cohortbot export attendance`: operator-facing (English), acting as the trusted
operator."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.parsing import parse_date, parse_time
from bot.services.access import OPERATOR
from bot.services.attendance import AttendanceReports, AttendanceService
from bot.services.attendance.exports import attendance_csv, attendance_xlsx
from bot.services.errors import DomainError, Problem
from bot.services.people import CohortService
from bot.settings import SUPPORTED_LOCALES, Settings
from storage.attendance.dto import SessionDTO
from storage.dto import CohortDTO
from storage.uow import Database

COMMANDS = frozenset({"session", "export"})


class AttendanceCliError(Exception):
    """One line for the operator."""


def add_attendance_commands(commands: Any) -> None:
    """The sub-commands, on `cohortbot`'s sub-parsers."""
    session = commands.add_parser("session", help="training sessions").add_subparsers(dest="action", required=True)
    add = session.add_parser("add", help="add a session to a cohort")
    add.add_argument("--cohort", required=True, help="the cohort's name")
    add.add_argument("--date", required=True, help="YYYY-MM-DD")
    add.add_argument("--time", required=True, help="HH:MM, in the cohort's time zone")
    add.add_argument("--title", required=True, help="what the session is, e.g. 'Day 2: planning a campaign'")
    add.add_argument("--place", help="where it takes place")
    listing = session.add_parser("list", help="a cohort's sessions with their attendance")
    listing.add_argument("--cohort", required=True)

    export = commands.add_parser("export", help="exports").add_subparsers(dest="action", required=True)
    attendance = export.add_parser("attendance", help="a cohort's attendance: a row per trainee, a column per session")
    attendance.add_argument("--cohort", required=True)
    attendance.add_argument("--format", choices=["xlsx", "csv"], help="default: from the file name, else xlsx")
    attendance.add_argument("-o", "--output", required=True, type=Path, help="the file to write")
    attendance.add_argument("--lang", choices=SUPPORTED_LOCALES, help="language of the labels (BOT_DEFAULT_LOCALE)")


async def run_attendance(settings: Settings, db: Database, args: argparse.Namespace) -> None:
    try:
        cohort = await CohortService(db).find(args.cohort)
        if args.command == "session" and args.action == "add":
            await add_session(db, cohort, args)
        elif args.command == "session" and args.action == "list":
            await list_sessions(db, cohort)
        else:
            await export_attendance(db, cohort, args, args.lang or settings.bot_default_locale)
    except DomainError as error:
        raise AttendanceCliError(explain(error, args)) from None


def explain(error: DomainError, args: argparse.Namespace) -> str:
    if error.problem is Problem.COHORT_NOT_FOUND:
        return f"--cohort: no cohort named {args.cohort!r} (see: cohortbot cohort list)"
    if error.problem is Problem.SESSION_EXISTS:
        return f"a session {args.title!r} already exists at that time in {args.cohort!r}; nothing added"
    if error.problem is Problem.SESSION_INVALID and error.details.get("field") == "date":
        return f"--date: expected a date within {error.details.get('limit')} days of today; nothing added"
    if error.problem is Problem.SESSION_INVALID:
        field, limit = error.details.get("field"), error.details.get("limit")
        return f"--{field}: expected 1 to {limit} characters; nothing added"
    if error.problem is Problem.COHORT_ENDED:
        return f"cohort {args.cohort!r} has ended; nothing added"
    return f"{error.problem.value.replace('_', ' ')}: {error.details or ''}".rstrip(": ")


def local_text(session: SessionDTO, zone: str) -> str:
    return f"{session.starts_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"


async def add_session(db: Database, cohort: CohortDTO, args: argparse.Namespace) -> None:
    day, start = parse_date(args.date), parse_time(args.time)
    if day is None:
        raise AttendanceCliError(f"--date: expected YYYY-MM-DD, got {args.date!r}")
    if start is None:
        raise AttendanceCliError(f"--time: expected HH:MM, got {args.time!r}")
    starts_at = dt.datetime.combine(day, start, ZoneInfo(cohort.timezone))
    session = await AttendanceService(db).add_session(
        OPERATOR, cohort.id, title=args.title, starts_at=starts_at, place=args.place
    )
    place = f" ({session.place})" if session.place else ""
    print(
        f"session #{session.id} added to {cohort.name!r}: {local_text(session, cohort.timezone)} "
        f"{cohort.timezone} — {session.title}{place}"
    )


async def list_sessions(db: Database, cohort: CohortDTO) -> None:
    summary = await AttendanceReports(db).summary(OPERATOR, cohort.id)
    stats = {stat.session.id: stat for stat in summary.held}
    sessions = await AttendanceService(db).sessions(OPERATOR, cohort.id)
    if not sessions:
        print(f"{cohort.name!r} has no sessions (cohortbot session add --cohort ... --date ... --time ... --title ...)")
    for session in sessions:
        stat = stats.get(session.id)
        if stat is not None:
            state = f"attended={stat.attended}/{stat.expected} ({stat.percent or 0}%)"
        elif session in summary.upcoming:
            state = "upcoming"
        else:
            state = "no check-in or roll"
        place = f"\tplace={session.place}" if session.place else ""
        print(f"#{session.id}\t{local_text(session, cohort.timezone)}\t{session.title}{place}\t{state}")


async def export_attendance(db: Database, cohort: CohortDTO, args: argparse.Namespace, locale: str) -> None:
    output: Path = args.output
    kind = args.format or ("csv" if output.suffix.lower() == ".csv" else "xlsx")
    grid = await AttendanceReports(db).grid(OPERATOR, cohort.id)
    data = attendance_xlsx(grid, locale) if kind == "xlsx" else attendance_csv(grid, locale)
    try:
        await asyncio.to_thread(output.write_bytes, data)
    except OSError as error:
        raise AttendanceCliError(f"-o: cannot write {output}: {error.strerror}") from None
    print(f"wrote {output} ({kind}, {len(data)} bytes): {len(grid.rows)} trainees x {len(grid.sessions)} sessions held")
