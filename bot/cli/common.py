"""What the command line's modules share: the one-line error, invites printed with their link, plurals."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import Bot

from bot.parsing import parse_date, parse_int
from bot.services.lessons.curriculum import CurriculumError
from bot.services.people import INVITE_DAYS_MAX, deep_link
from bot.settings import Settings
from bot.text import normalize_digits
from storage.dto import InviteDTO
from storage.uow import Database

_DURATION = re.compile(r"^(\d+)\s*([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


class CliError(Exception):
    """A problem to print as one line, exit status 1."""


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
