"""The baseline: a bare python-telegram-bot bot that echoes texts (with a button) and answers button presses."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import RetryAfter
from telegram.ext import Application, ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from tests.fake_telegram import FakeTelegram

EchoApplication = Application[Any, Any, Any, Any, Any, Any]
RETRIES = 20


def markup(count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton("again", callback_data=f"echo:{count}")]])


async def until_sent(send: Callable[[], Awaitable[object]]) -> None:
    """The least any bot needs under Telegram's flood limits: wait out a 429 and send again."""
    for _ in range(RETRIES):
        try:
            await send()
            return
        except RetryAfter as exc:
            wait = exc.retry_after
            await asyncio.sleep(wait if isinstance(wait, int) else wait.total_seconds())
    await send()


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the same text back, with one inline button."""
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    await until_sent(lambda: message.reply_text(text, reply_markup=markup(0)))


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the query, then edit the message (new text, the button kept)."""
    query = update.callback_query
    assert query is not None and query.data is not None
    count = int(query.data.split(":")[1]) + 1
    await until_sent(query.answer)
    await until_sent(lambda: query.edit_message_text(f"pressed {count}", reply_markup=markup(count)))


def build(fake: FakeTelegram, concurrent_updates: int) -> EchoApplication:
    application = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .concurrent_updates(concurrent_updates)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    return application


async def start(application: EchoApplication) -> None:
    """Long polling under the caller's loop, as `bot.runtime.BotRunner` does for cohortbot."""
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=dt.timedelta(seconds=1), allowed_updates=Update.ALL_TYPES
    )
    await application.start()


async def stop(application: EchoApplication) -> None:
    assert application.updater is not None
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
