"""Sending replies: right-to-left safe HTML, split at Telegram's limit, brief retries on network trouble."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import NetworkError, RetryAfter, TimedOut

from bot.text import rtl_safe, split_message

log = logging.getLogger(__name__)
T = TypeVar("T")

NETWORK_RETRIES = 3
MAX_REPLY_WAIT_S = 10.0

Markup = InlineKeyboardMarkup | ReplyKeyboardRemove | None


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """Retry a reply on network errors with backoff, and once after a short 429 wait."""
    delay = 0.5
    for attempt in range(NETWORK_RETRIES + 1):
        try:
            return await send()
        except RetryAfter as exc:
            wait = exc.retry_after if isinstance(exc.retry_after, int) else exc.retry_after.total_seconds()
            if attempt == NETWORK_RETRIES or wait > MAX_REPLY_WAIT_S:
                raise
            await asyncio.sleep(wait)
        except (TimedOut, NetworkError):
            if attempt == NETWORK_RETRIES:
                raise
            log.warning("reply failed on the network; retrying in %.1f s", delay)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    if chat is None:
        raise ValueError("update without a chat")
    return chat.id


async def reply(update: Update, text: str, markup: Markup = None) -> Message:
    """Answer the chat an update came from; long text is split, the markup goes on the last part."""
    bot = update.get_bot()
    chat_id = chat_id_of(update)
    parts = split_message(rtl_safe(text))
    message: Message | None = None
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        message = await with_retries(
            lambda part=part, last=last: bot.send_message(  # type: ignore[misc]
                chat_id,
                part,
                parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
                disable_web_page_preview=True,
            )
        )
    assert message is not None
    return message


async def reply_photo(update: Update, photo: bytes, caption: str, filename: str = "qr.png") -> Message:
    bot = update.get_bot()
    return await with_retries(
        lambda: bot.send_photo(
            chat_id_of(update), photo, caption=rtl_safe(caption), parse_mode=ParseMode.HTML, filename=filename
        )
    )


async def edit_or_reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """After a button press, replace the pressed message's text (and drop its buttons unless new ones given)."""
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        await with_retries(
            lambda: query.edit_message_text(
                rtl_safe(text), parse_mode=ParseMode.HTML, reply_markup=markup, disable_web_page_preview=True
            )
        )
    else:
        await reply(update, text, markup)


def buttons(rows: Sequence[Sequence[tuple[str, str]]]) -> InlineKeyboardMarkup:
    """Inline keyboard from (label, callback data) pairs; data stays short ASCII (<= 64 bytes)."""
    for row in rows:
        for _label, data in row:
            if len(data.encode()) > 64:
                raise ValueError(f"callback data too long: {data!r}")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )
