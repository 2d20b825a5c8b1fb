"""The delivery engine on a real database with a scripted kind (no Telegram): pacing, retries, 403, skips."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections import defaultdict
from typing import Any

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from bot.delivery.engine import MISSED, DeliveryEngine, EngineSettings, Sent, Skip
from bot.delivery.pacing import Limits, Pacer
from storage.dto import DeliveryState, NewDelivery, PersonStatus
from storage.uow import Database, UnitOfWork

NOW = dt.datetime.now(dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_pacer_overall_rate_chat_interval_group_window_and_pause() -> None:
    clock = Clock()
    pacer = Pacer(Limits(per_second=10, chat_interval=1.0, group_per_minute=3, burst=2), clock)
    assert pacer.overall_wait() == 0
    pacer.take(1)
    assert pacer.overall_wait() == pytest.approx(0.1)  # starts with one token: no burst after a start
    assert pacer.chat_wait(1) == pytest.approx(1.0)
    assert pacer.chat_wait(2) == 0
    clock.now += 1.0
    assert pacer.overall_wait() == 0 and pacer.chat_wait(1) == 0
    for _ in range(3):
        pacer.take(-100)
    assert pacer.chat_wait(-100) == pytest.approx(60.0)  # a group: 3 a minute
    clock.now += 60.0
    assert pacer.chat_wait(-100) == 0
    pacer.pause(5)
    assert pacer.paused_for() == pytest.approx(5) and pacer.overall_wait() == pytest.approx(5)
    clock.now += 5.0
    assert pacer.overall_wait() == pytest.approx(0.1)  # after a 429 the bucket starts empty


class Script:
    """A delivery kind whose outcome per key is scripted: a list of exceptions to raise first."""

    def __init__(self) -> None:
        self.failures: dict[str, list[BaseException]] = defaultdict(list)
        self.sent: list[tuple[str, int, float]] = []  # (key, chat, monotonic time)
        self.in_flight = 0
        self.peak = 0
        self.recorded: list[str] = []

    async def send(self, bot: Any, delivery: Any) -> Sent:
        started = time.monotonic()  # when the request would leave: what the per-chat pacing governs
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if self.failures[delivery.key]:
                raise self.failures[delivery.key].pop(0)
            self.sent.append((delivery.key, delivery.chat_id, started))
            return Sent(len(self.sent))
        finally:
            self.in_flight -= 1

    async def on_sent(self, uow: UnitOfWork, delivery: Any, sent: Sent, now: dt.datetime) -> None:
        self.recorded.append(delivery.key)


async def plan(db: Database, items: list[tuple[str, int]], **extra: Any) -> None:
    async with db.unit_of_work() as uow:
        people = {}
        for _key, chat in items:
            if chat not in people:
                people[chat] = (await uow.people.by_telegram_id(chat)) or await uow.people.add(chat, NOW, "en")
        news = [
            NewDelivery(
                key=key, kind="test", person_id=people[chat].id, chat_id=chat, cohort_id=None, due_at=NOW, **extra
            )
            for key, chat in items
        ]
        await uow.deliveries.plan(news, NOW)
        await uow.commit()


async def states(db: Database, keys: list[str]) -> dict[str, tuple[DeliveryState, str | None, int]]:
    async with db.unit_of_work() as uow:
        found = {}
        for key in keys:
            row = await uow.deliveries.by_key(key)
            assert row is not None
            found[key] = (row.state, row.reason, row.attempts)
        return found


async def drain(engine: DeliveryEngine, db: Database, keys: list[str], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await states(db, keys)
        if all(state not in (DeliveryState.PENDING, DeliveryState.SENDING) for state, _r, _a in found.values()):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"not drained: {await states(db, keys)}")


def engine_for(db: Database, script: Script, **settings: Any) -> DeliveryEngine:
    limits = Limits(per_second=50, chat_interval=0.3, group_per_minute=18, burst=5)
    values: dict[str, Any] = {"limits": limits, "max_in_flight": 3, "backoff": 0.05} | settings
    return DeliveryEngine(db, bot=None, kinds={"test": script}, settings=EngineSettings(**values))  # type: ignore[arg-type]


async def test_every_item_once_per_chat_spacing_and_in_flight_bound(db: Database) -> None:
    script = Script()
    items = [(f"k{chat}-{n}", chat) for chat in range(9001, 9006) for n in range(4)]
    await plan(db, items)
    engine = engine_for(db, script)
    taken: dict[int, list[float]] = defaultdict(list)  # when the engine let a message go, per chat
    take = engine.pacer.take

    def recording_take(chat_id: int) -> None:
        taken[chat_id].append(engine.pacer.clock())
        take(chat_id)

    engine.pacer.take = recording_take  # type: ignore[method-assign]
    await engine.start()
    try:
        await drain(engine, db, [k for k, _c in items])
    finally:
        await engine.stop()
    assert sorted(k for k, _c, _t in script.sent) == sorted(k for k, _c in items)
    assert sorted(script.recorded) == sorted(k for k, _c in items)
    assert script.peak <= 3 and engine.peak_in_flight <= 3
    for times in taken.values():  # never two messages to one person within the interval
        assert min(b - a for a, b in itertools.pairwise(times)) >= 0.3 - 1e-6


async def test_retry_after_is_honoured_and_the_item_sent_once(db: Database) -> None:
    script = Script()
    script.failures["a"] = [RetryAfter(1)]
    await plan(db, [("a", 9101), ("b", 9102)])
    engine = engine_for(db, script)
    started = time.monotonic()
    await engine.start()
    try:
        await drain(engine, db, ["a", "b"])
    finally:
        await engine.stop()
    sent_at = {key: at for key, _chat, at in script.sent}
    assert sent_at["a"] - started >= 1.0  # waited the retry_after out
    assert [k for k, _c, _t in script.sent].count("a") == 1 and engine.outcomes["429"] == 1
    assert (await states(db, ["a"]))["a"][0] is DeliveryState.SENT


async def test_forbidden_marks_the_person_blocked_and_closes_their_queue(db: Database) -> None:
    script = Script()
    script.failures["first"] = [Forbidden("Forbidden: bot was blocked by the user")]
    await plan(db, [("first", 9201), ("second", 9201), ("other", 9202)])
    engine = engine_for(db, script)
    await engine.start()
    try:
        await drain(engine, db, ["first", "second", "other"])
    finally:
        await engine.stop()
    found = await states(db, ["first", "second", "other"])
    assert found["first"][:2] == (DeliveryState.BLOCKED, "blocked the bot")
    assert found["second"][0] is DeliveryState.BLOCKED  # never tried
    assert found["other"][0] is DeliveryState.SENT
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(9201)
    assert person is not None and person.status is PersonStatus.BLOCKED


async def test_network_errors_back_off_then_fail_bad_requests_fail_skips_skip(db: Database) -> None:
    script = Script()
    script.failures["flaky"] = [NetworkError("boom")]
    script.failures["dead"] = [NetworkError("boom"), NetworkError("boom"), NetworkError("boom")]
    script.failures["bad"] = [BadRequest("Chat not found")]
    script.failures["skip"] = [Skip("no longer a member")]
    keys = ["flaky", "dead", "bad", "skip"]
    await plan(db, [(key, 9300 + n) for n, key in enumerate(keys)])
    engine = engine_for(db, script, max_attempts=3)
    await engine.start()
    try:
        await drain(engine, db, keys)
    finally:
        await engine.stop()
    found = await states(db, keys)
    assert found["flaky"][0] is DeliveryState.SENT and found["flaky"][2] == 2
    assert found["dead"] == (DeliveryState.FAILED, "network: NetworkError", 3)
    assert found["bad"][:2] == (DeliveryState.FAILED, "400: Chat not found")
    assert found["skip"][:2] == (DeliveryState.SKIPPED, "no longer a member")


async def test_expired_items_are_skipped_as_missed_and_in_flight_ones_go_again(db: Database) -> None:
    script = Script()
    await plan(db, [("old", 9401)], expires_at=NOW - dt.timedelta(minutes=1))
    await plan(db, [("interrupted", 9402)])
    async with db.unit_of_work() as uow:  # as a hard kill leaves it: claimed, never recorded
        row = await uow.deliveries.by_key("interrupted")
        assert row is not None
        assert await uow.deliveries.claim(row.id, NOW)
        await uow.commit()
    engine = engine_for(db, script)
    await engine.start()
    try:
        await drain(engine, db, ["old", "interrupted"])
    finally:
        await engine.stop()
    found = await states(db, ["old", "interrupted"])
    assert found["old"][:2] == (DeliveryState.SKIPPED, MISSED)
    assert found["interrupted"][0] is DeliveryState.SENT and found["interrupted"][2] == 2
    assert [k for k, _c, _t in script.sent] == ["interrupted"]


async def test_planning_twice_adds_nothing(db: Database) -> None:
    await plan(db, [("same", 9501)])
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(9501)
        assert person is not None
        again = NewDelivery(key="same", kind="test", person_id=person.id, chat_id=9501, cohort_id=None, due_at=NOW)
        assert await uow.deliveries.plan([again], NOW) == 0
        await uow.commit()


async def test_personal_items_go_before_a_bulk_announcement_already_queued(db: Database) -> None:
    script = Script()
    announcement = [(f"bulk-{n}", 9600 + n) for n in range(30)]
    async with db.unit_of_work() as uow:
        for key, chat in announcement:
            person = await uow.people.add(chat, NOW, "en")
            bulk = NewDelivery(key=key, kind="broadcast", person_id=person.id, chat_id=chat, cohort_id=None, due_at=NOW)
            await uow.deliveries.plan([bulk], NOW)
        await uow.commit()
    await plan(db, [("reminder", 9700)])  # queued after the whole announcement, yet first out
    engine = DeliveryEngine(
        db,
        bot=None,  # type: ignore[arg-type]
        kinds={"test": script, "broadcast": script},
        settings=EngineSettings(limits=Limits(per_second=20, burst=1), max_in_flight=1),
        bulk_kinds={"broadcast"},
    )
    await engine.start()
    try:
        await drain(engine, db, ["reminder"] + [k for k, _c in announcement])
    finally:
        await engine.stop()
    order = [key for key, _chat, _at in script.sent]
    assert order.index("reminder") == 0
