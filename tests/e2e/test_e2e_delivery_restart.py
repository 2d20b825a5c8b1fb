"""End to end: the bot is killed (SIGKILL, no shutdown at all) in the middle of a lesson fan-out and started
again. Nobody gets a message twice beyond the requests that were in flight, and nobody is left out."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application, build_services
from bot.runtime import BotRunner, prepare_database
from bot.services.access import OPERATOR
from storage.dto import DeliveryState
from storage.uow import Database
from tests.conftest import make_settings
from tests.crowd import enrol
from tests.e2e.test_e2e_lessons import COURSE
from tests.fake_telegram import FakeTelegram

TRAINEES = 60
FIRST_ID = 700_000
IN_FLIGHT = 4
RATE = 10.0  # messages/s: the fan-out of 60 lessons (and 120 questions) takes long enough to be cut


def lessons_received(fake: FakeTelegram) -> Counter[int]:
    """Lesson messages per trainee (a lesson starts with 📘 after the direction mark)."""
    return Counter(m.chat_id for m in fake.sent if m.chat_id >= FIRST_ID and "📘" in (m.text or ""))


def questions_received(fake: FakeTelegram) -> Counter[int]:
    return Counter(m.chat_id for m in fake.sent if m.chat_id >= FIRST_ID and m.poll is not None)


def bot_process(settings_env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **settings_env}
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"], cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


async def test_hard_kill_mid_fan_out_then_restart(database_url: str, tmp_path: Path) -> None:
    fake = FakeTelegram()  # Telegram's limits on: the bot must pace itself
    await fake.start()
    try:
        settings = make_settings(
            database_url,
            fake,
            delivery_rate=RATE,
            delivery_max_in_flight=IN_FLIGHT,
            bot_heartbeat_file=tmp_path / "heartbeat",
        )
        await prepare_database(settings)
        db = Database(database_url)
        services = build_services(settings, db)
        imported = await services.curricula.import_document(OPERATOR, COURSE, "course.yaml")
        due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=4)
        local = due.astimezone(ZoneInfo("Asia/Baghdad"))
        created = await services.cohorts.create(
            OPERATOR,
            name="Kill Test",
            start_date=local.date(),
            lesson_time=local.time().replace(microsecond=0),
            timezone="Asia/Baghdad",
            curriculum_id=imported.curriculum.id,
            rest_days=frozenset(),
            observe_holidays=False,
        )
        ids = await enrol(db, created.cohort.id, FIRST_ID, TRAINEES, joined=due - dt.timedelta(days=1))
        await db.dispose()
        for telegram_id in ids:  # they have written to the bot before: Telegram knows their chats
            fake.user(telegram_id, f"T{telegram_id}", language_code="ar")

        env = {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_API_BASE_FILE_URL": fake.base_file_url,
            "DATABASE_URL": database_url,
            "CURRICULUM_DIR": str(tmp_path / "no-curricula"),
            "BOT_HEARTBEAT_FILE": str(tmp_path / "heartbeat"),
            "DELIVERY_RATE": str(RATE),
            "DELIVERY_MAX_IN_FLIGHT": str(IN_FLIGHT),
            "LOG_LEVEL": "WARNING",
        }
        process = bot_process(env, tmp_path)
        try:
            # Generous: a loaded machine starts the bot slowly; what is checked is no duplicate and no gap.
            await fake.wait_until(lambda: len(lessons_received(fake)) >= TRAINEES // 2, timeout=90)
        finally:
            process.send_signal(signal.SIGKILL)  # no shutdown, no final writes
            process.wait(timeout=10)
        cut_at = len(lessons_received(fake))
        assert TRAINEES // 2 <= cut_at < TRAINEES, "the kill should land in the middle of the fan-out"

        db = Database(database_url)
        async with db.unit_of_work() as uow:
            in_flight = [d for d in await uow.deliveries.of_kind("lesson") if d.state is DeliveryState.SENDING]
            quizzes_in_flight = [d for d in await uow.deliveries.of_kind("quiz") if d.state is DeliveryState.SENDING]
        await db.dispose()
        assert len(in_flight) + len(quizzes_in_flight) <= IN_FLIGHT

        runner = BotRunner(build_application(settings), poll_timeout=1)
        await runner.start()
        try:
            await fake.wait_until(lambda: set(lessons_received(fake)) == set(ids), timeout=60)
            await fake.wait_until(lambda: all(questions_received(fake)[i] >= 2 for i in ids), timeout=60)
        finally:
            await runner.stop()

        lessons = lessons_received(fake)
        questions = questions_received(fake)
        duplicates = sum(n - 1 for n in lessons.values()) + sum(n - 2 for n in questions.values())
        assert duplicates <= IN_FLIGHT, f"{duplicates} duplicates; at most {IN_FLIGHT} requests were in flight"
        assert set(lessons) == set(ids) and all(questions[i] >= 2 for i in ids)  # nothing lost
        assert not [e for e in fake.errors if e[2] == 429], "paced below Telegram's limits: no 429"
    finally:
        await fake.stop()
