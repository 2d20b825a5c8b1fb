"""Replies of the campaign conversation: a button press answered once, a refusal, the question asked again."""

from __future__ import annotations

from collections import OrderedDict

from telegram import InlineKeyboardMarkup, Message, Update

from bot.i18n import _
from bot.services.errors import DomainError
from bot.text import clean_input
from handlers.core.context import BotContext
from handlers.core.conversation import ask_again
from handlers.core.ui import answer_callback, edit_or_reply, reply
from handlers.problems import problem_text

Step = int | None


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


def new_press(update: Update) -> None:
    """A button press starts being handled: it has not been answered yet (ids may repeat across test servers)."""
    if update.callback_query is not None:
        _answered.pop(update.callback_query.id, None)


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
        await answer(update, text, alert=True)  # made plain and cut to fit by `answer_callback`
    else:
        await reply(update, text)


async def reask(update: Update, context: BotContext) -> Step:
    """The question above again (the kit's words); the step stays."""
    await ask_again(update, context)
    return None
