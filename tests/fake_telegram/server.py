"""An in-process fake of the Telegram Bot API (aiohttp.web on 127.0.0.1, random port).

The real bot talks to it through PTB (``ApplicationBuilder().base_url(fake.base_url)...``);
tests drive simulated users (:mod:`.users`) and inspect what the bot sent (``fake.sent``).
The HTTP layer and the shared state live here; the Bot API methods are in ``methods_*.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from . import methods_bot, methods_media, methods_messages
from .api import METHODS, Call
from .limits import Limits, RateLimiter
from .models import ApiError, FileRecord, SentMessage, bad_request
from .objects import (
    bot_user_json,
    chat_member_json,
    decode_value,
    now,
    private_chat_json,
    user_json,
)
from .users import FakeUser

JSON = dict[str, Any]

# Update types Telegram delivers when allowed_updates is empty / never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

assert methods_bot and methods_media and methods_messages  # imported for their @api registrations


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


@dataclass
class _Failure:
    method: str
    error_code: int
    description: str
    retry_after: int | None
    chat_id: int | None
    remaining: int


_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: injected error",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


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


class FakeTelegram:
    """A fake Bot API server. Use as ``async with FakeTelegram() as fake: ...``."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "cohort_test_bot",
        limits: Limits | None = None,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.limits = limits if limits is not None else Limits()
        self.port = 0
        self.sent: list[SentMessage] = []
        self.calls: list[tuple[str, JSON]] = []
        self.errors: list[tuple[str, JSON, int, str]] = []  # (method, params, error_code, description)
        self.rate_limited = 0
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.webhook: JSON | None = None
        self.callback_answers: dict[str, JSON] = {}  # callback query id → answerCallbackQuery params
        self.menu_buttons: dict[int, JSON] = {}  # chat id (0 = default) → menu button

        self.bot_user = bot_user_json(bot_id, bot_username)
        self.signal = Signal()
        self.limiter = RateLimiter(self.limits)
        self.users: dict[int, FakeUser] = {}
        self.chats: dict[int, JSON] = {}
        self.blocked: set[int] = set()
        self.updates: list[JSON] = []
        self.allowed_updates: set[str] | None = None
        self.messages: dict[tuple[int, int], JSON] = {}  # (chat id, message id) → Message JSON
        self.sent_by_key: dict[tuple[int, int], SentMessage] = {}
        self.sent_by_chat: dict[int, list[SentMessage]] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        self.polls: dict[str, JSON] = {}
        self.pending_queries: dict[str, JSON] = {}
        self.poll_generation = 0
        self.closing = False
        self.webhook_error: str | None = None

        self._update_ids = itertools.count(1000)
        self._last_update_id = 999
        self._message_ids: dict[int, int] = {}
        self._ids = itertools.count(1)
        self._failures: list[_Failure] = []
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        if self._runner is not None:
            return
        self.closing = False
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(runner.addresses[0][1])
        self._runner = runner

    async def stop(self) -> None:
        self.closing = True
        self.signal.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
            self._webhook_task = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ----------------------------------------------------------------------------------------- HTTP

    async def _read_call(self, request: web.Request) -> Call:
        params: JSON = {}
        files: dict[str, tuple[str, bytes, str]] = {}
        for key, value in request.query.items():
            params[key] = decode_value(key, value)
        if request.can_read_body:
            if request.content_type == "application/json":
                body = await request.json()
                if isinstance(body, dict):
                    for key, value in body.items():
                        if isinstance(value, str) and key not in {"text", "caption"}:
                            params[key] = decode_value(key, value)
                        else:
                            params[key] = value
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        files[key] = (value.filename, content, value.content_type)
                    else:
                        params[key] = decode_value(key, str(value))
        return Call(params, files)

    async def _handle_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        entry = METHODS.get(request.match_info["method"].lower())
        if entry is None:
            return _json({"ok": False, "error_code": 404, "description": "Not Found: method not found"}, 404)
        name, handler = entry
        call = await self._read_call(request)
        call.method = name
        self.calls.append((name, call.params))
        try:
            self._check_injected(name, call.params)
            result = await handler(self, call)
        except ApiError as error:
            self.errors.append((name, call.params, error.error_code, error.description))
            return _json(error.payload(), error.error_code)
        finally:
            self.signal.notify()
        return _json({"ok": True, "result": result}, 200)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
        record = self.files_by_path.get(request.match_info["path"])
        if record is None:
            return _json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
        return web.Response(body=record.content, content_type=record.mime_type or "application/octet-stream")

    # -------------------------------------------------------------------------------- test controls

    def user(
        self,
        user_id: int,
        first_name: str = "User",
        *,
        language_code: str | None = "ar",
        last_name: str | None = None,
        username: str | None = None,
    ) -> FakeUser:
        """Create (or return the existing) simulated user; its private chat becomes known."""
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        data = user_json(user_id, first_name, last_name=last_name, username=username, language_code=language_code)
        fake_user = FakeUser(self, data)
        self.users[user_id] = fake_user
        self.chats[user_id] = private_chat_json(data)
        return fake_user

    def add_group(self, chat_id: int, title: str = "Group", *, chat_type: str = "supergroup") -> JSON:
        """Register a group chat (negative id) the bot may send to."""
        chat: JSON = {"id": chat_id, "type": chat_type, "title": title}
        self.chats[chat_id] = chat
        return chat

    def messages_to(self, chat_id: int) -> list[SentMessage]:
        return list(self.sent_by_chat.get(chat_id, []))

    def fail_next(
        self,
        method: str,
        *,
        error_code: int = 429,
        description: str | None = None,
        retry_after: int | None = None,
        chat_id: int | None = None,
        times: int = 1,
    ) -> None:
        """The next ``times`` calls of ``method`` (optionally only for ``chat_id``) answer this error."""
        if error_code == 429 and retry_after is None:
            retry_after = 1
        if description is None:
            if error_code == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _DEFAULT_DESCRIPTIONS.get(error_code, "Error")
        self._failures.append(_Failure(method.lower(), error_code, description, retry_after, chat_id, times))

    def _check_injected(self, method: str, params: JSON) -> None:
        for failure in self._failures:
            if failure.method != method.lower():
                continue
            if failure.chat_id is not None and as_chat_id(params.get("chat_id")) != failure.chat_id:
                continue
            failure.remaining -= 1
            if failure.remaining <= 0:
                self._failures.remove(failure)
            raise ApiError(failure.error_code, failure.description, retry_after=failure.retry_after)

    def block(self, user_id: int) -> None:
        self.blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self.blocked.discard(user_id)

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
        self.updates.append(update)
        self.signal.notify()
        return update_id

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (getUpdates offset / webhook 200)."""
        return len(self.updates)

    def add_file(
        self, content: bytes, file_name: str = "file.bin", mime_type: str = "application/octet-stream"
    ) -> dict[str, Any]:
        """Register a downloadable file; returns a Document-like dict."""
        record = self.register_file(content, file_name, mime_type, "documents")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_name": file_name,
            "mime_type": mime_type,
        }

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Poll ``predicate`` until true, else raise AssertionError describing the state."""
        if await self.signal.wait_for(predicate, timeout, poll=0.02):
            return
        try:
            where = inspect.getsource(predicate).strip()
        except (OSError, TypeError):
            where = repr(predicate)
        recent_calls = ", ".join(name for name, _ in self.calls[-10:])
        recent_sent = "\n  ".join(str(m) for m in self.sent[-5:]) or "(nothing)"
        recent_errors = "\n  ".join(f"{m}: {code} {desc}" for m, _, code, desc in self.errors[-5:]) or "(none)"
        raise AssertionError(
            f"wait_until timed out after {timeout}s waiting for: {where}\n"
            f"last API calls: {recent_calls or '(none)'}\n"
            f"last bot messages:\n  {recent_sent}\n"
            f"last API errors:\n  {recent_errors}\n"
            f"pending updates: {len(self.updates)}"
        )

    def reset_limits(self) -> None:
        """Forget the flood-limit token buckets (fresh bursts for every chat)."""
        self.limiter.reset()

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

    # -------------------------------------------------------------------------------------- updates

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

    def start_webhook_delivery(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())

    async def _webhook_loop(self) -> None:
        async with aiohttp.ClientSession() as session:
            while not self.closing and self.webhook is not None:
                webhook = self.webhook
                url = str(webhook.get("url", ""))
                batch = self.deliverable(1)
                if not batch or urlsplit(url).hostname not in LOOPBACK_HOSTS:
                    if batch:
                        self.webhook_error = "the fake server only delivers webhooks to 127.0.0.1"
                    await self.signal.wait(0.5)
                    continue
                update = batch[0]
                headers = {"Content-Type": "application/json"}
                if webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = str(webhook["secret_token"])
                try:
                    async with session.post(
                        url, data=json.dumps(update), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
                    ) as response:
                        delivered = response.status == 200
                        if not delivered:
                            self.webhook_error = f"Wrong response from the webhook: {response.status}"
                except (aiohttp.ClientError, TimeoutError) as exc:
                    delivered = False
                    self.webhook_error = f"Connection failed: {exc!r}"
                if delivered and self.webhook is webhook:
                    self.confirm(int(update["update_id"]) + 1)
                    self.signal.notify()
                elif not delivered:
                    await asyncio.sleep(0.2)


def _json(payload: JSON, status: int) -> web.Response:
    return web.Response(text=json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json")
