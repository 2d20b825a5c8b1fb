"""Conversation states and per-user drafts in the bot_state table, as JSON (Telegram-free: bot.persistence adapts
it to PTB's persistence).

Keys are exact strings ("<user id>" or "<chat id>,<user id>") so /forgetme can delete them precisely.
"""

from __future__ import annotations

import json
from typing import Any

from storage.state import BotStateRepository
from storage.uow import Database

USER_DATA = "user_data"
CONVERSATION_PREFIX = "conversation:"

UserData = dict[Any, Any]
ConversationKey = tuple[str | int, ...]


def conversation_key(key: ConversationKey) -> str:
    return ",".join(str(part) for part in key)


def parse_key(text: str) -> ConversationKey:
    return tuple(int(part) if part.lstrip("-").isdigit() else part for part in text.split(","))


async def forget_state(state: BotStateRepository, telegram_id: int) -> None:
    """Remove a person's drafts and conversation positions (private chat: chat id == user id)."""
    await state.remove(USER_DATA, str(telegram_id))
    for namespace_key in (str(telegram_id), f"{telegram_id},{telegram_id}"):
        await state.remove_key_everywhere(CONVERSATION_PREFIX, namespace_key)


class ConversationStore:
    """Each call is its own unit of work: every update is written through, nothing is buffered."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def user_data(self) -> dict[int, UserData]:
        async with self._db.unit_of_work() as uow:
            rows = await uow.state.load(USER_DATA)
        return {int(key): json.loads(data) for key, data in rows.items()}

    async def put_user_data(self, user_id: int, data: UserData) -> None:
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

    async def conversations(self, name: str) -> dict[ConversationKey, object]:
        async with self._db.unit_of_work() as uow:
            rows = await uow.state.load(CONVERSATION_PREFIX + name)
        return {parse_key(key): json.loads(data) for key, data in rows.items()}

    async def put_conversation(self, name: str, key: ConversationKey, new_state: object | None) -> None:
        async with self._db.unit_of_work() as uow:
            if new_state is None:
                await uow.state.remove(CONVERSATION_PREFIX + name, conversation_key(key))
            else:
                await uow.state.put(CONVERSATION_PREFIX + name, conversation_key(key), json.dumps(new_state))
            await uow.commit()
