"""Outcomes the database refuses: a message that went out is recorded as sent once, while the engine runs (no restart),
and never sent again; a row left `sending` that the engine never sent goes out once. Real database, scripted kind."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from bot.delivery.engine import DeliveryEngine
from storage.dto import DeliveryState, NewDelivery
from storage.outbox import DeliveryRepository
from storage.uow import Database
from tests.conftest import BotHarness
from tests.e2e.test_e2e_broadcasts import TRAINER, cohort_of, confirm_and_wait, copies, start_broadcast
from tests.e2e.test_e2e_lessons import plain
from tests.storage.test_delivery_engine import NOW, Script, drain, engine_for, plan, states


def refuse_recording(monkeypatch: pytest.MonkeyPatch, state: DeliveryState, times: int) -> list[int]:
    """The next `times` recordings of `state` fail as a lost database connection would; returns the refused ids."""
    original = DeliveryRepository.finish
    refused: list[int] = []

    async def flaky(
        self: DeliveryRepository, delivery_id: int, new: DeliveryState, now: dt.datetime, **kw: Any
    ) -> None:
        if new is state and len(refused) < times:
            refused.append(delivery_id)
            raise OperationalError("UPDATE deliveries", None, ConnectionError("server closed the connection"))
        await original(self, delivery_id, new, now, **kw)

    monkeypatch.setattr(DeliveryRepository, "finish", flaky)
    return refused


async def test_sent_is_recorded_after_one_refusal_and_sent_once(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    script = Script()
    await plan(db, [("a", 9801), ("b", 9802)])
    refused = refuse_recording(monkeypatch, DeliveryState.SENT, 1)
    engine = engine_for(db, script, record_backoff=0.05)
    await engine.start()
    try:
        await drain(engine, db, ["a", "b"])
    finally:
        await engine.stop()
    assert len(refused) == 1
    assert sorted(k for k, _c, _t in script.sent) == ["a", "b"]  # each once
    found = await states(db, ["a", "b"])
    assert (found["a"][0], found["b"][0]) == (DeliveryState.SENT, DeliveryState.SENT)
    assert engine.outcomes[DeliveryState.SENT] == 2 and engine.unrecorded == 0


async def test_a_longer_outage_is_bridged_by_the_sweep_without_a_second_send(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = Script()
    await plan(db, [("kept", 9811)])
    refuse_recording(monkeypatch, DeliveryState.SENT, 4)  # more than the two tries in line
    engine = engine_for(db, script, record_attempts=2, record_backoff=0.05, record_retry=0.2, lease=0.1)
    await engine.start()
    try:
        for _ in range(250):
            if engine.unrecorded:
                break
            await asyncio.sleep(0.02)
        assert engine.unrecorded == 1  # kept in memory, the row still `sending`: not put back, not sent again
        assert (await states(db, ["kept"]))["kept"][0] is DeliveryState.SENDING
        await drain(engine, db, ["kept"])
    finally:
        await engine.stop()
    assert [k for k, _c, _t in script.sent] == ["kept"]
    assert (await states(db, ["kept"]))["kept"][0] is DeliveryState.SENT
    assert script.recorded == ["kept"]  # the kind's own record came with it
    assert engine.unrecorded == 0


async def test_a_claim_never_followed_by_a_send_goes_out_once_while_running(db: Database) -> None:
    script = Script()
    engine = engine_for(db, script, sweep_every=0.2, lease=60)
    await engine.start()
    try:
        async with db.unit_of_work() as uow:  # claimed an hour ago, its send never started (the claim's answer lost)
            person = await uow.people.add(9821, NOW, "en")
            item = NewDelivery(key="lost", kind="test", person_id=person.id, chat_id=9821, cohort_id=None, due_at=NOW)
            await uow.deliveries.plan([item], NOW)
            row = await uow.deliveries.by_key("lost")
            assert row is not None
            assert await uow.deliveries.claim(row.id, NOW - dt.timedelta(hours=1))
            await uow.commit()
        await drain(engine, db, ["lost"])
    finally:
        await engine.stop()
    assert [k for k, _c, _t in script.sent] == ["lost"]
    assert (await states(db, ["lost"]))["lost"][0] is DeliveryState.SENT


async def test_a_recent_claim_is_left_alone_until_its_lease_ends(db: Database) -> None:
    engine = engine_for(db, Script(), sweep_every=0.1, lease=3600)
    await engine.start()
    try:
        async with db.unit_of_work() as uow:
            person = await uow.people.add(9831, NOW, "en")
            item = NewDelivery(key="young", kind="test", person_id=person.id, chat_id=9831, cohort_id=None, due_at=NOW)
            await uow.deliveries.plan([item], NOW)
            row = await uow.deliveries.by_key("young")
            assert row is not None
            assert await uow.deliveries.claim(row.id, dt.datetime.now(dt.UTC))
            await uow.commit()
        await asyncio.sleep(0.5)  # several sweeps
        assert (await states(db, ["young"]))["young"][0] is DeliveryState.SENDING
    finally:
        await engine.stop()


def test_engine_settings_default_to_a_sweep_and_a_lease() -> None:
    engine = DeliveryEngine(None, None, {})  # type: ignore[arg-type]
    assert engine.settings.sweep_every < engine.settings.lease  # a stuck row waits at most lease + sweep
    assert engine.settings.record_attempts >= 2


async def test_a_broadcast_finishes_when_one_sent_state_failed_to_record(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """End to end: the fake Telegram server, the real engine; one recording refused after its copy went out."""
    fake = bot.fake
    _cohort_id, ids = await cohort_of(bot, "Hit Reconcile", 6, first=640_000)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    refused = refuse_recording(monkeypatch, DeliveryState.SENT, 1)
    await start_broadcast(trainer)
    await trainer.send("Meeting moved to 11:00.")
    summary = await confirm_and_wait(trainer)  # the status message ends as the report: no restart needed
    assert "sent 6" in plain(summary), plain(summary)
    assert len(refused) == 1
    assert copies(fake, ids) == Counter({i: 1 for i in ids})  # the refused one was not sent again
    async with bot.db.unit_of_work() as uow:
        rows = await uow.deliveries.of_kind("broadcast")
    assert [r.state for r in rows] == [DeliveryState.SENT] * 6
