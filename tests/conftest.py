"""Shared fixtures for the three tiers (tests/unit, tests/storage, tests/e2e; see the README's Tests section).

Databases: SQLite always, PostgreSQL too when TEST_DATABASE_URL is set. Each session migrates one template per
backend; every test gets its own copy (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL).
The real bot runs against the in-repo fake Telegram server."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from bot.app import build_application
from bot.runtime import BotRunner, prepare_database
from bot.settings import Settings, load_settings
from handlers.core.registry import Registry
from storage import migrate
from storage.db import create_engine
from storage.uow import Database

if TYPE_CHECKING:
    from tests.fake_telegram import FakeTelegram

POSTGRES_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])
COORDINATOR_ID = 1000

TESTS = Path(__file__).resolve().parent
TIERS = ("unit", "storage", "e2e")
# What a unit test may not ask for: each brings a database or the fake Telegram server.
HEAVY_FIXTURES = frozenset({"database_url", "empty_database_url", "db", "bot", "fake"})


def tier_of(item: pytest.Item) -> str | None:
    path = item.path.resolve()
    if not path.is_relative_to(TESTS):
        return None
    folder = path.relative_to(TESTS).parts[0]
    return folder if folder in TIERS else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The folder is the tier: `-m unit`, `-m storage` and `-m e2e` select by it."""
    for item in items:
        tier = tier_of(item)
        if tier is not None:
            item.add_marker(tier)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if tier_of(item) != "unit":
        return
    heavy = sorted(HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())))
    if heavy:
        pytest.fail(
            f"{item.nodeid} is in tests/unit but asks for {', '.join(heavy)} (a database or the fake Telegram "
            "server); move it to tests/storage or tests/e2e",
            pytrace=False,
        )


async def reset_postgres(url: str) -> None:
    """An empty public schema (for the benchmarks; tests get databases of their own); fails loudly when the server
    is unreachable."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def run_aside(work: Callable[[], Awaitable[None]]) -> None:
    """Run async set-up from a synchronous session fixture, on its own loop in a thread: pytest-asyncio's loops
    stay untouched."""

    async def main() -> None:
        await work()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, main()).result()


async def migrate_to_head(url: str) -> None:
    database = Database(url)
    try:
        await migrate.upgrade(database.engine)
    finally:
        await database.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head per session; tests copy it."""
    path = tmp_path_factory.mktemp("template") / "cohortbot.db"
    run_aside(lambda: migrate_to_head(f"sqlite+aiosqlite:///{path}"))
    # The last connection's close folded the write-ahead log into the file, so the file alone is the database.
    assert not path.with_name(path.name + "-wal").exists()
    return path


class PostgresServer:
    """Throw-away databases next to TEST_DATABASE_URL's, named `<its name>_<pid>_<suffix>` so that a session
    removes what a killed session left (its pid is gone) and never what a running one uses."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.base = self.url.database or "postgres"
        self.prefix = f"{self.base}_{os.getpid()}_"
        self.numbers = count(1)

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    async def execute(self, statement: str) -> list[str]:
        """Outside a transaction (CREATE and DROP DATABASE need that); the first column of the rows, if any."""
        engine = create_async_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            async with engine.connect() as conn:
                result = await conn.execute(text(statement))
                return [row[0] for row in result.all()] if result.returns_rows else []
        finally:
            await engine.dispose()

    async def remove_leftovers(self) -> None:
        pattern = re.compile(rf"{re.escape(self.base)}_(\d+)_\w+")
        names = await self.execute("SELECT datname FROM pg_database")
        for name in names:
            matched = pattern.fullmatch(name)
            if matched and not pid_alive(int(matched.group(1))):
                await self.drop(name)

    async def create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        await self.execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url_of(name)

    async def drop(self, name: str) -> None:
        await self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def next_name(self) -> str:
        return f"{self.prefix}{next(self.numbers)}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    server = PostgresServer(POSTGRES_URL)
    run_aside(server.remove_leftovers)
    return server


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> Iterator[str]:
    """One PostgreSQL database migrated to head per session (no connection stays open: it is copied)."""
    name = f"{postgres_server.prefix}template"

    async def build() -> None:
        await postgres_server.drop(name)
        await migrate_to_head(await postgres_server.create(name))

    run_aside(build)
    yield name
    run_aside(lambda: postgres_server.drop(name))


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own for this test, migrated to head and otherwise empty."""
    if request.param == "sqlite":
        path = tmp_path / "cohortbot.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.next_name()
    url = await server.create(name, template=request.getfixturevalue("postgres_template"))
    try:
        yield url
    finally:
        await server.drop(name)


@pytest.fixture(params=BACKENDS)
async def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A database of its own that was never migrated: for the tests of migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'cohortbot.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = server.next_name()
    url = await server.create(name)
    try:
        yield url
    finally:
        await server.drop(name)


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
