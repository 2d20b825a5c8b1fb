"""Shared state of the fake Bot API and the helpers the method handlers use to change it."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .limits import Limits, RateLimiter
from .models import ApiError, FileRecord, SentMessage, bad_request
from .objects import bot_user_json, chat_member_json, now

if TYPE_CHECKING:
    from .users import FakeUser

JSON = dict[str, Any]

# Update types Telegram delivers when allowed_updates is empty / never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """Wake-up for everything waiting on server state (long polls, users, ``wait_until``)."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> None:  # noqa: ASYNC109
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), max(timeout, 0.0))

    async def wait_for(self, predicate: Callable[[], bool], timeout: float, *, poll: float | None = None) -> bool:  # noqa: ASYNC109
        """Wait until ``predicate()`` is true; ``poll`` also re-checks it periodically."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if predicate():
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await self.wait(min(remaining, poll) if poll else remaining)


def as_chat_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def update_type(update: JSON) -> str:
    return next((key for key in update if key != "update_id"), "")


class BotApiState:
    """Everything the fake server knows: chats, messages, files, polls, pending updates."""

    def __init__(self, *, token: str, bot_id: int, bot_username: str, limits: Limits | None) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.limits = limits if limits is not None else Limits()
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, JSON]] = []
        self.errors: list[tuple[str, JSON, int, str]] = []  # (method, params, error_code, description)
        self.rate_limited = 0
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.webhook: JSON | None = None
        self.webhook_error: str | None = None
        self.callback_answers: dict[str, JSON] = {}  # callback query id → answerCallbackQuery params
        self.menu_buttons: dict[int, JSON] = {}  # chat id (0 = default) → menu button

        self.bot_user = bot_user_json(bot_id, bot_username)
        self.signal = Signal()  # any state change
        self.chat_signals: dict[int, Signal] = {}  # new bot messages / callback answers per private chat
        self.limiter = RateLimiter(self.limits)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, JSON] = {}
        self.blocked: set[int] = set()
        self.opened: set[int] = set()  # users who have written to the bot: their private chat exists
        self.updates: list[JSON] = []
        self.allowed_updates: set[str] | None = None
        self.messages: dict[tuple[int, int], JSON] = {}  # (chat id, message id) → Message JSON
        self.sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self.sent_by_chat: dict[int, list[SentMessage]] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.polls: dict[str, JSON] = {}
        self.poll_votes: dict[str, dict[int, list[int]]] = {}  # poll id → user id → option ids
        self.pending_queries: dict[str, JSON] = {}
        self.poll_generation = 0
        self.closing = False

        self._update_ids = itertools.count(1000)
        self._last_update_id = 999
        self._message_ids: dict[int, int] = {}
        self._ids = itertools.count(1)

    def chat_signal(self, chat_id: int) -> Signal:
        signal = self.chat_signals.get(chat_id)
        if signal is None:
            signal = self.chat_signals[chat_id] = Signal()
        return signal

    # -------------------------------------------------------------------------------------- updates

    def push_update(self, update: dict[str, Any]) -> int:
        """Enqueue a raw update (``update_id`` assigned if missing); returns its update_id."""
        if "update_id" in update:
            update_id = int(update["update_id"])
            if update_id > self._last_update_id:
                self._update_ids = itertools.count(update_id + 1)
        else:
            update_id = next(self._update_ids)
            update = {"update_id": update_id, **update}
        self._last_update_id = max(self._last_update_id, update_id)
        for kind in ("message", "callback_query", "poll_answer", "my_chat_member"):
            sender = (update.get(kind) or {}).get("from") or (update.get(kind) or {}).get("user")
            if sender is not None and not sender.get("is_bot"):
                self.opened.add(int(sender["id"]))
        self.updates.append(update)
        self.signal.notify()
        return update_id

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (getUpdates offset / webhook 200)."""
        return len(self.updates)

    # --------------------------------------------------------------------- state used by the methods

    def next_id(self) -> int:
        return next(self._ids)

    def new_poll_id(self) -> str:
        return str(5_000_000_000_000_000_000 + self.next_id())

    def next_message_id(self, chat_id: int) -> int:
        message_id = self._message_ids.get(chat_id, 0) + 1
        self._message_ids[chat_id] = message_id
        return message_id

    def target_chat(self, value: Any, *, check_blocked: bool = True) -> JSON:
        """The chat a send goes to; 400 chat not found / 403 blocked like Telegram."""
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        chat_id = as_chat_id(value)
        chat = None
        if chat_id is not None:
            chat = self.chats.get(chat_id)
        elif isinstance(value, str) and value.startswith("@"):
            chat = next((c for c in self.chats.values() if c.get("username") == value[1:]), None)
        if chat is None:
            raise bad_request("chat not found")
        if check_blocked and chat["id"] in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def take_rate(self, chat_id: int, amount: int = 1) -> None:
        self.limiter.limits = self.limits
        retry_after = self.limiter.check(chat_id, amount)
        if retry_after is not None:
            self.rate_limited += 1
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)

    def register_file(self, content: bytes, file_name: str | None, mime_type: str | None, folder: str) -> FileRecord:
        number = self.next_id()
        suffix = ""
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        elif folder == "photos":
            suffix = ".jpg"
        record = FileRecord(
            file_id=f"FAKE{folder[:2].upper()}{number:06d}xx{self.bot_id}",
            file_unique_id=f"AgAD{number:06d}",
            content=content,
            file_name=file_name,
            mime_type=mime_type,
            file_path=f"{folder}/file_{number}{suffix}",
        )
        self.files[record.file_id] = record
        self.files[f"{record.file_id}-s"] = record  # the thumbnail PhotoSize of photos
        self.files_by_path[record.file_path] = record
        return record

    def bot_message(self, chat: JSON, fields: JSON) -> JSON:
        message_id = self.next_message_id(chat["id"])
        return {"message_id": message_id, "from": self.bot_user, "chat": chat, "date": now(), **fields}

    def store_bot_message(
        self,
        message: JSON,
        *,
        method: str,
        params: JSON,
        text: str | None = None,
        entities: list[JSON] | None = None,
        reply_markup: JSON | None = None,
        file: FileRecord | None = None,
        poll: JSON | None = None,
    ) -> SentMessage:
        chat_id = int(message["chat"]["id"])
        sent = SentMessage(
            message_id=int(message["message_id"]),
            chat_id=chat_id,
            method=method,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=reply_markup,
            file_bytes=file.content if file is not None and file.content else None,
            file_name=file.file_name if file is not None else None,
            poll=poll,
            params=params,
            sent_at=time.monotonic(),
            entities=list(entities or []),
            raw=message,
        )
        self.sent.append(sent)
        self.sent_by_chat.setdefault(chat_id, []).append(sent)
        self.sent_by_key[(chat_id, sent.message_id)] = sent
        self.messages[(chat_id, sent.message_id)] = message
        self.signal.notify()
        self.chat_signal(chat_id).notify()
        return sent

    def user_message(self, user: JSON, fields: JSON) -> JSON:
        """Create a message the user sends to the bot and enqueue it as an update."""
        chat = self.chats[user["id"]]
        message_id = self.next_message_id(chat["id"])
        message = {"message_id": message_id, "from": user, "chat": chat, "date": now(), **fields}
        self.messages[(chat["id"], message_id)] = message
        self.push_update({"message": message})
        return message

    def chat_member_update(self, user: JSON, old: str, new: str) -> int:
        chat = self.chats[user["id"]]
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": chat,
                    "from": user,
                    "date": now(),
                    "old_chat_member": chat_member_json(old, self.bot_user),
                    "new_chat_member": chat_member_json(new, self.bot_user),
                }
            }
        )

    # ------------------------------------------------------------------------------- update queue

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        elif offset < 0:
            self.updates = self.updates[offset:]

    def deliverable(self, limit: int) -> list[JSON]:
        allowed = self.allowed_updates
        kept: list[JSON] = []
        for update in self.updates:
            kind = update_type(update)
            if (allowed is None and kind in DEFAULT_EXCLUDED_UPDATES) or (allowed is not None and kind not in allowed):
                continue  # Telegram does not even store updates of types the bot did not ask for
            kept.append(update)
        self.updates = kept
        return kept[:limit]

    def set_allowed_updates(self, value: Any) -> None:
        if isinstance(value, list):
            self.allowed_updates = {str(v) for v in value} if value else None
