"""PTB persistence in our own database: conversation states and per-user drafts, so flows survive restarts.

Only `user_data` and conversations are kept (as JSON); chat, bot and callback data are not used.
Keys are exact strings ("<user id>" or "<chat id>,<user id>") so /forgetme can delete them precisely.
"""

from __future__ import annotations

import json
from typing import Any

from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.state import BotStateRepository
from storage.uow import Database

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"

UserData = dict[Any, Any]


def _conversation_key(key: ConversationKey) -> str:
    return ",".join(str(part) for part in key)


def _parse_key(text: str) -> ConversationKey:
    return tuple(int(part) if part.lstrip("-").isdigit() else part for part in text.split(","))


async def forget_state(state: BotStateRepository, telegram_id: int) -> None:
    """Remove a person's drafts and conversation positions (private chat: chat id == user id)."""
    await state.remove(USER_DATA, str(telegram_id))
    for namespace_key in (str(telegram_id), f"{telegram_id},{telegram_id}"):
        await state.remove_key_everywhere(CONVERSATION_PREFIX, namespace_key)


class SqlPersistence(BasePersistence[UserData, dict[Any, Any], dict[Any, Any]]):
    def __init__(self, db: Database, update_interval: float = 1.0) -> None:
        super().__init__(
            store_data=PersistenceInput(bot_data=False, chat_data=False, user_data=True, callback_data=False),
            update_interval=update_interval,
        )
        self._db = db

    async def get_user_data(self) -> dict[int, UserData]:
        async with self._db.unit_of_work() as uow:
            rows = await uow.state.load(USER_DATA)
        return {int(key): json.loads(data) for key, data in rows.items()}

    async def update_user_data(self, user_id: int, data: UserData) -> None:
        async with self._db.unit_of_work() as uow:
            if data:
                await uow.state.put(USER_DATA, str(user_id), json.dumps(data, ensure_ascii=False))
            else:
                await uow.state.remove(USER_DATA, str(user_id))
            await uow.commit()

    async def drop_user_data(self, user_id: int) -> None:
        async with self._db.unit_of_work() as uow:
            await uow.state.remove(USER_DATA, str(user_id))
            await uow.commit()

    async def refresh_user_data(self, user_id: int, user_data: UserData) -> None:
        """The in-memory copy is authoritative while running."""

    async def get_conversations(self, name: str) -> ConversationDict:
        async with self._db.unit_of_work() as uow:
            rows = await uow.state.load(CONVERSATION_PREFIX + name)
        return {_parse_key(key): json.loads(data) for key, data in rows.items()}

    async def update_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        async with self._db.unit_of_work() as uow:
            if new_state is None:
                await uow.state.remove(CONVERSATION_PREFIX + name, _conversation_key(key))
            else:
                await uow.state.put(CONVERSATION_PREFIX + name, _conversation_key(key), json.dumps(new_state))
            await uow.commit()

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
