"""Broadcasts: the announcement records, and figures over their delivery rows in the outbox."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Sequence

from sqlalchemy import String, cast, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.broadcasts.dto import BROADCAST, BroadcastDTO, BroadcastState, ReportRow
from storage.broadcasts.models import Broadcast
from storage.dto import DeliveryState
from storage.models import Delivery, Person


def _broadcast(row: Broadcast) -> BroadcastDTO:
    return BroadcastDTO(
        id=row.id,
        sender_id=row.sender_id,
        source_chat_id=row.source_chat_id,
        source_message_id=row.source_message_id,
        content=row.content,
        text=row.text,
        cohort_ids=tuple(int(part) for part in row.cohort_ids.split(",") if part),
        towns=None if row.towns is None else tuple(json.loads(row.towns)),
        only_absent=bool(row.only_absent),
        state=row.state,
        send_at=row.send_at,
        recipients=row.recipients,
        status_chat_id=row.status_chat_id,
        status_message_id=row.status_message_id,
        created_at=row.created_at,
        confirmed_at=row.confirmed_at,
        finished_at=row.finished_at,
    )


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        sender_id: int,
        source_chat_id: int,
        source_message_id: int,
        content: str,
        text: str | None,
        cohort_ids: Sequence[int],
        towns: Sequence[str] | None,
        only_absent: bool,
        recipients: int,
        now: dt.datetime,
    ) -> BroadcastDTO:
        row = Broadcast(
            sender_id=sender_id,
            source_chat_id=source_chat_id,
            source_message_id=source_message_id,
            content=content,
            text=text,
            cohort_ids=",".join(str(c) for c in sorted(set(cohort_ids))),
            towns=None if towns is None else json.dumps(sorted(towns), ensure_ascii=False),
            only_absent=only_absent,
            state=BroadcastState.DRAFT,
            recipients=recipients,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _broadcast(row)

    async def by_id(self, broadcast_id: int) -> BroadcastDTO | None:
        row = await self._session.get(Broadcast, broadcast_id)
        return _broadcast(row) if row else None

    async def confirm(
        self, broadcast_id: int, *, send_at: dt.datetime | None, recipients: int, now: dt.datetime
    ) -> bool:
        """draft → sending, once: a second press on Confirm finds it no longer a draft."""
        result = await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.state == BroadcastState.DRAFT)
            .values(state=BroadcastState.SENDING, send_at=send_at, recipients=recipients, confirmed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(status_chat_id=chat_id, status_message_id=message_id)
        )

    async def finish(self, broadcast_id: int, state: str, now: dt.datetime, *, only_from: Sequence[str]) -> bool:
        result = await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.state.in_(only_from))
            .values(state=state, finished_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def in_state(self, state: str) -> list[BroadcastDTO]:
        rows = await self._session.scalars(select(Broadcast).where(Broadcast.state == state).order_by(Broadcast.id))
        return [_broadcast(r) for r in rows]

    async def recent(self, sender_id: int | None, limit: int = 20) -> list[BroadcastDTO]:
        """Confirmed broadcasts, newest first; only one sender's when `sender_id` is given."""
        query = select(Broadcast).where(Broadcast.state != BroadcastState.DRAFT)
        if sender_id is not None:
            query = query.where(Broadcast.sender_id == sender_id)
        rows = await self._session.scalars(query.order_by(Broadcast.id.desc()).limit(limit))
        return [_broadcast(r) for r in rows]

    async def by_sender(self, sender_id: int) -> list[BroadcastDTO]:
        """Every announcement this person started, drafts included, oldest first (for /mydata)."""
        rows = await self._session.scalars(
            select(Broadcast).where(Broadcast.sender_id == sender_id).order_by(Broadcast.id)
        )
        return [_broadcast(r) for r in rows]

    async def counts(self, broadcast_ids: Sequence[int]) -> dict[int, Counter[DeliveryState]]:
        """Delivery states per broadcast."""
        if not broadcast_ids:
            return {}
        rows = await self._session.execute(
            select(Delivery.ref, Delivery.state, func.count(Delivery.id))
            .where(Delivery.kind == BROADCAST, Delivery.ref.in_([str(i) for i in broadcast_ids]))
            .group_by(Delivery.ref, Delivery.state)
        )
        found: dict[int, Counter[DeliveryState]] = {i: Counter() for i in broadcast_ids}
        for ref, state, count in rows:
            found[int(ref or 0)][DeliveryState(state)] = int(count)
        return found

    async def reasons(self, broadcast_id: int) -> Counter[tuple[DeliveryState, str]]:
        rows = await self._session.execute(
            select(Delivery.state, Delivery.reason, func.count(Delivery.id))
            .where(Delivery.kind == BROADCAST, Delivery.ref == str(broadcast_id), Delivery.reason.is_not(None))
            .where(Delivery.state != DeliveryState.SENT)
            .group_by(Delivery.state, Delivery.reason)
        )
        return Counter({(DeliveryState(state), str(reason)): int(n) for state, reason, n in rows})

    async def report(self, broadcast_id: int) -> list[ReportRow]:
        rows = await self._session.execute(
            select(Person.full_name, Person.town, Delivery.state, Delivery.reason, Delivery.sent_at)
            .select_from(Delivery)
            .outerjoin(Person, Person.id == Delivery.person_id)
            .where(Delivery.kind == BROADCAST, Delivery.ref == str(broadcast_id))
            .order_by(Person.name_key, Delivery.id)
        )
        return [
            ReportRow(name, town, DeliveryState(state), reason, sent_at) for name, town, state, reason, sent_at in rows
        ]

    async def delivered_to(self, person_id: int, limit: int = 10) -> list[tuple[BroadcastDTO, dt.datetime]]:
        """The announcements that reached this person, newest first, with when."""
        rows = await self._session.execute(
            select(Broadcast, Delivery.sent_at)
            .join(Delivery, Delivery.ref == cast(Broadcast.id, String))
            .where(
                Delivery.kind == BROADCAST,
                Delivery.person_id == person_id,
                Delivery.state == DeliveryState.SENT,
            )
            .order_by(Delivery.sent_at.desc())
            .limit(limit)
        )
        return [(_broadcast(b), sent_at) for b, sent_at in rows if sent_at is not None]

    async def forget_sender(self, person_id: int) -> None:
        """The sender asked to be forgotten. Announcements never sent (drafts, or cancelled before confirming) hold
        only their own text and go; sent ones stay for their recipients' /announcements, without the sender and
        without the link to the sender's chat (so what was still waiting is skipped, not copied)."""
        mine = Broadcast.sender_id == person_id
        await self._session.execute(
            delete(Broadcast).where(
                mine,
                (Broadcast.state == BroadcastState.DRAFT)
                | ((Broadcast.state == BroadcastState.CANCELLED) & Broadcast.confirmed_at.is_(None)),
            )
        )
        await self._session.execute(
            update(Broadcast)
            .where(mine)
            .values(sender_id=None, source_chat_id=None, status_chat_id=None, status_message_id=None)
        )
