"""`cohortbot` command line: run, migrate, backup, cohort, invite, role, curriculum, session, export.
Operator-facing (English); the services trust the operator (`OPERATOR`): they have the server."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import re
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.app import HEARTBEAT_SECONDS
from bot.cli_attendance import COMMANDS as ATTENDANCE_COMMANDS
from bot.cli_attendance import AttendanceCliError, add_attendance_commands, run_attendance
from bot.cli_schedule import ScheduleError, add_schedule_options, describe_schedule, schedule_options
from bot.i18n import require_catalogs
from bot.logs import configure_logging
from bot.parsing import (
    COHORT_NAME_MAX,
    COHORT_NAME_MIN,
    parse_cohort_name,
    parse_date,
    parse_int,
    parse_positive_int,
    parse_telegram_id,
    parse_time,
)
from bot.runtime import prepare_database, run
from bot.services.access import OPERATOR
from bot.services.cohorts import (
    DEFAULT_INVITE_DAYS,
    INVITE_DAYS_MAX,
    INVITE_USES_MAX,
    START_RANGE,
    TRAINER_INVITE_DAYS,
    CohortService,
    RoleService,
    deep_link,
    start_date_allowed,
)
from bot.services.errors import DomainError
from bot.services.lessons.curricula import CurriculumService, ImportResult, ImportStatus
from bot.services.lessons.curriculum import CurriculumError, load_curriculum
from bot.settings import Settings, SettingsError, load_settings
from bot.text import normalize_digits
from storage import migrate
from storage.dto import CohortStatus, InviteDTO, Role
from storage.uow import Database

_DURATION = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class CliError(Exception):
    """A problem to print as one line, exit status 1."""


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="cohortbot", description="Arabic-first Telegram bot for training cohorts.")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="apply migrations and start the bot (long polling, or webhook if WEBHOOK_URL)")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("health", help="exit 0 when the running bot's heartbeat is fresh")
    backup = commands.add_parser("backup", help="consistent online copy of the SQLite database")
    backup.add_argument("path", type=Path, help="file to write (or a folder to write a dated file into)")

    cohort = commands.add_parser("cohort", help="cohorts").add_subparsers(dest="action", required=True)
    create = cohort.add_parser("create", help="create a cohort and print its trainee invite link")
    create.add_argument("name")
    create.add_argument("--start", required=True, help="start date, YYYY-MM-DD")
    create.add_argument("--lesson-time", required=True, help="daily lesson time, HH:MM")
    create.add_argument("--tz", default=None, help="IANA time zone (default BOT_TIMEZONE)")
    create.add_argument("--curriculum", metavar="ID", help="the id of an imported curriculum (see: curriculum list)")
    add_schedule_options(create)
    cohort.add_parser("list", help="cohorts with member counts")
    schedule = cohort.add_parser("schedule", help="change when a cohort's lessons go out (lessons sent stay sent)")
    schedule.add_argument("name")
    schedule.add_argument("--lesson-time", help="daily lesson time, HH:MM")
    add_schedule_options(schedule)
    end = cohort.add_parser("end", help="end a cohort: its invites stop working")
    end.add_argument("name")

    invite = commands.add_parser("invite", help="invites").add_subparsers(dest="action", required=True)
    invite_create = invite.add_parser("create", help="a new invite link")
    invite_create.add_argument("--cohort", required=True)
    invite_create.add_argument("--role", choices=[r.value for r in Role], default=Role.TRAINEE.value)
    invite_create.add_argument(
        "--expires",
        help=f"YYYY-MM-DD (end of that day) or a duration such as 7d, 48h; at most {INVITE_DAYS_MAX} days "
        f"(default: {DEFAULT_INVITE_DAYS} days for trainees, {TRAINER_INVITE_DAYS} for a trainer)",
    )
    invite_create.add_argument(
        "--max-uses",
        help=f"how many people may use it, 1 to {INVITE_USES_MAX} (default: any number of trainees, one trainer)",
    )
    invite_revoke = invite.add_parser("revoke", help="withdraw an invite")
    invite_revoke.add_argument("token")

    curriculum = commands.add_parser("curriculum", help="curricula").add_subparsers(dest="action", required=True)
    check = curriculum.add_parser("validate", help="check a curriculum file; needs no database")
    check.add_argument("file", type=Path)
    store = curriculum.add_parser("import", help="validate a curriculum file, then store it (the same id updates it)")
    store.add_argument("file", type=Path)
    curriculum.add_parser("list", help="imported curricula")

    role = commands.add_parser("role", help="grant or revoke the coordinator role")
    role.add_argument("action", choices=["grant", "revoke"])
    role.add_argument("user_id", help="numeric Telegram user id")
    role.add_argument("role", choices=["coordinator"])
    add_attendance_commands(commands)
    return root


def parse_expiry(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """A date or a duration, within INVITE_DAYS_MAX days from now (the digits are counted before anything is
    computed: 99999999999d would overflow)."""
    latest = now + dt.timedelta(days=INVITE_DAYS_MAX)
    too_far = CliError(f"--expires: an invite expires within {INVITE_DAYS_MAX} days, got {text!r}")
    if match := _DURATION.match(normalize_digits(text).strip()):
        amount = parse_int(match.group(1), minimum=1, maximum=INVITE_DAYS_MAX * 24 * 60)
        span = None if amount is None else dt.timedelta(**{_UNITS[match.group(2)]: amount})
        if span is None or span > latest - now:
            raise too_far
        return now + span
    day = parse_date(text)
    if day is None:
        raise CliError(f"--expires: expected YYYY-MM-DD or a duration such as 7d, got {text!r}")
    if not now.astimezone(zone).date() <= day <= latest.astimezone(zone).date():
        raise too_far
    return min(dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=zone), latest)


async def bot_username(settings: Settings, db: Database) -> str:
    async with db.unit_of_work() as uow:
        stored = await uow.state.get("meta", "bot_username")
    if stored:
        return stored
    token = settings.require_token()
    async with Bot(token, base_url=settings.telegram_api_base_url) as bot:
        return bot.username


async def print_invite(settings: Settings, db: Database, invite: InviteDTO) -> None:
    print(deep_link(await bot_username(settings, db), invite.token))
    expiry = invite.expires_at.isoformat(timespec="minutes") if invite.expires_at else "never"
    print(f"role={invite.role.value} expires={expiry} max_uses={invite.max_uses or 'unlimited'}")


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def problems_error(file: Path, error: CurriculumError, outcome: str) -> CliError:
    """Print one line per problem; the error is the summary line."""
    for problem in error.problems:
        print(problem, file=sys.stderr)
    return CliError(f"{file}: {plural(len(error.problems), 'problem')}; {outcome}")


def validate(file: Path) -> None:
    try:
        curriculum = load_curriculum(file)
    except CurriculumError as error:
        raise problems_error(file, error, "fix them, then validate again") from None
    questions = sum(len(lesson.questions) for lesson in curriculum.lessons)
    lessons = plural(len(curriculum.lessons), "lesson")
    print(f"{file}: OK — {curriculum.id} v{curriculum.version}, {lessons}, {plural(questions, 'question')}")


async def curriculum_id(curricula: CurriculumService, slug: str | None) -> int | None:
    """The stored id of `--curriculum`; an unknown one lists the known ids."""
    if slug is None:
        return None
    found = await curricula.by_slug(slug)
    if found is None:
        known = ", ".join(c.slug for c in await curricula.all())
        hint = f"known: {known}" if known else "none is imported yet (cohortbot curriculum import FILE)"
        raise CliError(f"--curriculum: no curriculum {slug!r}; {hint}")
    return found.id


def print_import(result: ImportResult) -> None:
    found, lessons = result.curriculum, plural(result.lesson_count, "lesson")
    if result.status is ImportStatus.CREATED:
        print(f"curriculum {found.slug} v{found.version} created (id {found.id}): {lessons}")
    elif result.status is ImportStatus.UPDATED:
        change = f"v{result.previous_version} -> v{found.version}"
        print(f"curriculum {found.slug} updated in place (id {found.id}, {change}): {lessons}; progress is kept")
    else:
        print(f"curriculum {found.slug} v{found.version} unchanged (id {found.id}): {lessons}")


async def manage(settings: Settings, args: argparse.Namespace) -> None:
    await prepare_database(settings, curricula=False)
    db = Database(settings.database_url)
    cohorts, roles, curricula = CohortService(db), RoleService(db), CurriculumService(db)
    try:
        if args.command in ATTENDANCE_COMMANDS:
            await run_attendance(settings, db, args)
        elif args.command == "cohort" and args.action == "create":
            start, lesson_time = parse_date(args.start), parse_time(args.lesson_time)
            if start is None:
                raise CliError(f"--start: expected YYYY-MM-DD, got {args.start!r}")
            if not start_date_allowed(start, dt.datetime.now(dt.UTC).date()):
                raise CliError(f"--start: expected a date within {START_RANGE.days} days of today, got {args.start!r}")
            if lesson_time is None:
                raise CliError(f"--lesson-time: expected HH:MM, got {args.lesson_time!r}")
            zone = args.tz or settings.bot_timezone
            try:
                ZoneInfo(zone)
            except (KeyError, ValueError) as exc:
                raise CliError(f"--tz: unknown time zone {zone!r}") from exc
            if parse_cohort_name(args.name) is None:  # its comparison key must fit too (ﷺ spells out 18 letters)
                raise CliError(f"name: expected {COHORT_NAME_MIN} to {COHORT_NAME_MAX} characters, got {args.name!r}")
            options = schedule_options(args)
            created = await cohorts.create(
                OPERATOR,
                name=args.name,
                start_date=start,
                lesson_time=lesson_time,
                timezone=zone,
                curriculum_id=await curriculum_id(curricula, args.curriculum),
                rest_days=options.get("rest_days", frozenset({5})),
                observe_holidays=options.get("observe_holidays", True),
                nudge_time=options.get("nudge_time"),
            )
            linked = f", curriculum {args.curriculum}" if args.curriculum else ""
            print(f"cohort {created.cohort.name!r} created (id {created.cohort.id}{linked})")
            await print_invite(settings, db, created.invite)
            if not args.curriculum:
                print(
                    "note: without --curriculum ID this cohort gets no lessons (ids: cohortbot curriculum list)",
                    file=sys.stderr,
                )
        elif args.command == "cohort" and args.action == "list":
            for summary in await cohorts.summaries(OPERATOR):
                c = summary.cohort
                print(
                    f"{c.name}\tstart={c.start_date} lesson={c.lesson_time:%H:%M} tz={c.timezone} "
                    f"status={c.status.value} trainees={summary.trainees} trainers={summary.trainers}"
                )
        elif args.command == "cohort" and args.action == "schedule":
            cohort = await cohorts.find(args.name)
            options = schedule_options(args)
            if args.lesson_time is not None:
                if (lesson_time := parse_time(args.lesson_time)) is None:
                    raise CliError(f"--lesson-time: expected HH:MM, got {args.lesson_time!r}")
                options["lesson_time"] = lesson_time
            if not options:
                raise CliError("nothing to change: give --lesson-time, --rest-days, --holidays or --nudge-time")
            print(describe_schedule(await cohorts.set_schedule(OPERATOR, cohort.id, **options)))
        elif args.command == "cohort" and args.action == "end":
            cohort = await cohorts.find(args.name)
            await cohorts.set_status(OPERATOR, cohort.id, CohortStatus.ENDED)
            print(f"cohort {cohort.name!r} ended")
        elif args.command == "invite" and args.action == "create":
            cohort = await cohorts.find(args.cohort)
            max_uses = None if args.max_uses is None else parse_positive_int(args.max_uses, INVITE_USES_MAX)
            if args.max_uses is not None and max_uses is None:
                raise CliError(f"--max-uses: expected a whole number from 1 to {INVITE_USES_MAX}")
            expires = (
                parse_expiry(args.expires, ZoneInfo(cohort.timezone), dt.datetime.now(dt.UTC)) if args.expires else None
            )
            invite = await cohorts.create_invite(
                OPERATOR, cohort.id, Role(args.role), expires_at=expires, max_uses=max_uses
            )
            await print_invite(settings, db, invite)
        elif args.command == "invite" and args.action == "revoke":
            async with db.unit_of_work() as uow:
                found = await uow.invites.by_token(args.token)
            if found is None:
                raise CliError("no invite with that token")
            await cohorts.revoke_invite(OPERATOR, found.id)
            print("invite revoked")
        elif args.command == "curriculum" and args.action == "import":
            try:
                print_import(await curricula.import_file(OPERATOR, args.file))
            except CurriculumError as error:
                raise problems_error(args.file, error, "nothing was imported") from None
        elif args.command == "curriculum" and args.action == "list":
            items = await curricula.all()
            if not items:
                print("no curricula imported (cohortbot curriculum import FILE)")
            for item in items:
                print(
                    f"{item.slug}\tv{item.version} lessons={item.lesson_count} "
                    f"imported={item.imported_at.isoformat(timespec='minutes')} title={item.title_en!r} "
                    f"source={item.source}"
                )
        elif args.command == "role":
            if (user_id := parse_telegram_id(args.user_id)) is None:
                raise CliError(f"USER_ID: expected a numeric Telegram user id, got {args.user_id!r}")
            args.user_id = user_id
            if args.action == "grant":
                changed = await roles.grant_coordinator(OPERATOR, args.user_id)
                print(f"{args.user_id} is {'now' if changed else 'already'} a coordinator")
            else:
                changed = await roles.revoke_coordinator(OPERATOR, args.user_id)
                print(f"{args.user_id} {'is no longer' if changed else 'was not'} a coordinator")
    except DomainError as error:
        raise CliError(f"{error.problem.value.replace('_', ' ')}: {error.details or ''}".rstrip(": ")) from None
    finally:
        await db.dispose()


def backup(settings: Settings, target: Path) -> Path:
    """SQLite's online backup API: a consistent copy even while the bot writes."""
    source = settings.sqlite_path
    if source is None:
        raise CliError("backup copies the SQLite database; for PostgreSQL use pg_dump (see README)")
    if not source.exists():
        raise CliError(f"no database at {source}")
    if target.is_dir():
        target = target / f"cohortbot-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def health(settings: Settings) -> int:
    path = settings.bot_heartbeat_file
    if not path.exists():
        print("unhealthy: no heartbeat yet", file=sys.stderr)
        return 1
    age = dt.datetime.now(dt.UTC).timestamp() - path.stat().st_mtime
    if age > 3 * HEARTBEAT_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


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
