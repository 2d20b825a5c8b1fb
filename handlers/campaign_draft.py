"""The campaign conversation's shared pieces: the draft in user_data (persisted), the one waiting state, replies.

Every campaign flow (a new plan, an edit, a post, a proof, a trainer's comment) keeps what it has so far in one
draft: {"flow": ..., "step": ..., values...}. The conversation has one state, WAITING: typed text goes to the step
the draft names. Buttons are entry points; a button that starts or continues a flow returns WAITING, one that
finishes returns END, and one that only shows something returns None (the state stays as it was).

A waiting step never holds on to what is not meant for it: any other command ends it (and is then handled as
usual, see `hand_on`), and a step unanswered for STEP_IDLE is over (the conversation's timeout, and the draft's
own time stamp, which also holds across a restart). A half-finished new plan is never thrown away by something
else: it is kept aside (`keep_plan`) and /campaign offers to go on with it.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections import OrderedDict
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler

from bot.i18n import _
from bot.parsing import DB_INT_MAX, parse_int
from bot.services.errors import DomainError
from bot.text import clean_input, cmd, fmt
from handlers.core.context import BotContext
from handlers.core.handoff import HANDED_ON, hand_on
from handlers.core.problems import problem_text
from handlers.core.ui import answer_callback, edit_or_reply, reply

KEY = "campaign"
KEPT = "campaign_kept"  # a half-finished new plan put aside by something else
KEPT_NOW = "campaign_kept_now"  # set while handling the update that put it aside: the person is told once
WAITING = 0
END = ConversationHandler.END
Step = int | None
STEP_IDLE = dt.timedelta(minutes=30)  # a question unanswered this long is no longer waited for
KEPT_FOR = dt.timedelta(days=1)  # how long a plan put aside is offered again


def draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.get(KEY)
    if not isinstance(value, dict):
        value = {}
        context.user_data[KEY] = value
    return value


def begin(context: BotContext, flow: str, step: str, **values: Any) -> dict[str, Any]:
    """A new flow replaces whatever was half done; a half-finished new plan is kept aside, unless a new plan is
    begun (then the one kept aside is dropped too: the person chose to start again)."""
    assert context.user_data is not None
    if flow == "plan":
        context.user_data.pop(KEPT, None)
    else:
        keep_plan(context)
    value: dict[str, Any] = {"flow": flow, "step": step, "token": secrets.token_hex(3), "seen": time.time(), **values}
    context.user_data[KEY] = value
    return value


def clear(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(KEY, None)


def touch(context: BotContext) -> None:
    """The person answered: the step's idle time starts again."""
    value = context.user_data.get(KEY) if context.user_data is not None else None
    if isinstance(value, dict) and value.get("flow"):
        value["seen"] = time.time()


def idle(context: BotContext) -> bool:
    """The pending step was left unanswered for STEP_IDLE (a draft without a time stamp is from before they had one,
    so it is old too)."""
    value = context.user_data.get(KEY) if context.user_data is not None else None
    if not isinstance(value, dict) or not value.get("flow"):
        return False
    seen = value.get("seen")
    return not isinstance(seen, int | float) or time.time() - seen > STEP_IDLE.total_seconds()


def keep_plan(context: BotContext, *, tell: bool = True) -> bool:
    """Put a half-finished new plan aside (True when there was one); `tell`: the person is told in this update."""
    if context.user_data is None:
        return False
    value = context.user_data.get(KEY)
    if not isinstance(value, dict) or value.get("flow") != "plan" or "problem" not in value:
        return False
    if value.get("step") in (None, "cohort", "saving"):
        return False
    context.user_data[KEPT] = {**value, "kept_at": time.time()}
    if tell:
        context.user_data[KEPT_NOW] = True
    return True


def kept_plan(context: BotContext) -> dict[str, Any] | None:
    """The plan put aside, while it is offered (KEPT_FOR)."""
    if context.user_data is None:
        return None
    value = context.user_data.get(KEPT)
    if isinstance(value, dict) and time.time() - float(value.get("kept_at", 0)) <= KEPT_FOR.total_seconds():
        return value
    context.user_data.pop(KEPT, None)
    return None


def take_kept_plan(context: BotContext) -> dict[str, Any] | None:
    """The plan put aside becomes the draft again (with a new token: buttons of before stay stale)."""
    value = kept_plan(context)
    if value is None:
        return None
    assert context.user_data is not None
    context.user_data.pop(KEPT, None)
    restored = {k: v for k, v in value.items() if k != "kept_at"} | {"token": secrets.token_hex(3), "seen": time.time()}
    context.user_data[KEY] = restored
    return restored


def drop_kept_plan(context: BotContext) -> bool:
    return context.user_data is not None and context.user_data.pop(KEPT, None) is not None


def end_step(context: BotContext, *, tell: bool = True) -> None:
    """The pending step is over (another command, its time ran out); a half-finished new plan is kept aside."""
    keep_plan(context, tell=tell)
    clear(context)


def kept_note() -> str:
    return fmt(
        _("📝 Your unfinished campaign plan is kept: send {command} to go on with it."), command=cmd("/campaign")
    )


async def tell_kept(update: Update, context: BotContext) -> None:
    """Once per update that put a half-finished plan aside: say that it is kept and how to go on."""
    if context.user_data is not None and context.user_data.pop(KEPT_NOW, None):
        await reply(update, kept_note())


# ------------------------------------------------------------------------------------- handing on

# Handing on lives in handlers.core.handoff (the broadcast conversation uses it too); re-exported for campaign modules.
__all__ = ["HANDED_ON", "hand_on"]


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


def int_arg(args: list[str], index: int, maximum: int = DB_INT_MAX) -> int | None:
    """A whole number from a button's data, 0..maximum (an id by default); None when missing or forged."""
    return parse_int(args[index], maximum=maximum) if index < len(args) else None


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
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))
    return None
