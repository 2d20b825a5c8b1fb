"""Fuzzing the trust boundary: thousands of random updates from strangers and trainees — random commands in every
spelling, edited messages, forged button data with random prefixes and huge numbers, long and odd Unicode, files,
stray quiz answers — must leave every privileged row as it was, store nothing about strangers, raise no unhandled
exception and keep the database intact. FUZZ_UPDATES and FUZZ_SEED change the run (PostgreSQL runs a shorter one)."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import text

from tests.conftest import BotHarness
from tests.fake_telegram import FakeTelegram, FakeUser
from tests.trust_world import IDS, Who, World, changed_tables, fingerprint, world_bot

SEED = int(os.environ.get("FUZZ_SEED", "20261206"))
UPDATES = {"sqlite": int(os.environ.get("FUZZ_UPDATES", "10000")), "postgresql": 3000}
STRANGERS = range(7300, 7312)
TRAINEES = (IDS[Who.TRAINEE], IDS[Who.OTHER_TRAINEE])
PRIVILEGED = (
    "coordinators",
    "cohorts",
    "invites",
    "memberships",
    "training_sessions",
    "checkins",
    "attendance",
    "attendance_changes",
    "broadcasts",
    "curricula",
    "campaign_comments",
)
ODD = (
    "\u200f",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u0000",
    "\u0007",
    "ﷺ",
    "ـــ",
    "١٢٣٤٥٦",
    "۰۹",
    "𝕏",
    "👩🏽‍💻",
    "a\u0301\u0301\u0301",
    "<b>",
    "&amp;",
    '=HYPERLINK("x")',
    "$\\frac{1}{0}$",
    "%s%n",
    "{name}",
    "\n",
    " ",
    "'; DROP TABLE people; --",
)
WORDS = ("Alpha", "Beta", "Gamma", "trainer", "مدرب", "rotate", "uses", "days", "none", "-1", "0", "ar", "en", "yes")
STEPS = ("revoke", "go", "x", "csv", "show", "open", "done", "later", "consent", "join", "stop", "m", "s", "d", "cur")


class Fuzzer:
    def __init__(self, rng: random.Random, commands: list[str], prefixes: list[str]) -> None:
        self.rng = rng
        self.commands = commands
        self.prefixes = prefixes

    def number(self) -> str:
        rng = self.rng
        return rng.choice(
            [
                str(rng.randint(0, 9)),
                str(rng.randint(1, 2**31)),
                str(2**63 + rng.randint(0, 10**6)),
                "9" * rng.randint(10, 400),
                "-" + str(rng.randint(1, 10**9)),
                "٣" * rng.randint(1, 30),
                "1e308",
                "0x7fffffff",
            ]
        )

    def junk(self, limit: int = 200) -> str:
        rng = self.rng
        parts = [rng.choice(ODD + WORDS) if rng.random() < 0.6 else self.number() for _ in range(rng.randint(1, 12))]
        value = " ".join(parts)
        if rng.random() < 0.05:
            value = rng.choice(ODD + WORDS) * rng.randint(100, 3000)
        return value[: rng.randint(1, limit)] or "x"

    def command(self) -> str:
        rng = self.rng
        name = rng.choice(self.commands) if rng.random() < 0.85 else rng.choice(["admin", "sudo", "grant_all", "x"])
        name = rng.choice([name, name.upper(), name.title()])
        suffix = rng.choice(["", "", "@cohort_test_bot", "@other_bot", ",", "!", ".x", ",x"])
        args = " ".join(self.junk(60) for _ in range(rng.randint(0, 3)))
        return f"/{name}{suffix} {args}".strip()[:4096]

    def button_data(self) -> str:
        rng = self.rng
        prefix = rng.choice(self.prefixes) if rng.random() < 0.8 else rng.choice(["zz", "admin", "", "x" * 10])
        rest = [rng.choice([self.number(), rng.choice(WORDS), rng.choice(ODD), rng.choice(STEPS)])]
        rest += [self.number() for _ in range(rng.randint(0, 4))]
        data = ":".join([prefix, *rest])
        while len(data.encode()) > 64:  # Telegram carries at most 64 bytes of button data
            data = data[:-1]
        return data or "x"


async def send_one(fuzzer: Fuzzer, fake: FakeTelegram, user: FakeUser, anchors: dict[int, object]) -> None:
    rng = fuzzer.rng
    roll = rng.random()
    if roll < 0.35:
        await user.send(fuzzer.command())
    elif roll < 0.55:
        user.push_press(fuzzer.button_data(), anchors[user.id])  # type: ignore[arg-type]
    elif roll < 0.65:
        message_id = await user.send(fuzzer.junk())
        await user.edit(message_id, fuzzer.command())
    elif roll < 0.8:
        await user.send(fuzzer.junk(4096))
    elif roll < 0.88:
        name = rng.choice(["plan.yaml", "x.yml", "a.xlsx", "evil.csv", "../../etc/passwd", "دليل.yaml"])
        body = fuzzer.junk(500).encode("utf-8", "surrogatepass")
        await user.send_document(body, name, rng.choice(["application/yaml", "text/plain", "application/x-yaml"]))
    elif roll < 0.92:
        await user.send_photo(caption=fuzzer.junk(100) if rng.random() < 0.5 else None)
    elif roll < 0.95:
        await user.send_sticker()
    elif roll < 0.97:
        await user.send_location(rng.uniform(-90, 90), rng.uniform(-180, 180))
    else:
        fake.push_update(
            {
                "poll_answer": {
                    "poll_id": str(rng.randint(1, 10**12)),
                    "user": user.json,
                    "option_ids": [0],
                    "option_persistent_ids": ["0"],
                }
            }
        )


class ErrorLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
async def fuzz_bot(database_url: str) -> AsyncIterator[tuple[BotHarness, World]]:
    async with world_bot(database_url) as bot_and_world:
        yield bot_and_world


async def quiet(fake: FakeTelegram, count: Callable[[], int], seconds: float = 2.0, limit: float = 600) -> None:
    """Until every update was fetched and the bot has sent nothing new for `seconds`."""
    deadline = time.monotonic() + limit
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        now = count()
        if now != last or fake.pending_updates:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the bot did not settle")


async def privileged(bot: BotHarness) -> dict[str, list[tuple[object, ...]]]:
    return {name: rows for name, rows in (await fingerprint(bot.db)).items() if name in PRIVILEGED}


async def test_random_updates_change_nothing_privileged(fuzz_bot: tuple[BotHarness, World], database_url: str) -> None:
    bot, _world = fuzz_bot
    fake = bot.fake
    assert bot.registry is not None
    commands = sorted({name for c in bot.registry.commands() for name in c.names})
    prefixes = sorted({b.prefix for b in bot.registry.buttons()})
    rng = random.Random(SEED)
    fuzzer = Fuzzer(rng, commands, prefixes)
    users = [fake.user(i, f"Stranger {i}", language_code=rng.choice(["ar", "en", None])) for i in STRANGERS]
    users += [fake.user(i, f"Trainee {i}", language_code="ar") for i in TRAINEES]
    anchors = {}
    for user in users:
        await user.send("/whoami")
        anchors[user.id] = await user.expect(str(user.id))
    before = await privileged(bot)
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    try:
        total = UPDATES["sqlite" if database_url.startswith("sqlite") else "postgresql"]
        for sent in range(total):
            await send_one(fuzzer, fake, rng.choice(users), anchors)
            if sent % 200 == 199:
                await fake.wait_until(lambda: fake.pending_updates < 400, timeout=120)
        await quiet(fake, lambda: sum(len(m) for m in fake.sent_by_chat.values()))
    finally:
        logging.getLogger().removeHandler(errors)
    problems = [f"{r.name}: {r.getMessage()}" for r in errors.records]
    assert problems == [], f"seed {SEED}"
    generic = [m.text for u in users for m in u.inbox if m.text and ("went wrong" in m.text or "حدث خطأ" in m.text)]
    assert generic == [], f"seed {SEED}"
    assert changed_tables(before, await privileged(bot)) == [], f"seed {SEED}"
    async with bot.db.reading() as uow:
        strangers = [await uow.people.by_telegram_id(i) for i in STRANGERS]
        assert strangers == [None] * len(STRANGERS), "something was stored about a stranger"
        if database_url.startswith("sqlite"):
            assert (await uow.session.execute(text("PRAGMA integrity_check"))).scalar() == "ok"
            assert (await uow.session.execute(text("PRAGMA foreign_key_check"))).all() == []
    # Still answering, to everyone.
    for user in users[:3]:
        await user.send("/whoami")
        await user.expect(str(user.id), timeout=30)
