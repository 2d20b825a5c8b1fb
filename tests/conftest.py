"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when TEST_DATABASE_URL is set),
and the real bot running against the in-repo fake Telegram server."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from bot.app import build_application
from bot.runtime import BotRunner, prepare_database
from bot.settings import Settings, load_settings
from handlers.core.registry import Registry
from storage.db import create_engine
from storage.uow import Database

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
COORDINATOR_ID = 1000


async def reset_postgres(url: str) -> None:
    """An empty public schema; fails loudly when the server is unreachable (never a silent skip)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'cohortbot.db'}"
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


def make_settings(database_url: str, fake: FakeTelegram | None = None, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "telegram_bot_token": fake.token if fake else "123456:TEST-TOKEN",
        "database_url": database_url,
        "bot_coordinators": (COORDINATOR_ID,),
        "persistence_interval": 0.2,
        "bot_heartbeat_file": Path(tempfile.gettempdir()) / f"cohortbot-test-{os.getpid()}" / "heartbeat",
        # A folder that does not exist: no curriculum is imported at start unless a test passes curriculum_dir.
        "curriculum_dir": Path(tempfile.gettempdir()) / f"cohortbot-test-{os.getpid()}" / "no-curricula",
        "_env_file": None,
    }
    if fake is not None:
        values["telegram_api_base_url"] = fake.base_url
        values["telegram_api_base_file_url"] = fake.base_file_url
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    """A migrated database with the test coordinator seeded."""
    await prepare_database(make_settings(database_url))
    database = Database(database_url)
    yield database
    await database.dispose()


class BotHarness:
    """The real Application against the fake server; `restart()` stops it and starts a fresh one."""

    def __init__(self, fake: FakeTelegram, settings: Settings) -> None:
        self.fake = fake
        self.settings = settings
        self.runner: BotRunner | None = None
        self.registry: Registry | None = None

    async def start(self) -> None:
        await prepare_database(self.settings)
        application = build_application(self.settings)
        self.registry = application.bot_data["services"].menus.registry
        self.runner = BotRunner(application, poll_timeout=1)
        await self.runner.start()

    def undeclared_buttons(self) -> list[str]:
        """Callback data on the bot's messages that no declared button accepts (it would be refused as stale)."""
        assert self.registry is not None
        patterns = [button.regex for button in self.registry.buttons()]
        return [
            data
            for messages in self.fake.sent_by_chat.values()
            for message in messages
            for row in message.buttons()
            for button in row
            if (data := button.get("callback_data")) is not None and not any(p.match(data) for p in patterns)
        ]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.stop()
            self.runner = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def db(self) -> Database:
        assert self.runner is not None
        services = self.runner.application.bot_data["services"]
        database = services.db
        assert isinstance(database, Database)
        return database


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    from tests.fake_telegram import FakeTelegram, Limits

    server = FakeTelegram(limits=Limits(enabled=True))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def bot(fake: FakeTelegram, database_url: str) -> AsyncIterator[BotHarness]:
    harness = BotHarness(fake, make_settings(database_url, fake))
    await harness.start()
    yield harness
    await harness.stop()
    # Every button the bot showed in this test is declared in the registry (with the data shape it sends).
    assert harness.undeclared_buttons() == []
