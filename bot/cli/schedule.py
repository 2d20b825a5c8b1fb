"""`cohortbot cohort create|schedule` options for when lessons go out: rest days, holidays, the evening nudge."""

from __future__ import annotations

import argparse
from typing import Any

from bot.parsing import parse_time, parse_weekdays
from storage.dto import CohortDTO

ISO_NAMES = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


class ScheduleError(Exception):
    """One line for the operator."""


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rest-days", help="days without lessons, e.g. fri or fri,sat or none (default fri)")
    parser.add_argument("--holidays", choices=["on", "off"], help="skip Iraq's public holidays (default on)")
    parser.add_argument("--nudge-time", help="evening nudge time HH:MM (default LESSON_NUDGE_TIME)")


def schedule_options(args: argparse.Namespace) -> dict[str, Any]:
    """The options given, checked; raises ScheduleError with the flag and what it expects."""
    options: dict[str, Any] = {}
    if args.rest_days is not None:
        days = parse_weekdays(args.rest_days)
        if days is None:
            raise ScheduleError(
                f"--rest-days: expected weekday names such as fri,sat (or none), got {args.rest_days!r}"
            )
        if len(days) == 7:
            raise ScheduleError("--rest-days: at least one day of the week must have lessons")
        options["rest_days"] = days
    if args.holidays is not None:
        options["observe_holidays"] = args.holidays == "on"
    if args.nudge_time is not None:
        if (nudge := parse_time(args.nudge_time)) is None:
            raise ScheduleError(f"--nudge-time: expected HH:MM, got {args.nudge_time!r}")
        options["nudge_time"] = nudge
    return options


def describe_schedule(cohort: CohortDTO) -> str:
    rest = ",".join(ISO_NAMES[d] for d in sorted(cohort.rest_days)) or "none"
    nudge = cohort.nudge_time.strftime("%H:%M") if cohort.nudge_time else "default"
    return (
        f"cohort {cohort.name!r}: start={cohort.start_date} lesson={cohort.lesson_time:%H:%M} tz={cohort.timezone} "
        f"rest-days={rest} holidays={'on' if cohort.observe_holidays else 'off'} nudge={nudge}"
    )
