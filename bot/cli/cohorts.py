"""`cohortbot cohort create|list|schedule|end`, `cohortbot invite create|revoke` and `cohortbot role`."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from zoneinfo import ZoneInfo

from bot.cli.common import CliError, parse_expiry, print_invite
from bot.cli.curricula import curriculum_id
from bot.cli.schedule import describe_schedule, schedule_options
from bot.parsing import (
    COHORT_NAME_MAX,
    COHORT_NAME_MIN,
    parse_cohort_name,
    parse_date,
    parse_positive_int,
    parse_telegram_id,
    parse_time,
)
from bot.services.access import OPERATOR
from bot.services.lessons.curricula import CurriculumService
from bot.services.people import INVITE_USES_MAX, START_RANGE, CohortService, RoleService, start_date_allowed
from bot.settings import Settings
from storage.dto import CohortStatus, Role
from storage.uow import Database


async def create_cohort(settings: Settings, db: Database, args: argparse.Namespace) -> None:
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
    created = await CohortService(db).create(
        OPERATOR,
        name=args.name,
        start_date=start,
        lesson_time=lesson_time,
        timezone=zone,
        curriculum_id=await curriculum_id(CurriculumService(db), args.curriculum),
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


async def run_cohort(settings: Settings, db: Database, args: argparse.Namespace) -> None:
    cohorts = CohortService(db)
    if args.action == "create":
        await create_cohort(settings, db, args)
    elif args.action == "list":
        for summary in await cohorts.summaries(OPERATOR):
            c = summary.cohort
            print(
                f"{c.name}\tstart={c.start_date} lesson={c.lesson_time:%H:%M} tz={c.timezone} "
                f"status={c.status.value} trainees={summary.trainees} trainers={summary.trainers}"
            )
    elif args.action == "schedule":
        cohort = await cohorts.find(args.name)
        options = schedule_options(args)
        if args.lesson_time is not None:
            if (lesson_time := parse_time(args.lesson_time)) is None:
                raise CliError(f"--lesson-time: expected HH:MM, got {args.lesson_time!r}")
            options["lesson_time"] = lesson_time
        if not options:
            raise CliError("nothing to change: give --lesson-time, --rest-days, --holidays or --nudge-time")
        print(describe_schedule(await cohorts.set_schedule(OPERATOR, cohort.id, **options)))
    elif args.action == "end":
        cohort = await cohorts.find(args.name)
        await cohorts.set_status(OPERATOR, cohort.id, CohortStatus.ENDED)
        print(f"cohort {cohort.name!r} ended")


async def run_invite(settings: Settings, db: Database, args: argparse.Namespace) -> None:
    cohorts = CohortService(db)
    if args.action == "create":
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
    elif args.action == "revoke":
        async with db.unit_of_work() as uow:
            found = await uow.invites.by_token(args.token)
        if found is None:
            raise CliError("no invite with that token")
        await cohorts.revoke_invite(OPERATOR, found.id)
        print("invite revoked")


async def run_role(settings: Settings, db: Database, args: argparse.Namespace) -> None:
    roles = RoleService(db)
    if (user_id := parse_telegram_id(args.user_id)) is None:
        raise CliError(f"USER_ID: expected a numeric Telegram user id, got {args.user_id!r}")
    args.user_id = user_id
    if args.action == "grant":
        changed = await roles.grant_coordinator(OPERATOR, args.user_id)
        print(f"{args.user_id} is {'now' if changed else 'already'} a coordinator")
    else:
        changed = await roles.revoke_coordinator(OPERATOR, args.user_id)
        print(f"{args.user_id} {'is no longer' if changed else 'was not'} a coordinator")
