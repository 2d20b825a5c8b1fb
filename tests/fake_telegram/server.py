"""An in-process fake of the Telegram Bot API (aiohttp.web on 127.0.0.1, random port).

The real bot talks to it through PTB (``ApplicationBuilder().base_url(fake.base_url)...``);
tests drive simulated users (:mod:`.users`) and inspect what the bot sent (``fake.sent``).
The HTTP layer and the test controls live here, the shared state in ``state.py`` and the Bot API
methods in ``methods_*.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
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
from .limits import Limits
from .models import ApiError, SentMessage
from .objects import command_entities, decode_value, private_chat_json, user_json
from .state import BotApiState, as_chat_id
from .users import FakeUser

JSON = dict[str, Any]
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
MAX_UPLOAD_BYTES = 50 * 1024 * 1024

assert methods_bot and methods_media and methods_messages  # imported for their @api registrations


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


class FakeTelegram(BotApiState):
    """A fake Bot API server. Use as ``async with FakeTelegram() as fake: ...``."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 123456,
        bot_username: str = "cohort_test_bot",
        limits: Limits | None = None,
    ) -> None:
        super().__init__(token=token, bot_id=bot_id, bot_username=bot_username, limits=limits)
        self.port = 0
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
                        params[key] = decode_value(key, value) if isinstance(value, str) else value
            else:
                form = await request.post()
                for key, field in form.items():
                    if isinstance(field, web.FileField):
                        files[key] = (field.filename, field.file.read(), field.content_type)
                    elif isinstance(field, bytes | bytearray):
                        params[key] = decode_value(key, field.decode("utf-8", "replace"))
                    else:
                        params[key] = decode_value(key, field)
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
        except Exception as exc:  # a bug in the fake (or a parameter it can't handle): make it visible
            description = f"Internal Server Error: fake_telegram failed on {name}: {exc!r}"
            self.errors.append((name, call.params, 500, description))
            return _json({"ok": False, "error_code": 500, "description": description}, 500)
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

    def channel_post(self, chat_id: int, text: str, *, edited: bool = False) -> int:
        """A post in a channel the bot is in (``add_group(chat_id, chat_type="channel")`` first); returns update_id."""
        message_id = self.next_message_id(chat_id)
        message: JSON = {"message_id": message_id, "chat": self.chats[chat_id], "date": int(time.time()), "text": text}
        entities = command_entities(text)
        if entities:
            message["entities"] = entities
        if edited:
            message["edit_date"] = int(time.time())
        return self.push_update({"edited_channel_post" if edited else "channel_post": message})

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
