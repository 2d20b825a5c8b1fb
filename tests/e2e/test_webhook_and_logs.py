"""Webhook mode rejects calls without the secret header; logs never show the token."""

from __future__ import annotations

import io
import json
import logging
import socket

import aiohttp
import pytest

from bot.app import build_application, on_shutdown
from bot.logs import REDACTED, configure_logging
from bot.runtime import prepare_database, webhook_options
from bot.settings import SettingsError
from tests.conftest import make_settings
from tests.fake_telegram import FakeTelegram


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def update_json(update_id: int, user_id: int, text: str) -> dict[str, object]:
    user = {"id": user_id, "is_bot": False, "first_name": "Web", "language_code": "en"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_700_000_000,
            "chat": {"id": user_id, "type": "private", "first_name": "Web"},
            "from": user,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_requires_the_secret(fake: FakeTelegram, database_url: str) -> None:
    port = free_port()
    settings = make_settings(
        database_url,
        fake,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret="s3cret-token_value",
        webhook_listen="127.0.0.1",
        webhook_port=port,
    )
    await prepare_database(settings)
    application = build_application(settings)
    options = webhook_options(settings)
    assert options["url_path"] == "telegram/hook"
    options.pop("allowed_updates")
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_webhook(**options, drop_pending_updates=False)
    await application.start()
    try:
        assert fake.webhook is not None
        assert fake.webhook.get("secret_token") == "s3cret-token_value"
        user = fake.user(9101, "Web", language_code="en")
        url = f"http://127.0.0.1:{port}/telegram/hook"
        async with aiohttp.ClientSession() as session:
            body = json.dumps(update_json(1, user.id, "/whoami"))
            headers = {"Content-Type": "application/json"}
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == 403
            wrong = {**headers, "X-Telegram-Bot-Api-Secret-Token": "wrong"}
            async with session.post(url, data=body, headers=wrong) as response:
                assert response.status == 403
            right = {**headers, "X-Telegram-Bot-Api-Secret-Token": "s3cret-token_value"}
            async with session.post(url, data=body, headers=right) as response:
                assert response.status == 200
        reply = await user.expect("9101")
        assert "Telegram id" in (reply.text or "")
        assert len(user.inbox) == 1  # the rejected calls did nothing
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        await on_shutdown(application)


def test_webhook_without_secret_is_refused(database_url: str) -> None:
    settings = make_settings(database_url, webhook_url="https://bot.example.org/hook")
    with pytest.raises(SettingsError, match="WEBHOOK_SECRET"):
        webhook_options(settings)


def test_token_is_redacted_and_httpx_is_quiet() -> None:
    token = "123456:SECRET-TOKEN"
    configure_logging("DEBUG", token)
    stream = io.StringIO()
    root = logging.getLogger()
    root.handlers[0].stream = stream  # type: ignore[attr-defined]
    try:
        logging.getLogger("telegram.ext").error("POST https://api.telegram.org/bot%s/getUpdates failed", token)
        try:
            raise RuntimeError(f"boom at /bot{token}/sendMessage")
        except RuntimeError:
            logging.getLogger("x").exception("with traceback")
        output = stream.getvalue()
        assert token not in output
        assert output.count(REDACTED) == 2  # the message and the exception text
        assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
        assert logging.getLogger("telegram.ext").getEffectiveLevel() >= logging.INFO  # no update dumps
    finally:
        root.handlers.clear()
        root.setLevel(logging.WARNING)
