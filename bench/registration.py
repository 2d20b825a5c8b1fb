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
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bench.common import (
    BenchTelegram,
    LogCounter,
    Percentiles,
    StepFailed,
    TimedUser,
    install_log_counter,
    machine,
    percentiles,
    run_all,
    write_section,
)
from bot.app import build_application
from bot.runtime import BotRunner, prepare_database
from bot.services.cohorts import CohortService
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
STEP_TIMEOUT_S = 120.0
SHUTDOWN_RESERVE_S = 20.0

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
    """The whole registration as a person does it (5 updates); Arabic and English alternate."""
    language = await user.send(
        "start",
        f"/start {token}",
        user.new_message(lambda m: "English" in m.button_texts(), allow=has_text(COHORT_NAME)),  # after the welcome
    )
    await user.press("language", language, index % 2, user.new_message(lambda m: "64" in (m.text or "")))
    towns = await user.send("name", person_name(index), user.new_message(lambda m: len(m.button_texts()) == 6))
    consent = await user.press("town", towns, index % 5, user.new_message(lambda m: len(m.button_texts()) == 2))
    done = await user.press("consent", consent, 0, user.new_message(has_text(LESSON)))
    if COHORT_NAME not in (done.text or ""):
        raise StepFailed(f"the final message does not name the cohort: {done}")


async def echo_round_trips(user: TimedUser, token: str, index: int) -> None:
    """The same mix against the echo bot: 2 texts and 3 button presses, each waiting for the answer."""
    first = await user.send("start", f"/start {token}", user.new_message(lambda m: bool(m.buttons())))
    await user.press("press", first, 0, user.edited(first, 1))
    second = await user.send("name", person_name(index), user.new_message(lambda m: bool(m.buttons())))
    await user.press("press", second, 0, user.edited(second, 1))
    await user.press("press", second, 0, user.edited(second, 2))


# --------------------------------------------------------------------------------------- the echo bot

ECHO_RETRIES = 20


def echo_markup(count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data=f"echo:{count}")]])


async def until_sent(send: Callable[[], Awaitable[object]]) -> None:
    """The least any bot needs under Telegram's flood limits: wait out a 429 and send again."""
    for _ in range(ECHO_RETRIES):
        try:
            await send()
            return
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(wait if isinstance(wait, int) else wait.total_seconds())
    await send()


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    reply = message.text
    await until_sent(lambda: message.reply_text(reply, reply_markup=echo_markup(0)))


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    count = int(query.data.split(":")[1]) + 1
    await until_sent(query.answer)
    await until_sent(lambda: query.edit_message_text(f"pressed {count}", reply_markup=echo_markup(count)))


def build_echo(fake: BenchTelegram, concurrent_updates: int) -> Application[Any, Any, Any, Any, Any, Any]:
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .concurrent_updates(concurrent_updates)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


# ------------------------------------------------------------------------------------------ measuring


@dataclass
class Phase:
    label: str
    users: int
    failures: list[str] = field(default_factory=list)
    updates: int = 0
    wall: float = 0.0
    first: Percentiles = field(default_factory=lambda: percentiles([]))
    done: Percentiles = field(default_factory=lambda: percentiles([]))
    by_step: dict[str, Percentiles] = field(default_factory=dict)
    sent: int = 0  # flood-limited messages the bot got through
    rate_limited: int = 0
    api_errors: list[str] = field(default_factory=list)
    shutdown_api_errors: list[str] = field(default_factory=list)  # after the people finished
    log_errors: int = 0
    log_warnings: int = 0
    log_kinds: dict[str, int] = field(default_factory=dict)
    log_samples: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unanswered: int = 0
    db_check: str = "n/a"
    db_ok: bool = True

    @property
    def completed(self) -> int:
        return self.users - len(self.failures)

    @property
    def errors(self) -> int:
        return len(self.api_errors) + self.log_errors + len(self.failures)

    @property
    def ok(self) -> bool:
        return self.completed == self.users and self.errors == 0 and self.db_ok

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall if self.wall else 0.0


def progress(label: str, users: list[TimedUser], total_steps: int) -> asyncio.Task[None]:
    async def tick() -> None:
        start = time.monotonic()
        while True:
            await asyncio.sleep(10)
            done = sum(1 for u in users if len(u.steps) == total_steps)
            steps = sum(len(u.steps) for u in users)
            elapsed = time.monotonic() - start
            print(f"  {label} {elapsed:5.0f}s: {done}/{len(users)} done, {steps} steps", file=sys.stderr)

    return asyncio.create_task(tick())


async def drive(
    phase: Phase,
    fake: BenchTelegram,
    script: Callable[[TimedUser, str, int], Coroutine[Any, Any, None]],
    token: str,
    budget: float,
) -> list[TimedUser]:
    """Launch every user at once and fill in the phase's figures from what they saw."""
    fake.reset_limits()
    users = []
    for index in range(phase.users):
        person = fake.user(FIRST_USER_ID + index, f"U{index}", language_code="ar" if index % 2 == 0 else "en")
        users.append(TimedUser(fake, person, step_timeout=STEP_TIMEOUT_S))
    sent_before, limited_before = len(fake.sent), fake.rate_limited
    ticker = progress(phase.label, users, 5)
    try:
        phase.wall, outcomes = await run_all([script(u, token, i) for i, u in enumerate(users)], budget)
    finally:
        ticker.cancel()
    phase.failures = [f"user {u.id}: {o}" for u, o in zip(users, outcomes, strict=True) if o is not None]
    phase.updates = sum(u.updates for u in users)
    steps = [s for u in users for s in u.steps]
    phase.first = percentiles([s.first for s in steps])
    phase.done = percentiles([s.done for s in steps])
    phase.by_step = {
        name: percentiles([s.done for s in steps if s.name == name]) for name in dict.fromkeys(s.name for s in steps)
    }
    phase.sent = len(fake.sent) - sent_before
    phase.rate_limited = fake.rate_limited - limited_before
    phase.unexpected = [f"user {u.id}: {m}" for u in users for m in u.unexpected]
    phase.unanswered = sum(1 for u in users for q in u.queries if q not in fake.callback_answers)
    return users


# Stopping the updater abandons its long poll; PTB's final getUpdates then ends it with this 409 (the answer
# goes to a request nobody waits for any more). Any other error during shutdown counts.
ABANDONED_POLL = "getUpdates: 409 Conflict: terminated by other getUpdates request"


def collect_logs(phase: Phase, counter: LogCounter, fake: BenchTelegram, errors_before: int, errors_run: int) -> None:
    """``errors_before``/``errors_run``: len(fake.errors) before start-up and when the people had finished."""
    shutdown = fake.api_errors(errors_run)
    phase.shutdown_api_errors = shutdown
    phase.api_errors = fake.api_errors(errors_before, errors_run)
    phase.api_errors += [e for e in shutdown if not e.startswith(ABANDONED_POLL)]
    phase.log_errors = counter.errors
    phase.log_warnings = counter.levels["WARNING"]
    phase.log_kinds = dict(counter.kinds)
    phase.log_samples = list(counter.samples)


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


async def cohortbot_phase(users: int, database_url: str | None, counter: LogCounter, budget: float) -> Phase:
    phase = Phase("cohortbot", users)
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        url = database_url or f"sqlite+aiosqlite:///{tmp}/bench.db"
        if url.startswith("postgresql"):
            await reset_postgres(url)
        async with BenchTelegram(limits=Limits(enabled=True)) as fake:
            settings = bot_settings(fake, url, Path(tmp))
            counter.reset()
            errors_before = len(fake.errors)
            await prepare_database(settings)
            token, cohort_id = await create_cohort(url)
            runner = BotRunner(build_application(settings))
            await runner.start()
            try:
                await asyncio.sleep(0.5)  # start-up calls (menus) out of the way
                await drive(phase, fake, register, token, budget)
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


async def echo_phase(users: int, concurrent_updates: int, counter: LogCounter, budget: float) -> Phase:
    phase = Phase("echo", users)
    async with BenchTelegram(limits=Limits(enabled=True)) as fake:
        counter.reset()
        application = build_echo(fake, concurrent_updates)
        await application.initialize()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=dt.timedelta(seconds=1), allowed_updates=Update.ALL_TYPES
        )
        await application.start()
        try:
            await drive(phase, fake, echo_round_trips, "echo-token", budget)
        finally:
            errors_run = len(fake.errors)
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
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
        ("429s answered by the fake", str(a.rate_limited), str(b.rate_limited), ""),
        ("errors (API non-429 + ERROR logs + failed people)",
         f"{a.errors} ({len(a.api_errors)} + {a.log_errors} + {len(a.failures)})",
         f"{b.errors} ({len(b.api_errors)} + {b.log_errors} + {len(b.failures)})", ""),
        ("unexpected messages / unanswered buttons", f"{len(a.unexpected)} / {a.unanswered}",
         f"{len(b.unexpected)} / {b.unanswered}", ""),
    ]  # fmt: skip


def markdown(a: Phase, b: Phase, backend: str, concurrent_updates: int, args: argparse.Namespace) -> str:
    rows = table(a, b)
    lines = [
        f"## Registration: {a.users} people at once ({backend})",
        "",
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; machine: {machine()}",
        f"- Database: {backend}; `concurrent_updates` {concurrent_updates} (the echo bot uses the same); "
        "flood limits on (1 msg/s per chat, burst 4; 30 msg/s overall, burst 30)",
        f"- All complete: **{'yes' if a.ok and b.ok else 'NO'}** — cohortbot: {a.completed}/{a.users} finished, "
        f"database: {a.db_check}; errors: cohortbot {a.errors}, echo {b.errors}",
        f"- Reproduce: `make bench` or `{COMMAND}"
        + (" --database-url <url>`" if args.database_url else "`")
        + (f" (with `--users {a.users}`)" if a.users != 500 else ""),
        "",
        "| | cohortbot | bare PTB echo | cohortbot / echo |",
        "|---|---|---|---|",
        *(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} |" for r in rows),
        "",
        "Each person: `/start <invite>` → language button → types a name → town button → consent button "
        "(5 updates, each sent only after the bot's answer). The echo person does the same mix: 2 texts "
        "and 3 button presses (echo with a button; answer the query and edit the message). *First reply*: "
        "from the update to the bot's first message, edit or callback answer; *awaited answer*: to the "
        "message the person needs for the next step (the next question; for the echo bot the echo or the "
        "edit). The echo bot retries 429s after `retry_after`; cohortbot uses its own `with_retries`.",
    ]
    if a.log_kinds:
        kinds = ", ".join(f"{k} ×{n}" for k, n in sorted(a.log_kinds.items(), key=lambda kv: -kv[1]))
        lines += ["", f"cohortbot ERROR logs: {kinds}"]
    return "\n".join(lines)


def print_report(a: Phase, b: Phase) -> None:
    rows = [("", "cohortbot", "bare PTB echo", "ratio"), *table(a, b)]
    widths = [max(len(r[i].replace("**", "")) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.replace("**", "").ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"cohortbot database: {a.db_check}")
    for phase in (a, b):
        if phase.by_step:
            steps = ", ".join(f"{name} p95 {p.p95 * 1000:.0f} ms" for name, p in phase.by_step.items())
            print(f"{phase.label} awaited answer by step: {steps}")
        details = [
            ("failed people", phase.failures),
            ("API errors (non-429)", phase.api_errors),
            ("API errors while shutting down (the abandoned-poll 409 is not counted)", phase.shutdown_api_errors),
            ("ERROR log samples", phase.log_samples),
            ("unexpected messages", phase.unexpected),
        ]
        for title, items in details:
            if items:
                print(f"\n{phase.label}: {title} ({len(items)}), first ones:")
                for item in items[:5]:
                    print("  " + item.replace("\n", "\n  "))
        if phase.log_kinds:
            print(f"{phase.label}: ERROR logs by kind: {phase.log_kinds}")
        if phase.log_warnings:
            print(f"{phase.label}: {phase.log_warnings} WARNING log records")


# ---------------------------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.registration", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=500, help="simulated people (default 500)")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL: schema public is reset")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds for both phases together (300)")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    return parser.parse_args(argv)


async def main(args: argparse.Namespace) -> int:
    counter = install_log_counter()
    deadline = time.monotonic() + args.timeout
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    concurrent_updates = Settings(_env_file=None).concurrent_updates  # type: ignore[call-arg]

    print(f"phase A: cohortbot ({backend}), {args.users} people registering at once", file=sys.stderr)
    cohortbot = await cohortbot_phase(args.users, args.database_url, counter, deadline - time.monotonic())
    print(f"phase B: bare PTB echo bot, {args.users} people, concurrent_updates {concurrent_updates}", file=sys.stderr)
    echo_timeout = max(deadline - time.monotonic(), SHUTDOWN_RESERVE_S)
    echo_bot = await echo_phase(args.users, concurrent_updates, counter, echo_timeout)

    print_report(cohortbot, echo_bot)
    if not args.no_docs:
        key = f"registration-{backend.lower()}"
        write_section(DOCS, key, markdown(cohortbot, echo_bot, backend, concurrent_updates, args))
        print(f"\nwrote section {key!r} of {DOCS}")
    ok = cohortbot.ok and echo_bot.ok
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
