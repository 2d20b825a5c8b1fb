"""Benchmark: one lesson (or, with --broadcast, one trainer's announcement) fanned out to 5,000 trainees through the
fake Telegram server, which enforces Telegram's flood limits. The bot runs as its own process (`python -m bot run`),
as in production.

Phase A runs the fan-out to the end. Phase B kills the bot (SIGKILL) when half the lessons are out, starts it again
and checks that nobody got the lesson twice beyond the requests in flight and nobody was left out. In both, a few
other people keep writing to the bot, and their reply latency is measured.

    .venv/bin/python -m bench.fanout [--broadcast] [--trainees 5000] [--database-url URL] [--no-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from bench.common import machine, percentiles, unexpected_api_errors, write_section
from bot.app import build_services
from bot.runtime import prepare_database
from bot.services.access import OPERATOR
from bot.settings import load_settings
from storage.dto import DeliveryState, Role
from storage.uow import Database
from tests.crowd import enrol
from tests.e2e.test_e2e_lessons import COURSE
from tests.fake_telegram import FakeTelegram, FakeUser

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
FIRST_ID = 3_000_000
TRAINER_ID = 7_000_000
TALKERS = 10  # other people writing to the bot during the fan-out
TALK_EVERY_S = 3.0
RATE = 25.0  # DELIVERY_RATE, the default
IN_FLIGHT = 8  # DELIVERY_MAX_IN_FLIGHT, the default
LEAD_S = 8.0  # the lesson falls due this long after the bot process starts


@dataclass
class Run:
    label: str
    trainees: int
    first_at: float = 0.0
    last_at: float = 0.0
    lessons: Counter[int] = field(default_factory=Counter)
    flood_429: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    unanswered: int = 0
    peak_rss_mb: float = 0.0
    killed_at: int | None = None
    left_in_flight: int | None = None

    @property
    def rate(self) -> float:
        span = self.last_at - self.first_at
        return (len(self.lessons) - 1) / span if span > 0 and len(self.lessons) > 1 else 0.0

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.lessons.values())

    @property
    def missing(self) -> int:
        return self.trainees - len(self.lessons)


def lesson_messages(fake: FakeTelegram, broadcast: bool = False) -> list[tuple[int, float]]:
    """What reached the trainees: the lesson, or the copied announcement."""
    if broadcast:
        return [
            (m.chat_id, m.sent_at)
            for m in fake.sent
            if FIRST_ID <= m.chat_id < TRAINER_ID and m.method == "copyMessage"
        ]
    return [(m.chat_id, m.sent_at) for m in fake.sent if m.chat_id >= FIRST_ID and "📘" in (m.text or "")]


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the most resident memory the process ever had (Linux)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


async def prepare(url: str, trainees: int, tmp: Path, broadcast: bool) -> dict[str, str]:
    """A cohort whose one lesson falls due LEAD_S after now (or, for a broadcast, with no lessons and a trainer),
    with `trainees` members; returns the bot's env."""
    settings = load_settings(_env_file=None, database_url=url, telegram_bot_token="1:x", curriculum_dir=tmp / "none")
    await prepare_database(settings)
    db = Database(url)
    try:
        services = build_services(settings, db)
        imported = await services.curricula.import_document(OPERATOR, COURSE, "bench.yaml")
        due = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LEAD_S)).astimezone(ZoneInfo("Asia/Baghdad"))
        created = await services.cohorts.create(
            OPERATOR,
            name="Fan-out",
            start_date=due.date(),
            lesson_time=due.time().replace(microsecond=0),
            timezone="Asia/Baghdad",
            curriculum_id=None if broadcast else imported.curriculum.id,
            rest_days=frozenset(),
            observe_holidays=False,
        )
        joined = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
        await enrol(db, created.cohort.id, FIRST_ID, trainees, joined=joined)
        if broadcast:
            await enrol(db, created.cohort.id, TRAINER_ID, 1, joined=joined, locale="en", role=Role.TRAINER)
    finally:
        await db.dispose()
    return {"DATABASE_URL": url, "CURRICULUM_DIR": str(tmp / "none"), "BOT_HEARTBEAT_FILE": str(tmp / "beat")}


def start_bot(fake: FakeTelegram, env: dict[str, str], tmp: Path) -> subprocess.Popen[bytes]:
    full = {
        **os.environ,
        **env,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
        "DELIVERY_RATE": str(RATE),
        "DELIVERY_MAX_IN_FLIGHT": str(IN_FLIGHT),
        "QUIZ_DELAY_SECONDS": "3600",  # measure the lesson itself; its quiz follows an hour later
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=tmp, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )


async def talk(user: FakeUser, run: Run, begin: asyncio.Event, stop: asyncio.Event, offset: float) -> None:
    """Someone using the bot while the fan-out runs: /whoami, wait for the answer, pause, again."""
    await begin.wait()
    await asyncio.sleep(offset)  # spread over the interval, as people are
    while not stop.is_set():
        before = len(user.inbox)
        sent = time.monotonic()
        await user.send("/whoami")
        ok = await user.server.chat_signal(user.id).wait_for(lambda b=before: len(user.inbox) > b, 15.0)  # type: ignore[misc]
        if ok:
            run.latencies.append(user.inbox[before].sent_at - sent)
        else:
            run.unanswered += 1
        await asyncio.sleep(TALK_EVERY_S)


async def announce(fake: FakeTelegram) -> None:
    """The trainer sends an announcement through the real chat flow and confirms it."""
    trainer = fake.user(TRAINER_ID, "Trainer", language_code="en")
    await trainer.send("/broadcast")
    targets = await trainer.expect("New announcement", timeout=30)
    await trainer.press("Next ➡", message=targets, timeout=30)
    await trainer.sees(lambda m: any(t.startswith("Everyone") for t in m.button_texts()), timeout=30)
    everyone = next(t for t in targets.button_texts() if t.startswith("Everyone"))
    await trainer.press(everyone, message=targets, timeout=30)
    await trainer.sees("Now send the announcement", timeout=30)
    await trainer.send("تذكير: الجلسة القادمة يوم السبت الساعة العاشرة صباحًا في قاعة المنتدى.")
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts(), timeout=60)
    await trainer.press("✅ Send now", message=summary, timeout=30)


async def in_flight_rows(url: str, kind: str) -> int:
    db = Database(url)
    try:
        async with db.unit_of_work() as uow:
            return sum(1 for d in await uow.deliveries.of_kind(kind) if d.state is DeliveryState.SENDING)
    finally:
        await db.dispose()


async def phase(label: str, trainees: int, url: str | None, kill_at_half: bool, broadcast: bool) -> Run:
    run = Run(label, trainees)
    with tempfile.TemporaryDirectory(prefix="fanout-") as folder:
        tmp = Path(folder)
        database = url or f"sqlite+aiosqlite:///{tmp}/fanout.db"
        if database.startswith("postgresql"):
            from bench.registration import reset_postgres

            await reset_postgres(database)
        env = await prepare(database, trainees, tmp, broadcast)
        fake = FakeTelegram()  # Telegram's limits on
        await fake.start()
        for index in range(trainees):  # they have written to the bot before: Telegram knows their chats
            fake.user(FIRST_ID + index, f"T{index}", language_code="ar")
        begin, stop = asyncio.Event(), asyncio.Event()
        talkers = [fake.user(8_000_000 + i, f"Talker{i}", language_code="en") for i in range(TALKERS)]
        process = start_bot(fake, env, tmp)
        chatter = [
            asyncio.create_task(talk(u, run, begin, stop, i * TALK_EVERY_S / TALKERS)) for i, u in enumerate(talkers)
        ]
        try:
            if broadcast:
                await announce(fake)
            deadline = time.monotonic() + LEAD_S + trainees / RATE * 2 + 120
            while len({c for c, _t in lesson_messages(fake, broadcast)}) < trainees and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                if lesson_messages(fake, broadcast):
                    begin.set()  # measured while the fan-out runs
                run.peak_rss_mb = max(run.peak_rss_mb, peak_rss_mb(process.pid))
                if kill_at_half and run.killed_at is None and len(lesson_messages(fake, broadcast)) >= trainees // 2:
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    run.killed_at = len(lesson_messages(fake, broadcast))
                    run.left_in_flight = await in_flight_rows(database, "broadcast" if broadcast else "lesson")
                    print(f"  killed at {run.killed_at}; {run.left_in_flight} left in flight", file=sys.stderr)
                    process = start_bot(fake, env, tmp)
            stop.set()
            await asyncio.sleep(2)  # anything still on its way arrives (duplicates would too)
        finally:
            stop.set()
            begin.set()
            await asyncio.gather(*chatter, return_exceptions=True)
            run.peak_rss_mb = max(run.peak_rss_mb, peak_rss_mb(process.pid))
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            messages = lesson_messages(fake, broadcast)
            run.lessons = Counter(chat for chat, _t in messages)
            if messages:
                run.first_at, run.last_at = min(t for _c, t in messages), max(t for _c, t in messages)
            run.flood_429 = fake.rate_limited
            run.errors = unexpected_api_errors(fake)
            await fake.stop()
    return run


def report(runs: list[Run], backend: str, command: str, broadcast: bool) -> str:
    what = "A trainer's broadcast" if broadcast else "Lesson fan-out"
    lines = [
        f"## {what} to {runs[0].trainees:,} trainees ({backend})",
        "",
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; machine: {machine()}",
        f"- The bot as its own process; the fake enforces 1 msg/s per chat (burst 4) and 30 msg/s overall; "
        f"`DELIVERY_RATE` {RATE:g}/s, `DELIVERY_MAX_IN_FLIGHT` {IN_FLIGHT}; {TALKERS} other people send "
        f"`/whoami` every {TALK_EVERY_S:g} s and wait for the answer",
        f"- Reproduce: `{command}`",
        "",
        "| | achieved rate (÷ configured) | 429s from the fake | duplicates | missing | other users' reply "
        "p50 / p95 | peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        p = percentiles(run.latencies)
        kill = ""
        if run.killed_at is not None:
            kill = f" (killed at {run.killed_at:,}, {run.left_in_flight} in flight)"
        lines.append(
            f"| {run.label}{kill} | {run.rate:.1f}/s (**{run.rate / RATE:.2f}**) | {run.flood_429} | "
            f"**{run.duplicates}** | **{run.missing}** | {p.p50 * 1000:.0f} / **{p.p95 * 1000:.0f} ms** "
            f"({p.n} replies, {run.unanswered} unanswered) | {run.peak_rss_mb:.0f} MB |"
        )
    lines += [
        "",
        "Targets: rate ≥ 0.9 of the configured pace, zero 429s, zero duplicates (after a kill: at most the "
        f"{IN_FLIGHT} requests in flight), zero missing, other users' p95 ≤ 1 s. The rate is measured from the first "
        "delivery to the last one; after a kill it includes the restart. Peak RSS is the bot process's VmHWM."
        + (
            " The trainer drives the real chat flow: /broadcast → Next → Everyone → the text → Send now; each "
            "recipient gets a copyMessage."
            if broadcast
            else ""
        ),
    ]
    for run in runs:
        if run.errors:
            lines += ["", f"Errors answered by the fake ({run.label}): " + "; ".join(sorted(set(run.errors))[:5])]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    runs = []
    for label, kill in (("A: uninterrupted", False), ("B: SIGKILL at 50 %, restart", True)):
        print(f"phase {label}: {args.trainees} trainees ({backend})", file=sys.stderr)
        runs.append(await phase(label, args.trainees, args.database_url, kill, args.broadcast))
    command = ".venv/bin/python -m bench.fanout" + (" --broadcast" if args.broadcast else "")
    command += f" --trainees {args.trainees}" if args.trainees != 5000 else ""
    command += f" --database-url {args.database_url}" if args.database_url else ""
    text = report(runs, backend, command, args.broadcast)
    print(text)
    if not args.no_docs:
        write_section(DOCS, f"{'broadcast' if args.broadcast else 'fanout'}-{backend.lower()}", text)
    ok = all(
        r.missing == 0
        and r.flood_429 == 0
        and r.duplicates <= (IN_FLIGHT if r.killed_at is not None else 0)
        and r.rate / RATE >= 0.9
        and percentiles(r.latencies).p95 <= 1.0
        for r in runs
    )
    print("RESULT: " + ("targets met" if ok else "TARGETS MISSED"))
    return 0 if ok else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=5000)
    parser.add_argument("--broadcast", action="store_true", help="a trainer's announcement instead of a lesson")
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL: schema public is reset")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse_args())))
