"""The outbox repository: planning (idempotent by key), claiming, and recording each delivery's outcome."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import String, case, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.dto import DeliveryDTO, DeliveryState, NewDelivery
from storage.models import Delivery

PLAN_CHUNK = 500  # rows per INSERT (SQLite allows 32766 bound parameters; 12 per row)
FORGOTTEN_KEY = "forgotten:"  # + the row id: the key of a row whose recipient asked to be forgotten


def _delivery(row: Delivery) -> DeliveryDTO:
    return DeliveryDTO(
        id=row.id,
        key=row.key,
        kind=row.kind,
        person_id=row.person_id,
        chat_id=row.chat_id,
        cohort_id=row.cohort_id,
        ref=row.ref,
        payload=row.payload,
        due_at=row.due_at,
        not_before=row.not_before,
        expires_at=row.expires_at,
        state=DeliveryState(row.state),
        reason=row.reason,
        attempts=row.attempts,
        message_id=row.message_id,
        sent_at=row.sent_at,
    )


@dataclass(frozen=True, slots=True)
class OutcomeCount:
    """How many deliveries of a kind, due at one time, ended in one state for one reason."""

    due_at: dt.datetime
    kind: str
    state: DeliveryState
    reason: str | None
    count: int


def _row(
    item: NewDelivery,
    now: dt.datetime,
    *,
    not_before: dt.datetime | None = None,
    state: DeliveryState = DeliveryState.PENDING,
    reason: str | None = None,
) -> dict[str, object]:
    """The outbox row for an item, as inserted."""
    return {
        "key": item.key,
        "kind": item.kind,
        "person_id": item.person_id,
        "chat_id": item.chat_id,
        "cohort_id": item.cohort_id,
        "ref": item.ref,
        "payload": item.payload,
        "due_at": item.due_at,
        "not_before": max(item.due_at, not_before) if not_before else item.due_at,
        "expires_at": item.expires_at,
        "state": state.value,
        "reason": reason,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def plan(self, items: Sequence[NewDelivery], now: dt.datetime, not_before: dt.datetime | None = None) -> int:
        """Insert what is not there yet (same key: nothing happens); returns how many rows were new."""
        added = 0
        for start in range(0, len(items), PLAN_CHUNK):
            rows = [_row(item, now, not_before=not_before) for item in items[start : start + PLAN_CHUNK]]
            added += await inserted(self._session, insert_ignoring(self._session, Delivery, ["key"]).values(rows))
        return added

    async def take_for_reply(self, item: NewDelivery, reason: str, now: dt.datetime, stale: dt.timedelta) -> bool:
        """Claim an item a chat reply sends itself, for one caller only: it is recorded as skipped (`reason`), so the
        outbox never sends it. Not taken while the outbox is sending or has sent it, nor from an earlier such claim
        younger than `stale` (a second tap); an older claim's send evidently failed (the caller knows the item never
        arrived), and a skipped or failed one will not be sent by the outbox."""
        row = _row(item, now, state=DeliveryState.SKIPPED, reason=reason)
        if await inserted(self._session, insert_ignoring(self._session, Delivery, ["key"]).values([row])):
            return True
        on_its_way = Delivery.state.in_([DeliveryState.SENDING, DeliveryState.SENT])
        fresh_claim = (func.coalesce(Delivery.reason, "") == reason) & (Delivery.updated_at >= now - stale)
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.key == item.key, ~on_its_way, ~fresh_claim)
            .values(state=DeliveryState.SKIPPED, reason=reason, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def due(
        self, now: dt.datetime, limit: int, skip_ids: Sequence[int] = (), bulk_kinds: Sequence[str] = ()
    ) -> list[DeliveryDTO]:
        """Pending deliveries that may go now: personal items first, then bulk ones (`bulk_kinds`: a reminder or a
        check-in code must not queue behind a 5,000-person announcement); within each in planned order (a retried
        item keeps its place: a quiz's questions stay in order after a 429)."""
        query = (
            select(Delivery)
            .where(Delivery.state == DeliveryState.PENDING, Delivery.not_before <= now)
            .order_by(case((Delivery.kind.in_(bulk_kinds), 1), else_=0), Delivery.due_at, Delivery.id)
            .limit(limit)
        )
        if skip_ids:
            query = query.where(Delivery.id.not_in(skip_ids))
        return [_delivery(r) for r in await self._session.scalars(query)]

    async def skip_expired(self, now: dt.datetime, reason: str) -> int:
        """Pending items whose grace window has passed are recorded as skipped (after downtime, say)."""
        result = await self._session.execute(
            update(Delivery)
            .where(
                Delivery.state == DeliveryState.PENDING,
                Delivery.expires_at.is_not(None),
                Delivery.expires_at <= now,
            )
            .values(state=DeliveryState.SKIPPED, reason=reason, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def next_due_at(self) -> dt.datetime | None:
        value = await self._session.scalar(
            select(func.min(Delivery.not_before)).where(Delivery.state == DeliveryState.PENDING)
        )
        if value is not None and value.tzinfo is None:  # aggregates bypass the column type on SQLite
            value = value.replace(tzinfo=dt.UTC)
        return value

    async def by_id(self, delivery_id: int) -> DeliveryDTO | None:
        row = await self._session.get(Delivery, delivery_id)
        return _delivery(row) if row else None

    async def by_key(self, key: str) -> DeliveryDTO | None:
        row = await self._session.scalar(select(Delivery).where(Delivery.key == key))
        return _delivery(row) if row else None

    async def claim(self, delivery_id: int, now: dt.datetime) -> bool:
        """pending → sending (written before the request goes out); False if someone else took it."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
            .values(state=DeliveryState.SENDING, attempts=Delivery.attempts + 1, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def finish(
        self,
        delivery_id: int,
        state: DeliveryState,
        now: dt.datetime,
        *,
        reason: str | None = None,
        message_id: int | None = None,
    ) -> None:
        values: dict[str, object] = {"state": state, "reason": reason, "updated_at": now}
        if state is DeliveryState.SENT:
            values |= {"sent_at": now, "message_id": message_id}
        await self._session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))

    async def retry(self, delivery_id: int, not_before: dt.datetime, reason: str, now: dt.datetime) -> None:
        """Back to pending, to be tried again from `not_before`."""
        await self._session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(state=DeliveryState.PENDING, not_before=not_before, reason=reason, updated_at=now)
        )

    async def release_in_flight(self, now: dt.datetime) -> int:
        """At start: what was in flight when the last process died goes out again (it may have arrived)."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.state == DeliveryState.SENDING)
            .values(state=DeliveryState.PENDING, reason="resent after a restart", updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def requeue_stale(
        self, cutoff: dt.datetime, now: dt.datetime, reason: str, keep_ids: Sequence[int] = ()
    ) -> int:
        """While running: rows claimed (`sending`) before `cutoff` and not in `keep_ids` (what the sender has in
        flight or has sent) were never sent; they go back to pending."""
        query = update(Delivery).where(Delivery.state == DeliveryState.SENDING, Delivery.updated_at < cutoff)
        if keep_ids:
            query = query.where(Delivery.id.not_in(keep_ids))
        result = await self._session.execute(query.values(state=DeliveryState.PENDING, reason=reason, updated_at=now))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def close_pending_for(self, person_id: int, state: DeliveryState, reason: str, now: dt.datetime) -> int:
        """Everything still waiting for this person ends with `state` (they blocked the bot, or left)."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.person_id == person_id, Delivery.state == DeliveryState.PENDING)
            .values(state=state, reason=reason, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def close_pending_of(self, kind: str, ref: str, state: DeliveryState, reason: str, now: dt.datetime) -> int:
        """Everything still waiting of one item (a broadcast that was cancelled) ends with `state`."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.kind == kind, Delivery.ref == ref, Delivery.state == DeliveryState.PENDING)
            .values(state=state, reason=reason, updated_at=now)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def forget_person(self, person_id: int | None, chat_id: int, now: dt.datetime) -> None:
        """Someone asked to be forgotten (before their person row goes): what still waited for them is dropped, and
        every row addressed to them stays only as an anonymous count: no person, no chat, no message id, and a key
        that names nobody (keys carry the person id; SQLite may give a later person the same id)."""
        addressed = Delivery.chat_id == chat_id
        if person_id is not None:
            addressed = addressed | (Delivery.person_id == person_id)
        await self._session.execute(
            update(Delivery)
            .where(addressed, Delivery.state == DeliveryState.PENDING)
            .values(state=DeliveryState.SKIPPED, reason="person deleted their data", updated_at=now)
        )
        await self._session.execute(
            update(Delivery)
            .where(addressed)
            .values(
                chat_id=None,
                person_id=None,
                message_id=None,
                key=literal(FORGOTTEN_KEY) + cast(Delivery.id, String),
            )
        )

    async def outcomes(
        self, cohort_ids: Sequence[int], since: dt.datetime, kinds: Sequence[str] | None = None
    ) -> list[OutcomeCount]:
        """Counts by (due time, kind, state, reason) for these cohorts' deliveries due since `since`."""
        count = func.count(Delivery.id)
        query = (
            select(Delivery.due_at, Delivery.kind, Delivery.state, Delivery.reason, count)
            .where(Delivery.cohort_id.in_(cohort_ids), Delivery.due_at >= since)
            .group_by(Delivery.due_at, Delivery.kind, Delivery.state, Delivery.reason)
            .order_by(Delivery.due_at)
        )
        if kinds is not None:
            query = query.where(Delivery.kind.in_(kinds))
        rows = await self._session.execute(query)
        return [
            OutcomeCount(due_at, kind, DeliveryState(state), reason, int(n)) for due_at, kind, state, reason, n in rows
        ]

    async def of_kind(self, kind: str, cohort_id: int | None = None) -> list[DeliveryDTO]:
        query = select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)
        if cohort_id is not None:
            query = query.where(Delivery.cohort_id == cohort_id)
        return [_delivery(r) for r in await self._session.scalars(query)]

    async def for_person(self, person_id: int) -> list[DeliveryDTO]:
        rows = await self._session.scalars(select(Delivery).where(Delivery.person_id == person_id))
        return [_delivery(r) for r in rows]
