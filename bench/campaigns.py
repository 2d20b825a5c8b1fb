"""Benchmark: posting reminders for 2,000 trainees with 30 posts each (60,000 posts).

A. Rebuild: the reminder schedule planned from scratch (every post's bookmark empty, as after a migration or a long
   outage), in process: time, rows, peak Python memory (tracemalloc); then again (nothing to add) and an hour later.
B. Alone: the bot as its own process (`python -m bot run`) plans at start (time read from its log) and sends one
   reminder per trainee, due over two minutes; lateness = when the fake Telegram got it − the post's time.
C. Loaded: the same, while a broadcast to the same 2,000 trainees (falling due just before) drains through the same
   engine. The real /broadcast service is used when it is there; otherwise a lesson fan-out to everyone (said so).

    .venv/bin/python -m bench.campaigns [--trainees 2000] [--posts 30] [--database-url URL] [--no-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, update

from bench.common import machine, percentiles, unexpected_api_errors, write_section
from bench.fanout import peak_rss_mb
from bot.app import build_services
from bot.runtime import prepare_database
from bot.services.access import OPERATOR
from bot.services.campaigns.reminders import POST_REMIND
from bot.settings import load_settings
from storage.campaigns.models import CampaignPlan, CampaignPost
from storage.models import Delivery
from storage.uow import Database
from tests.crowd import enrol
from tests.e2e.test_e2e_lessons import COURSE
from tests.fake_telegram import FakeTelegram

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
FIRST_ID = 4_000_000
SENDER_ID = 3_999_999
RATE = 25.0  # DELIVERY_RATE, the default
LEAD_S = 75.0  # the first reminders fall due this long after the bot process starts (start-up planning first)
SPREAD_S = 120.0  # the reminders measured fall due over this window
LOAD_BEFORE_S = 5.0  # the broadcast falls due this long before the first reminder
ZONE = ZoneInfo("Asia/Baghdad")


@dataclass
class Run:
    label: str
    load: str = "none"
    start_plan_s: float | None = None
    start_rows: int | None = None
    lateness: list[float] = field(default_factory=list)
    duplicates: int = 0
    missing: int = 0
    load_sent: int = 0
    load_span_s: float = 0.0
    peak_rss_mb: float = 0.0
    errors: list[str] = field(default_factory=list)


async def populate(db: Database, trainees: int, posts: int, first_due: dt.datetime) -> int:
    """A cohort (with a one-lesson course for the fallback load), trainees, one plan each, `posts` posts each: the
    first at `first_due` + a spread over SPREAD_S, the others daily at varied hours. Returns the cohort id."""
    settings = load_settings(_env_file=None, database_url=db.url, telegram_bot_token="1:x")
    services = build_services(settings, db)
    imported = await services.curricula.import_document(OPERATOR, COURSE, "bench.yaml")
    start = (first_due + dt.timedelta(days=3)).astimezone(ZONE)
    created = await services.cohorts.create(
        OPERATOR,
        name="Campaigns", start_date=start.date(), lesson_time=dt.time(9), timezone="Asia/Baghdad",
        curriculum_id=imported.curriculum.id, rest_days=frozenset(), observe_holidays=False,
    )  # fmt: skip
    cohort_id = created.cohort.id
    now = dt.datetime.now(dt.UTC)
    await enrol(db, cohort_id, FIRST_ID, trainees, joined=now - dt.timedelta(days=1))
    async with db.unit_of_work() as uow:
        people = [(await uow.people.by_telegram_id(FIRST_ID + i)) for i in range(trainees)]
        plans = [
            {"owner_id": p.id, "cohort_id": cohort_id, "problem": f"Problem {i}", "goal": "A goal",
             "target_metric": "followers", "target_count": 500, "target_unit": None, "audience": "Youth",
             "platforms": "fb,ig", "hashtag": f"#campaign_{i}", "created_at": now, "updated_at": now}
            for i, p in enumerate(people) if p is not None
        ]  # fmt: skip
        await uow.session.execute(insert(CampaignPlan), plans)
        await uow.commit()
    async with db.unit_of_work() as uow:
        plan_ids = [p.id for p in await uow.campaigns.plans_in_cohorts([cohort_id])]
        rows = []
        for index, plan_id in enumerate(plan_ids):
            for number in range(posts):
                if number == 0:
                    when = first_due + dt.timedelta(seconds=SPREAD_S * index / len(plan_ids))
                else:
                    day = first_due.astimezone(ZONE).date() + dt.timedelta(days=number)
                    when = dt.datetime.combine(day, dt.time(9 + (index + number) % 12), tzinfo=ZONE)
                rows.append(
                    {"plan_id": plan_id, "starts_at": when.astimezone(dt.UTC).replace(microsecond=0),
                     "kind": ("campaign", "occasion", "promotion")[number % 3], "platform": ("fb", "ig")[number % 2],
                     "idea": f"Post {number} of plan {plan_id}", "repeat": "none", "repeat_until": None,
                     "lead_minutes": 60 if number % 2 else None, "occasion": None, "planned_until": None,
                     "created_at": now, "updated_at": now}
                )  # fmt: skip
        for chunk in range(0, len(rows), 2000):
            await uow.session.execute(insert(CampaignPost), rows[chunk : chunk + 2000])
        await uow.commit()
    return cohort_id


async def fresh(url: str | None, tmp: Path, name: str) -> str:
    database = url or f"sqlite+aiosqlite:///{tmp}/{name}.db"
    if database.startswith("postgresql"):
        from bench.registration import reset_postgres

        await reset_postgres(database)
    settings = load_settings(_env_file=None, database_url=database, telegram_bot_token="1:x", curriculum_dir=tmp / "x")
    await prepare_database(settings)
    return database


async def rebuild(url: str | None, trainees: int, posts: int) -> dict[str, float]:
    """Phase A, in process."""
    with tempfile.TemporaryDirectory(prefix="campaigns-") as folder:
        database = await fresh(url, Path(folder), "rebuild")
        db = Database(database)
        try:
            first_due = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
            began = time.monotonic()
            await populate(db, trainees, posts, first_due)
            populate_s = time.monotonic() - began
            settings = load_settings(_env_file=None, database_url=database, telegram_bot_token="1:x")
            reminders = build_services(settings, db).campaigns.reminders
            now = dt.datetime.now(dt.UTC)
            began = time.monotonic()
            cold_rows = await reminders.plan_due(now)
            cold_s = time.monotonic() - began
            began = time.monotonic()
            warm_rows = await reminders.plan_due(now)
            warm_s = time.monotonic() - began
            began = time.monotonic()
            hour_rows = await reminders.plan_due(now + dt.timedelta(hours=1, minutes=1))
            hour_s = time.monotonic() - began
            async with db.unit_of_work() as uow:  # from scratch again, this time with the allocations traced
                await uow.session.execute(update(CampaignPost).values(planned_until=None))
                await uow.session.execute(delete(Delivery).where(Delivery.kind == POST_REMIND))
                await uow.commit()
            tracemalloc.start()
            await reminders.plan_due(now)
            peak = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        finally:
            await db.dispose()
    return {"populate_s": populate_s, "cold_s": cold_s, "cold_rows": cold_rows, "peak_mb": peak, "warm_s": warm_s,
            "warm_rows": warm_rows, "hour_s": hour_s, "hour_rows": hour_rows}  # fmt: skip


async def plan_load(db: Database, fake: FakeTelegram, cohort_id: int, due: dt.datetime) -> str:
    """A broadcast to the cohort falling due at `due` (the real service), else a lesson fan-out at `due`."""
    try:
        from bot.services.access import Principal
        from bot.services.broadcasts import Target

        settings = load_settings(_env_file=None, database_url=db.url, telegram_bot_token="1:x")
        services = build_services(settings, db)
        async with db.unit_of_work() as uow:
            person = await uow.people.add(SENDER_ID, dt.datetime.now(dt.UTC), "en")
            await uow.coordinators.grant(SENDER_ID, dt.datetime.now(dt.UTC))
            await uow.commit()
        sender = fake.user(SENDER_ID, "Sender", language_code="en")
        message_id = await sender.send("Cleanup day on Friday at 9 in the market square. Bring gloves!")
        principal = Principal(telegram_id=SENDER_ID, locale="en", person=person, is_coordinator=True)
        draft = await services.broadcasts.draft(  # type: ignore[attr-defined]
            principal, Target((cohort_id,)), source_chat_id=SENDER_ID, source_message_id=message_id, content="text",
            text="Cleanup day",
        )  # fmt: skip
        await services.broadcasts.confirm(principal, draft.id, send_at=due)  # type: ignore[attr-defined]
        return "broadcast"
    except Exception as error:  # the broadcasts feature is not there (yet): a lesson fan-out instead
        print(f"  no broadcast ({type(error).__name__}: {error}); loading with a lesson fan-out", file=sys.stderr)
        local = due.astimezone(ZONE)
        async with db.unit_of_work() as uow:
            await uow.cohorts.set_schedule(
                cohort_id, start_date=local.date(), lesson_time=local.time().replace(microsecond=0)
            )
            await uow.commit()
        return "lesson fan-out"


def start_bot(fake: FakeTelegram, database: str, tmp: Path) -> tuple[subprocess.Popen[bytes], Path]:
    log = tmp / "bot.log"
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CURRICULUM_DIR": str(tmp / "none"),
        "BOT_HEARTBEAT_FILE": str(tmp / "beat"),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
        "DELIVERY_RATE": str(RATE),
        "QUIZ_DELAY_SECONDS": "3600",  # the fallback lesson's quiz would double the load: it follows an hour later
        "LOG_LEVEL": "INFO",
    }
    with log.open("wb") as handle:
        process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=tmp, env=env, stdout=handle, stderr=handle)
    return process, log


def start_planning(log: Path, started: float) -> tuple[float | None, int | None]:
    """Seconds from process start to the 'campaign reminders planned at start' line, and the rows it planned."""
    for line in log.read_text(errors="replace").splitlines():
        found = re.search(r"(\d+) campaign reminders planned at start", line)
        stamp = re.match(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),(\d{3})", line)
        if found and stamp:
            moment = dt.datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S").timestamp() + int(stamp.group(2)) / 1000
            return moment - started, int(found.group(1))
    return None, None


async def live(label: str, url: str | None, trainees: int, posts: int, loaded: bool, populate_s: float) -> Run:
    """Phases B and C: the bot as a process, its reminders measured at the fake Telegram."""
    run = Run(label)
    with tempfile.TemporaryDirectory(prefix="campaigns-") as folder:
        tmp = Path(folder)
        database = await fresh(url, tmp, label.split(":")[0])
        fake = FakeTelegram()
        await fake.start()
        db = Database(database)
        try:
            for index in range(trainees):
                fake.user(FIRST_ID + index, f"T{index}", language_code="ar")
            # the posts are written first (as long as in phase A, give or take), then the bot starts
            first_due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=LEAD_S + 1.5 * populate_s + 10)
            cohort_id = await populate(db, trainees, posts, first_due)
            if loaded:
                run.load = await plan_load(db, fake, cohort_id, first_due - dt.timedelta(seconds=LOAD_BEFORE_S))
            wall0, mono0 = time.time(), time.monotonic()
            started = time.time()
            process, log = start_bot(fake, database, tmp)
            end = first_due + dt.timedelta(seconds=SPREAD_S)
            window = (first_due.timestamp() - 1, end.timestamp() + 1)
            deadline = time.monotonic() + (end.timestamp() - time.time()) + trainees * (2 if loaded else 1) / RATE + 60
            while time.monotonic() < deadline:
                await asyncio.sleep(1.0)
                run.peak_rss_mb = max(run.peak_rss_mb, peak_rss_mb(process.pid))
                if len(first_reminders(fake, window)) >= trainees and time.time() > end.timestamp():
                    break
            await asyncio.sleep(2)  # anything still on its way (duplicates would be too)
            run.peak_rss_mb = max(run.peak_rss_mb, peak_rss_mb(process.pid))
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            run.start_plan_s, run.start_rows = start_planning(log, started)
            reminders = first_reminders(fake, window)
            counts = Counter((chat, at) for chat, at, _sent in reminders)
            run.duplicates = sum(n - 1 for n in counts.values())
            run.missing = trainees - len({chat for chat, _at, _sent in reminders})
            first: dict[tuple[int, float], float] = {}
            for chat, at, sent in sorted(reminders, key=lambda r: r[2]):
                first.setdefault((chat, at), sent)  # a duplicate's lateness is not counted twice
            run.lateness = [max(0.0, wall0 + (sent - mono0) - at) for (_chat, at), sent in first.items()]
            loads = [m.sent_at for m in fake.sent if m.chat_id >= FIRST_ID and is_load(m.method, m.text)]
            run.load_sent = len(loads)
            run.load_span_s = (max(loads) - min(loads)) if loads else 0.0
            run.errors = unexpected_api_errors(fake)
        finally:
            await db.dispose()
            await fake.stop()
    return run


def is_load(method: str, text: str | None) -> bool:
    """A broadcast copy, or a lesson of the fallback fan-out."""
    return method == "copyMessage" or "📘" in (text or "")


def first_reminders(fake: FakeTelegram, window: tuple[float, float]) -> list[tuple[int, float, float]]:
    """(chat, the post's time as a timestamp, fake's monotonic receive time) of reminders due in the window."""
    found = []
    for message in fake.sent:
        if message.chat_id < FIRST_ID or not message.reply_markup:
            continue
        data = [b.get("callback_data", "") for row in message.buttons() for b in row]
        done = next((d for d in data if d.startswith("cr:d:")), None)
        if done is None:
            continue
        at = float(done.split(":")[3])
        if window[0] <= at <= window[1]:
            found.append((message.chat_id, at, message.sent_at))
    return found


def report(phase_a: dict[str, float], runs: list[Run], trainees: int, posts: int, backend: str, command: str) -> str:
    alone, loaded = runs
    pa, pl = percentiles(alone.lateness), percentiles(loaded.lateness)
    lines = [
        f"## Campaign reminders: {trainees:,} trainees × {posts} posts ({backend})",
        "",
        f"- Date: {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; machine: {machine()}",
        f"- Reproduce: `{command}`",
        f"- {trainees * posts:,} posts (half with a reminder an hour before); the rolling horizon is 48 h, so a start "
        "plans every reminder due in the next two days. The fake enforces 1 msg/s per chat (burst 4) and 30 msg/s "
        f"overall; `DELIVERY_RATE` {RATE:g}/s.",
        "",
        "**A. Rebuilding the schedule at start (in process, every bookmark empty)**",
        "",
        "| | time | outbox rows added |",
        "|---|---|---|",
        f"| from scratch | **{phase_a['cold_s']:.1f} s** | {phase_a['cold_rows']:,.0f} |",
        f"| again at once (idempotent) | {phase_a['warm_s']:.2f} s | {phase_a['warm_rows']:,.0f} |",
        f"| an hour later (the horizon rolls on) | {phase_a['hour_s']:.1f} s | {phase_a['hour_rows']:,.0f} |",
        "",
        f"Peak Python memory while planning from scratch (tracemalloc): **{phase_a['peak_mb']:.0f} MB**. "
        f"Writing the {trainees * posts:,} posts took {phase_a['populate_s']:.0f} s (not part of the bot).",
        "",
        "**B/C. Reminder lateness at the fake Telegram (bot as its own process)**",
        "",
        "| | load on the engine | start-up planning | lateness p50 / p95 / max | duplicates | missing | peak RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for run, p in ((alone, pa), (loaded, pl)):
        start = f"{run.start_plan_s:.1f} s ({run.start_rows:,} rows)" if run.start_plan_s is not None else "?"
        load = "none" if run.load == "none" else f"{run.load}: {run.load_sent:,} messages over {run.load_span_s:.0f} s"
        lines.append(
            f"| {run.label} | {load} | {start} | {p.p50:.2f} / **{p.p95:.2f}** / {p.max:.2f} s "
            f"| **{run.duplicates}** | **{run.missing}** | {run.peak_rss_mb:.0f} MB |"
        )
    ratio = pl.p95 / pa.p95 if pa.p95 and pa.p95 == pa.p95 and pa.p95 > 0 else float("nan")
    lines += [
        "",
        f"{trainees:,} reminders (one per trainee) fall due over {SPREAD_S:.0f} s; lateness is the fake's receive "
        "time minus the post's time. In C the load falls due "
        f"{LOAD_BEFORE_S:.0f} s before the first reminder. p95 loaded ÷ alone: **{ratio:.1f}×**. Personal items "
        "(reminders, lessons, check-in codes) go before bulk ones, and a sending round fetches again every second, so "
        "a reminder that falls due mid-broadcast waits about a second plus its share of the overall pace, not for the "
        "broadcast to drain (recipients ÷ `DELIVERY_RATE`).",
    ]
    if loaded.load == "lesson fan-out":
        lines.append("The broadcasts feature was not available when this ran: the load is a lesson fan-out instead.")
    for run in runs:
        if run.errors:
            lines.append(f"Errors answered by the fake ({run.label}): " + "; ".join(sorted(set(run.errors))[:5]))
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    backend = "PostgreSQL" if (args.database_url or "").startswith("postgresql") else "SQLite"
    print(f"A: rebuild ({args.trainees} × {args.posts}, {backend})", file=sys.stderr)
    phase_a = await rebuild(args.database_url, args.trainees, args.posts)
    print(f"  {phase_a}", file=sys.stderr)
    runs = []
    for label, loaded in (("B: reminders alone", False), ("C: during a broadcast", True)):
        print(label, file=sys.stderr)
        runs.append(await live(label, args.database_url, args.trainees, args.posts, loaded, phase_a["populate_s"]))
    command = ".venv/bin/python -m bench.campaigns" + (f" --trainees {args.trainees}" if args.trainees != 2000 else "")
    command += f" --posts {args.posts}" if args.posts != 30 else ""
    command += f" --database-url {args.database_url}" if args.database_url else ""
    text = report(phase_a, runs, args.trainees, args.posts, backend, command)
    print(text)
    if not args.no_docs:
        write_section(DOCS, "campaign-reminders", text)
    ok = all(r.duplicates == 0 and r.missing == 0 for r in runs)
    print("RESULT: " + ("no duplicates, nobody missed" if ok else "DUPLICATES OR MISSING REMINDERS"))
    return 0 if ok else 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.campaigns", description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=2000)
    parser.add_argument("--posts", type=int, default=30)
    parser.add_argument("--database-url", help="default: a fresh SQLite file; PostgreSQL: schema public is reset")
    parser.add_argument("--no-docs", action="store_true", help="do not write docs/benchmarks.md")
    return parser.parse_args(argv)


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main(parse_args())))
