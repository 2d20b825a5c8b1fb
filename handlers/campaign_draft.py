"""The campaign conversation's shared pieces: the draft in user_data (persisted), the one waiting state, replies.

Every campaign flow (a new plan, an edit, a post, a proof, a trainer's comment) keeps what it has so far in one
draft: {"flow": ..., "step": ..., values...}. The conversation has one state, WAITING: typed text goes to the step
the draft names. Buttons are entry points; a button that starts or continues a flow returns WAITING, one that
finishes returns END, and one that only shows something returns None (the state stays as it was).
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler

from bot.i18n import _
from bot.services.errors import DomainError
from bot.text import clean_input, cmd, fmt
from handlers.context import BotContext
from handlers.problems import problem_text
from handlers.ui import answer_callback, edit_or_reply, reply

KEY = "campaign"
WAITING = 0
END = ConversationHandler.END
Step = int | None


def draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.get(KEY)
    if not isinstance(value, dict):
        value = {}
        context.user_data[KEY] = value
    return value


def begin(context: BotContext, flow: str, step: str, **values: Any) -> dict[str, Any]:
    """A new flow replaces whatever was half done."""
    assert context.user_data is not None
    value: dict[str, Any] = {"flow": flow, "step": step, "token": secrets.token_hex(3), **values}
    context.user_data[KEY] = value
    return value


def clear(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(KEY, None)


def finish(context: BotContext) -> int:
    clear(context)
    return END


_answered: OrderedDict[str, None] = OrderedDict()  # callback queries answered in this process (newest last)
ANSWERED_KEPT = 1000


async def answer(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    """Answer a button press once: the first answer (a toast, an alert or nothing) is the one Telegram shows."""
    query = update.callback_query
    if query is None or query.id in _answered:
        return
    _answered[query.id] = None
    while len(_answered) > ANSWERED_KEPT:
        _answered.popitem(last=False)
    await answer_callback(update, text, alert=alert)


def pressed(update: Update) -> None:
    """A button press starts being handled: it has not been answered yet (ids may repeat across test servers)."""
    if update.callback_query is not None:
        _answered.pop(update.callback_query.id, None)


def data_args(update: Update) -> list[str]:
    """ "cp:ef:12:goal" → ["ef", "12", "goal"]."""
    query = update.callback_query
    return (query.data or "").split(":")[1:] if query is not None else []


def int_arg(args: list[str], index: int) -> int | None:
    if index >= len(args) or not args[index].isascii() or not args[index].isdigit():
        return None
    return int(args[index])


def typed(update: Update) -> str:
    message = update.effective_message
    return clean_input(message.text or "") if message is not None else ""


async def say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """After a button press: replace the pressed message; after typed text: a new message."""
    if update.callback_query is not None and isinstance(update.callback_query.message, Message):
        await answer(update)
        await edit_or_reply(update, text, markup)
    else:
        await reply(update, text, markup)


async def stale(update: Update) -> Step:
    if update.callback_query is not None:
        await answer(update, _("This button is no longer active."))
    return None


async def refuse(update: Update, error: DomainError) -> None:
    """A refusal: an alert for a button press, a message for typed text. Nothing changed."""
    text = problem_text(error)
    if update.callback_query is not None:
        await answer(update, _plain(text)[:200], alert=True)
    else:
        await reply(update, text)


def _plain(text: str) -> str:
    return text.replace("<b>", "").replace("</b>", "")


async def reask(update: Update, context: BotContext) -> Step:
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))
    return None
