"""`cohortbot` command line: run, migrate, backup, cohort, invite, role, curriculum, session, export.
Operator-facing (English); the services trust the operator (`OPERATOR`): they have the server."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence

from bot.cli.attendance import COMMANDS as ATTENDANCE_COMMANDS
from bot.cli.attendance import AttendanceCliError, run_attendance
from bot.cli.cohorts import run_cohort, run_invite, run_role
from bot.cli.common import CliError
from bot.cli.curricula import run_curriculum, validate
from bot.cli.ops import backup, health
from bot.cli.parser import parser
from bot.cli.schedule import ScheduleError
from bot.i18n import require_catalogs
from bot.logs import configure_logging
from bot.runtime import prepare_database, run
from bot.services.errors import DomainError
from bot.settings import Settings, SettingsError, load_settings
from storage import migrate
from storage.uow import Database

__all__ = ["main"]

Run = Callable[[Settings, Database, argparse.Namespace], Awaitable[None]]
RUNS: dict[str, Run] = {"cohort": run_cohort, "invite": run_invite, "role": run_role, "curriculum": run_curriculum}


async def manage(settings: Settings, args: argparse.Namespace) -> None:
    await prepare_database(settings, curricula=False)
    db = Database(settings.database_url)
    try:
        if args.command in ATTENDANCE_COMMANDS:
            await run_attendance(settings, db, args)
        else:
            await RUNS[args.command](settings, db, args)
    except DomainError as error:
        raise CliError(f"{error.problem.value.replace('_', ' ')}: {error.details or ''}".rstrip(": ")) from None
    finally:
        await db.dispose()


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "curriculum" and args.action == "validate":
            validate(args.file)  # before the settings: a file check needs no configuration
            return 0
        settings = load_settings()
        if args.command == "run":
            configure_logging(settings.log_level, settings.require_token())
            require_catalogs()
            asyncio.run(prepare_database(settings))
            run(settings)
        elif args.command == "migrate":
            configure_logging(settings.log_level, settings.telegram_bot_token.get_secret_value())
            asyncio.run(prepare_database(settings))
            print("database is at revision", migrate.revisions()[-1])
        elif args.command == "health":
            return health(settings)
        elif args.command == "backup":
            print("backup written to", backup(settings, args.path))
        else:
            configure_logging("WARNING", settings.telegram_bot_token.get_secret_value())
            asyncio.run(manage(settings, args))
    except (SettingsError, CliError, ScheduleError, AttendanceCliError) as error:
        print(f"cohortbot: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0
