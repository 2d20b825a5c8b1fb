"""N people register at once through the fake Telegram server, side by side with a bare python-telegram-bot
echo bot doing the same round trips on the same limits (the ratio is the figure).

    make bench        # = .venv/bin/python -m bench.registration
    .venv/bin/python -m bench.registration --users 500 \
        --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test   # PostgreSQL: schema public is reset
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import string
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from bench import echo_bot
from bench.common import BenchTelegram, LogCounter, StepFailed, TimedUser, install_log_counter, machine, write_section
from bench.phase import ABANDONED_POLL, Crowd, Phase, collect_logs, drive
from bot.app import build_application
from bot.runtime import BotRunner, prepare_database
from bot.services.access import OPERATOR
from bot.services.people import CohortService
from bot.settings import Settings, load_settings
from storage.db import create_engine
from storage.models import Membership, Person
from storage.uow import Database
from tests.fake_telegram import Limits

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
COMMAND = ".venv/bin/python -m bench.registration"
FIRST_USER_ID = 2_000_000
COORDINATOR_ID = 1000
COHORT_NAME = "دفعة القياس"
LESSON = "18:30"
STEP_TIMEOUT_S = 90.0  # a healthy run answers every step within ~35 s
SHUTDOWN_RESERVE_S = 20.0
STEPS = 5  # updates each person sends

# ------------------------------------------------------------------------------------------ the people


def person_name(index: int) -> str:
    """Letters only (the bot refuses digits in names): Trainee Aaa, Trainee Baa, ..."""
    letters = ""
    for _ in range(3):
        index, rest = divmod(index, 26)
        letters += string.ascii_lowercase[rest]
    return f"Trainee {letters.capitalize()}"


def has_text(part: str) -> Callable[[Any], bool]:
    return lambda message: part in (message.text or "")


async def register(user: TimedUser, token: str, index: int) -> None:
    """The whole registration as a person does it (5 updates); Arabic and English alternate.

    A button's answer replaces the pressed message with the next question, as on a phone."""
    language = await user.send("start", f"/start {token}", user.new_message(lambda m: "English" in m.button_texts()))
    await user.press("language", language, index % 2, user.shows(language, lambda m: "64" in (m.text or "")))
    towns = await user.send("name", person_name(index), user.new_message(lambda m: len(m.button_texts()) == 6))
    await user.press("town", towns, index % 5, user.shows(towns, lambda m: len(m.button_texts()) == 2))
    done = await user.press("consent", towns, 0, user.shows(towns, has_text(LESSON)))
    if COHORT_NAME not in (done.text or ""):
        raise StepFailed(f"the final message does not name the cohort: {done}")


async def echo_round_trips(user: TimedUser, token: str, index: int) -> None:
    """The same mix against the echo bot: 2 texts and 3 button presses, each waiting for the answer."""
    first = await user.send("start", f"/start {token}", user.new_message(lambda m: bool(m.buttons())))
    await user.press("press", first, 0, user.edited(first, 1))
    second = await user.send("name", person_name(index), user.new_message(lambda m: bool(m.buttons())))
    await user.press("press", second, 0, user.edited(second, 1))
    await user.press("press", second, 0, user.edited(second, 2))


# ------------------------------------------------------------------------------------------- phase A


async def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


async def create_cohort(url: str) -> tuple[str, int]:
    db = Database(url)
    try:
        new = await CohortService(db).create(
            OPERATOR,
            name=COHORT_NAME,
            start_date=dt.date.today() + dt.timedelta(days=30),
            lesson_time=dt.time(18, 30),
            timezone="Asia/Baghdad",
        )
    finally:
        await db.dispose()
    return new.invite.token, new.cohort.id


async def check_database(phase: Phase, url: str, cohort_id: int) -> None:
    last = FIRST_USER_ID + phase.users - 1
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            people = await conn.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.telegram_id.between(FIRST_USER_ID, last), Person.consent_at.is_not(None))
            )
            members = await conn.scalar(
                select(func.count())
                .select_from(Membership)
                .join(Person, Person.id == Membership.person_id)
                .where(Membership.cohort_id == cohort_id, Membership.role == "trainee")
                .where(Person.telegram_id.between(FIRST_USER_ID, last))
            )
    finally:
        await engine.dispose()
    phase.db_ok = people == phase.users and members == phase.users
    phase.db_check = f"{people}/{phase.users} registered with consent, {members}/{phase.users} trainee memberships"


def crowd(users: int) -> Crowd:
    return Crowd(size=users, first_id=FIRST_USER_ID, steps=STEPS, step_timeout=STEP_TIMEOUT_S)


async def cohortbot_phase(
    users: int, database_url: str | None, limits: Limits, counter: LogCounter, budget: float
) -> Phase:
    phase = Phase("cohortbot", users)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        if url.startswith("postgresql"):
            await reset_postgres(url)
        async with BenchTelegram(limits=limits) as fake:
            settings = bot_settings(fake, url, Path(tmp))
            counter.reset()
            errors_before = len(fake.errors)
            await prepare_database(settings)
            token, cohort_id = await create_cohort(url)
            runner = BotRunner(build_application(settings))
            await runner.start()
            try:
                await asyncio.sleep(0.5)  # start-up calls (menus) out of the way
                await drive(phase, fake, crowd(users), register, token, budget)
            finally:
                errors_run = len(fake.errors)
                await runner.stop()
            collect_logs(phase, counter, fake, errors_before, errors_run)
        await check_database(phase, url, cohort_id)
    return phase


def bot_settings(fake: BenchTelegram, url: str, tmp: Path) -> Settings:
    return load_settings(
        telegram_bot_token=fake.token,
        telegram_api_base_url=fake.base_url,
        telegram_api_base_file_url=fake.base_file_url,
        database_url=url,
        bot_coordinators=(COORDINATOR_ID,),
        bot_heartbeat_file=tmp / "heartbeat",
        _env_file=None,
    )


# ------------------------------------------------------------------------------------------- phase B


async def echo_phase(users: int, concurrent_updates: int, limits: Limits, counter: LogCounter, budget: float) -> Phase:
    phase = Phase("echo", users)
    async with BenchTelegram(limits=limits) as fake:
        counter.reset()
        application = echo_bot.build(fake, concurrent_updates)
        await echo_bot.start(application)
        try:
            await drive(phase, fake, crowd(users), echo_round_trips, "echo-token", budget)
        finally:
            errors_run = len(fake.errors)
            await echo_bot.stop(application)
        collect_logs(phase, counter, fake, 0, errors_run)
    return phase


# ------------------------------------------------------------------------------------------ reporting


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "n/a"


def table(a: Phase, b: Phase) -> list[tuple[str, str, str, str]]:
    def share(p: Phase) -> str:
        per_s = p.sent / p.wall if p.wall else 0.0
        return f"{per_s:.1f}/s ({per_s / Limits().global_per_second:.0%} of 30/s)"

    return [
        ("people who finished", f"{a.completed}/{a.users}", f"{b.completed}/{b.users}", ""),
        ("updates sent by the people", str(a.updates), str(b.updates), ""),
        ("wall time", f"{a.wall:.1f} s", f"{b.wall:.1f} s", ratio(a.wall, b.wall)),
        ("**updates/s**", f"{a.updates_per_s:.1f}", f"{b.updates_per_s:.1f}", ratio(a.updates_per_s, b.updates_per_s)),
        ("messages sent by the bot", f"{a.sent} ({ratio(a.sent, a.updates)}/update)",
         f"{b.sent} ({ratio(b.sent, b.updates)}/update)", ratio(a.sent, b.sent)),
        ("messages/s (Telegram allows 30/s)", share(a), share(b), ""),
        ("first reply p50 / p95 / p99", a.first.ms(), b.first.ms(), ""),
        ("**first reply p95**", f"{a.first.p95 * 1000:.0f} ms", f"{b.first.p95 * 1000:.0f} ms",
         ratio(a.first.p95, b.first.p95)),
        ("awaited answer p50 / p95 / p99", a.done.ms(), b.done.ms(), ratio(a.done.p95, b.done.p95) + " (p95)"),
        ("429s answered by the fake", f"{a.rate_limited} ({ratio(a.rate_limited, a.sent)}/message sent)",
         f"{b.rate_limited} ({ratio(b.rate_limited, b.sent)}/message sent)", ""),
        ("errors (API non-429 + ERROR logs + failed people)",
         f"{a.errors} ({len(a.api_errors)} + {a.log_errors} + {len(a.failures)})",
         f"{b.errors} ({len(b.api_errors)} + {b.log_errors} + {len(b.failures)})", ""),
        ("unexpected messages / unanswered buttons", f"{len(a.unexpected)} / {a.unanswered}",
         f"{len(b.unexpected)} / {b.unanswered}", ""),
    ]  # fmt: skip


def grouped(items: list[str], limit: int = 8) -> list[str]:
    """Identical lines counted once: ``text ×n``, most frequent first."""
    counts = Counter(items)
    return [f"{text} ×{n}" for text, n in counts.most_common(limit)]


def findings(phase: Phase) -> list[str]:
    """What went wrong (or needs explaining), as Markdown bullet lines."""
    lines = []
    if phase.failed_at:
        where = ", ".join(f"`{step}` ×{n}" for step, n in phase.failed_at.most_common())
        lines.append(f"- {len(phase.failures)} people did not finish; the step they waited on: {where}")
        lines += [f"  - {line}" for line in grouped([f.split(": ", 1)[1].split(";")[0] for f in phase.failures], 3)]
    if phase.api_errors:
        lines.append(f"- {len(phase.api_errors)} API errors other than 429:")
        lines += [f"  - `{line}`" for line in grouped(phase.api_errors)]
    if phase.log_kinds:
        lines.append("- Log records (WARNING and above):")
        lines += [f"  - `{kind}` ×{n}" for kind, n in sorted(phase.log_kinds.items(), key=lambda kv: -kv[1])]
    if phase.unexpected:
        lines.append(f"- {len(phase.unexpected)} messages nobody expected:")
        lines += [f"  - {line}" for line in grouped([f"“{text}”" for text in phase.unexpected], 4)]
    return lines


def markdown(a: Phase, b: Phase, backend: str, concurrent_updates: int, args: argparse.Namespace) -> str:
    command = COMMAND + (f" --database-url {args.database_url}" if args.database_url else "")
    command += f" --users {a.users}" if a.users != 500 else ""
    command += " --no-limits" if args.no_limits else ""
    lines = [
        f"## Registration: {a.users} people at once ({backend}"
        + (", flood limits OFF: software overhead only)" if args.no_limits else ")"),
        "",
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; machine: {machine()}",
        f"- Database: {backend}; `concurrent_updates` {concurrent_updates} (the echo bot uses the same); "
        + (
            "flood limits **off**"
            if args.no_limits
            else "flood limits on (1 msg/s per chat, burst 4; 30 msg/s overall, burst 30)"
        ),
        f"- All complete: **{'yes' if a.ok and b.ok else 'NO'}**. cohortbot: {a.completed}/{a.users} finished, "
        f"database: {a.db_check}; errors: cohortbot **{a.errors}**, echo **{b.errors}**",
        f"- Reproduce: `{command}`" + (" (= `make bench`)" if command == COMMAND else ""),
        "",
        "| | cohortbot | bare PTB echo | cohortbot / echo |",
        "|---|---|---|---|",
        *(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in table(a, b)),
        "",
        "Each person: `/start <invite>` → language button → types a name → town button → consent button "
        "(5 updates, each sent only after the bot's answer). The echo person does the same mix: 2 texts "
        "and 3 button presses (echo with a button; answer the query and edit the message). *First reply*: "
        "from the update to the bot's first message, edit or callback answer; *awaited answer*: to the "
        "message the person needs for the next step (the next question; for the echo bot the echo or the "
        "edit). Wall time ends when the last person who finished got their answer. The echo bot retries "
        "429s after `retry_after`; cohortbot uses its own `handlers.core.ui.with_retries`.",
    ]
    for phase in (a, b):
        found = findings(phase)
        if found:
            lines += ["", f"What went wrong ({phase.label}):", "", *found]
    return "\n".join(lines)


def print_report(a: Phase, b: Phase) -> None:
    rows = [("", "cohortbot", "bare PTB echo", "ratio"), *table(a, b)]
    widths = [max(len(r[i].replace("**", "")) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.replace("**", "").ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"cohortbot database: {a.db_check}")
    for phase in (a, b):
        steps = ", ".join(f"{name} {p.ms()}" for name, p in phase.by_step.items())
        print(f"\n{phase.label}: awaited answer p50/p95/p99 by step: {steps}")
        for line in findings(phase):
            print(line)
        for item in phase.shutdown_api_errors:
            print(f"- while shutting down: `{item}`" + (" (not counted)" if item.startswith(ABANDONED_POLL) else ""))
        for sample in phase.log_samples[:1]:
            print("- first ERROR record:\n  " + sample.replace("\n", "\n  "))


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.registration", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500, help="simulated people (default 500)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL: schema public is reset")
    parser.add_argument(
        "--timeout", type=float, default=300.0, help="seconds for driving both phases (300); a watchdog ends the run"
    )
    parser.add_argument("--no-limits", action="store_true", help="flood limits off: measures software overhead only")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    counter = install_log_counter()
    deadline = time.monotonic() + args.timeout
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    concurrent_updates = Settings(_env_file=None).concurrent_updates

    print(f"phase A: cohortbot ({backend}), {args.users} people registering at once", file=sys.stderr)
    echo_reserve = args.timeout / 3  # a stuck cohortbot must not eat the echo bot's time
    cohortbot_budget = deadline - time.monotonic() - echo_reserve
    limits = Limits(enabled=not args.no_limits)
    cohortbot = await cohortbot_phase(args.users, args.database_url, limits, counter, cohortbot_budget)
    print(f"phase B: bare PTB echo bot, {args.users} people, concurrent_updates {concurrent_updates}", file=sys.stderr)
    echo_budget = max(deadline - time.monotonic(), SHUTDOWN_RESERVE_S)
    echo = await echo_phase(args.users, concurrent_updates, limits, counter, echo_budget)

    print_report(cohortbot, echo)
    if not args.no_docs:
        key = f"registration-{backend.lower()}" + ("-no-limits" if args.no_limits else "")
        write_section(DOCS, key, markdown(cohortbot, echo, backend, concurrent_updates, args))
        print(f"\nwrote section {key!r} of {DOCS}")
    ok = cohortbot.ok and echo.ok
    print("RESULT: " + ("all complete, zero errors" if ok else "FAILED (see above)"))
    return 0 if ok else 1


def watchdog(seconds: float) -> None:
    """Last resort if shutting down hangs: the benchmark always ends by itself."""

    def expire() -> None:
        print(f"bench.registration: still running after {seconds:.0f}s; aborting", file=sys.stderr, flush=True)
        os._exit(3)

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()


if __name__ == "__main__":
    arguments = parse_args(None)
    watchdog(arguments.timeout + 2 * SHUTDOWN_RESERVE_S + 60)
    sys.exit(asyncio.run(main(arguments)))
