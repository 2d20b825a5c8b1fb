"""PTB persistence in our own database: conversation states and per-user drafts, so flows survive restarts.

Only `user_data` and conversations are kept (as JSON, by storage.conversation_state); chat, bot and callback data
are not used.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.conversation_state import ConversationStore, UserData
from storage.uow import Database


class SqlPersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._store = ConversationStore(db)

    async def get_user_data(self) -> dict[int, UserData]:
        return await self._store.user_data()

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        await self._store.put_user_data(user_id, data)

    async def drop_user_data(self, user_id: int) -> None:
        await self._store.drop_user_data(user_id)

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """The in-memory copy is authoritative while running."""

    async def get_conversations(self, name: str) -> ConversationDict:
        return await self._store.conversations(name)

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        await self._store.put_conversation(name, key, new_state)

    # Chat, bot and callback data are not stored (store_data says so); PTB still requires the methods.
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def flush(self) -> None:
        """Every update is written through; nothing is buffered."""
