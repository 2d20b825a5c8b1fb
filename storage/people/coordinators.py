"""The organisation-wide coordinator role, keyed by Telegram id (a coordinator may have no person row)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.models import Coordinator


class CoordinatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_coordinator(self, telegram_id: int) -> bool:
        return await self._session.get(Coordinator, telegram_id) is not None

    async def granted_at(self, telegram_id: int) -> dt.datetime | None:
        row = await self._session.get(Coordinator, telegram_id)
        return row.granted_at if row else None

    async def grant(self, telegram_id: int, now: dt.datetime) -> bool:
        """Grant the role; False when it was already held (also when granted by someone else at the same moment)."""
        statement = insert_ignoring(self._session, Coordinator, ["telegram_id"]).values(
            telegram_id=telegram_id, granted_at=now
        )
        return bool(await inserted(self._session, statement))

    async def revoke(self, telegram_id: int) -> bool:
        result = await self._session.execute(delete(Coordinator).where(Coordinator.telegram_id == telegram_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def lock_all(self) -> list[int]:
        """Every coordinator, row-locked until commit: two revokes counting at once cannot both see two left (the
        one that waited reads again and no longer sees the row the other deleted)."""
        rows = await self._session.scalars(
            select(Coordinator.telegram_id).order_by(Coordinator.telegram_id).with_for_update()
        )
        return list(rows)

    async def all_ids(self) -> list[int]:
        rows = await self._session.scalars(select(Coordinator.telegram_id).order_by(Coordinator.telegram_id))
        return list(rows)

    async def holds(self, telegram_id: int) -> bool:
        """Whether they are a coordinator, the row share-locked until commit (PostgreSQL; SQLite has one writer
        anyway): a revoke waits for the act it authorised (`bot.services.access`)."""
        found = await self._session.scalar(
            select(Coordinator.telegram_id).where(Coordinator.telegram_id == telegram_id).with_for_update(read=True)
        )
        return found is not None
