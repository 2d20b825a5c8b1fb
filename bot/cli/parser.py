"""The command line's arguments: every sub-command and flag name is a public contract (scripts, cron, docs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.attendance import add_attendance_commands
from bot.cli.schedule import add_schedule_options
from bot.services.people import DEFAULT_INVITE_DAYS, INVITE_DAYS_MAX, INVITE_USES_MAX, TRAINER_INVITE_DAYS
from storage.dto import Role


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
