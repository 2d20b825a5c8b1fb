"""BroadcastService alone: audience (towns, several cohorts, blocked people), drafts, one confirmation, cancel."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.services.access import OPERATOR, Principal
from bot.services.broadcasts import BroadcastService, Target
from bot.services.errors import DomainError, Problem
from bot.services.people import CohortService
from handlers.broadcasts import parse_when
from storage.dto import DeliveryState, PersonStatus, Role
from storage.uow import Database
from tests.crowd import enrol

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # 15:00 in Baghdad


async def setting(db: Database) -> tuple[Principal, int, int]:
    cohorts = CohortService(db, lambda: NOW)
    first = (
        await cohorts.create(
            OPERATOR, name="A", start_date=dt.date(2027, 1, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
        )
    ).cohort.id
    second = (
        await cohorts.create(
            OPERATOR, name="B", start_date=dt.date(2027, 1, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
        )
    ).cohort.id
    await enrol(db, first, 100, 5, joined=NOW)  # towns cycle: هيت، الرمادي، الفلوجة، ديالى، بغداد
    await enrol(db, second, 200, 2, joined=NOW)
    async with db.unit_of_work() as uow:  # person 100 is in both cohorts; 101 blocked the bot
        someone = await uow.people.by_telegram_id(100)
        assert someone is not None
        await uow.memberships.add(someone.id, second, Role.TRAINEE, NOW)
        await uow.people.set_status(101, PersonStatus.BLOCKED)
        await uow.commit()
    await enrol(db, first, 900, 1, joined=NOW, locale="en", role=Role.TRAINER)
    async with db.unit_of_work() as uow:  # the trainer of both (the services read it from the database)
        trainer = await uow.people.by_telegram_id(900)
        assert trainer is not None
        await uow.memberships.add(trainer.id, second, Role.TRAINER, NOW)
        await uow.commit()
    principal = Principal(telegram_id=900, locale="en", person=trainer, trainer_of=frozenset({first, second}))
    return principal, first, second


async def test_audience_towns_once_each_and_blocked_counted(db: Database) -> None:
    principal, first, second = await setting(db)
    service = BroadcastService(db, lambda: NOW)
    assert await service.count(principal, Target((first, second))) == 7  # 5 + 2, person 100 once
    assert await service.count(principal, Target((first,), towns=("هيت", "الرمادي"))) == 2
    outsider = Principal(telegram_id=1, locale="en", person=principal.person, trainer_of=frozenset({first}))
    with pytest.raises(DomainError) as refused:
        await service.count(outsider, Target((second,)))
    assert refused.value.problem is Problem.NOT_ALLOWED
    with pytest.raises(DomainError) as empty:
        await service.count(principal, Target(()))
    assert empty.value.problem is Problem.NO_RECIPIENTS


async def test_confirm_once_blocked_recorded_and_cancel_skips_the_rest(db: Database) -> None:
    principal, first, _second = await setting(db)
    service = BroadcastService(db, lambda: NOW)
    with pytest.raises(DomainError) as long_caption:
        await service.draft(
            principal, Target((first,)), source_chat_id=900, source_message_id=1, content="photo", text="x" * 1025
        )
    assert long_caption.value.problem is Problem.TEXT_TOO_LONG
    draft = await service.draft(
        principal, Target((first,)), source_chat_id=900, source_message_id=1, content="text", text="hi"
    )
    assert await service.confirm(principal, draft.id) == 5
    assert await service.confirm(principal, draft.id) is None  # the second press
    progress = await service.progress(draft.id)
    assert progress is not None and progress.states == {DeliveryState.PENDING: 4, DeliveryState.BLOCKED: 1}
    assert await service.cancel(principal, draft.id)
    assert not await service.cancel(principal, draft.id)
    progress = await service.progress(draft.id)
    assert progress is not None and progress.states == {DeliveryState.SKIPPED: 4, DeliveryState.BLOCKED: 1}


def test_parse_when_today_tomorrow_dates_and_digits() -> None:
    zone = "Asia/Baghdad"
    local = ZoneInfo(zone)
    assert parse_when("16:30", zone, NOW) == dt.datetime(2026, 12, 1, 16, 30, tzinfo=local).astimezone(dt.UTC)
    assert parse_when("09:00", zone, NOW) == dt.datetime(2026, 12, 2, 9, 0, tzinfo=local).astimezone(
        dt.UTC
    )  # passed today
    assert parse_when("٢٠٢٦-١٢-٢٠ ٠٩:٠٠", zone, NOW) == dt.datetime(2026, 12, 20, 9, 0, tzinfo=local).astimezone(dt.UTC)
    assert parse_when("20/12/2026 9:00", zone, NOW) == dt.datetime(2026, 12, 20, 9, 0, tzinfo=local).astimezone(dt.UTC)
    for bad in ("", "soon", "25:00", "2026-02-31 10:00", "1 2 3"):
        assert parse_when(bad, zone, NOW) is None
