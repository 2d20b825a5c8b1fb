"""Sending replies: right-to-left safe HTML, split at Telegram's limit, brief retries on network trouble."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyKeyboardRemove, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.text import POPUP_LIMIT, plain, rtl_safe, split_message

log = logging.getLogger(__name__)
T = TypeVar("T")

NETWORK_RETRIES = 3
# A reply waits out 429s (a burst of people at once meets Telegram's 30 messages/s) up to this long in total.
MAX_FLOOD_WAIT_S = 60.0

Markup = InlineKeyboardMarkup | ReplyKeyboardRemove | None


async def with_retries(send: Callable[[], Awaitable[T]]) -> T:
    """Retry a reply after each 429 within a total wait budget, and on network errors with backoff."""
    delay, waited, network_failures = 0.5, 0.0, 0
    while True:
        try:
            return await send()
        except RetryAfter as exc:
            wait = float(exc.retry_after if isinstance(exc.retry_after, int) else exc.retry_after.total_seconds())
            if waited + wait > MAX_FLOOD_WAIT_S:
                raise
            waited += wait
            await asyncio.sleep(wait)
        except BadRequest:
            raise  # PTB makes it a NetworkError, but asking again gets the same answer
        except (TimedOut, NetworkError):
            network_failures += 1
            if network_failures > NETWORK_RETRIES:
                raise
            log.warning("reply failed on the network; retrying in %.1f s", delay)
            await asyncio.sleep(delay)
            delay *= 2


async def answer_callback(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press. Its pop-up is plain text (Telegram parses no HTML there): our HTML texts are turned
    into what they say (`&amp;` → `&`), cut to Telegram's 200 characters. An answer that came too late only loses
    the little toast: never an error."""
    query = update.callback_query
    if query is None:
        return
    shown = plain(text, POPUP_LIMIT) if text is not None else None
    try:
        await with_retries(lambda: query.answer(shown, show_alert=alert))
    except BadRequest as exc:
        log.info("callback answer dropped: %s", exc.message)


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


async def reply_document(update: Update, data: bytes, filename: str, caption: str = "") -> Message:
    """A file (an export) to the chat an update came from."""
    bot = update.get_bot()
    return await with_retries(
        lambda: bot.send_document(
            chat_id_of(update),
            data,
            filename=filename,
            caption=rtl_safe(caption) if caption else None,
            parse_mode=ParseMode.HTML,
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
