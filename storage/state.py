"""Bot state: small JSON texts by namespace and key (conversation persistence, bot metadata)."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.models import BotState


class BotStateRepository:
    """Key-value JSON texts by namespace; used by the conversation persistence and small bot metadata."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, namespace: str) -> dict[str, str]:
        rows = await self._session.execute(select(BotState.key, BotState.data).where(BotState.namespace == namespace))
        return {key: data for key, data in rows}

    async def get(self, namespace: str, key: str) -> str | None:
        row = await self._session.get(BotState, (namespace, key))
        return row.data if row else None

    async def put(self, namespace: str, key: str, data: str) -> None:
        """Insert or replace (two writers of one key at once: the later one's data stays)."""
        new = insert_ignoring(self._session, BotState, ["namespace", "key"]).values(
            namespace=namespace, key=key, data=data
        )
        if not await inserted(self._session, new):
            await self._session.execute(
                update(BotState).where(BotState.namespace == namespace, BotState.key == key).values(data=data)
            )

    async def remove(self, namespace: str, key: str) -> None:
        await self._session.execute(delete(BotState).where(BotState.namespace == namespace, BotState.key == key))

    async def remove_key_everywhere(self, namespace_prefix: str, key: str) -> None:
        """Remove one key from every namespace that starts with the prefix (all conversations)."""
        await self._session.execute(
            delete(BotState).where(BotState.namespace.startswith(namespace_prefix), BotState.key == key)
        )
