"""/broadcast as one conversation of the kit (target → content → preview → confirm or a time); Cancel and other
commands drop the draft."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from bot.i18n import N_, _
from bot.text import cmd, fmt
from handlers.broadcasts.buttons import (
    DROP,
    NEXT,
    OUTSIDE_THE_FLOW,
    PREFIX,
    SEND_AT,
    SEND_NOW,
    STOP,
    TOGGLE_COHORT,
    TOGGLE_TOWN,
    WHO,
)
from handlers.broadcasts.confirm import ask_time, send_now, time_typed
from handlers.broadcasts.content import content_sent
from handlers.broadcasts.draft import AT, CONFIRM, CONTENT, FILTER, TARGET, TOWNS, TRAINER, discard_draft
from handlers.broadcasts.target import begin, filter_chosen, target_toggled, targets_chosen, town_toggled, towns_chosen
from handlers.core.context import BotContext
from handlers.core.conversation import END, HANDED_ON, Flow
from handlers.core.registry import Button, Command, Typed
from handlers.core.ui import answer_callback, edit_or_reply, reply


async def give_up(update: Update, context: BotContext) -> int:
    """Cancel, No or /cancel before confirming: the draft (if any) is dropped, nothing is sent."""
    await answer_callback(update)
    await discard_draft(context)
    await edit_or_reply(update, _("Cancelled: nothing was sent."))
    return END


async def dropped(update: Update, context: BotContext) -> None:
    """Another command while an announcement is being written: the draft is dropped (nothing was sent), and the
    command is then handled as usual — its questions' answers must not land in this draft."""
    await discard_draft(context)
    await reply(update, _("The announcement you were writing was dropped; nothing was sent."))


async def reask(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await answer_callback(update, _("This button is no longer active."))
        return
    await reply(update, fmt(_("Please use the buttons above, or send {cancel} to stop."), cancel=cmd("/cancel")))


BROADCAST = Command(("broadcast",), TRAINER, begin, menu=N_("Send an announcement to your cohorts"))
STOP_BUTTON = Button.of(STOP, TRAINER, give_up)

FLOW = Flow(
    "broadcast",
    TRAINER,
    entry=[BROADCAST],
    states={
        TARGET: [
            Button.of(TOGGLE_COHORT, TRAINER, target_toggled),
            Button.of(NEXT, TRAINER, targets_chosen),
            STOP_BUTTON,
        ],
        FILTER: [Button.of(WHO, TRAINER, filter_chosen)],
        TOWNS: [Button.of(TOGGLE_TOWN, TRAINER, town_toggled), Button.of(NEXT, TRAINER, towns_chosen), STOP_BUTTON],
        CONTENT: [Typed("broadcast: content", TRAINER, content_sent, ~filters.COMMAND & ~HANDED_ON)],
        CONFIRM: [
            Button.of(SEND_NOW, TRAINER, send_now),
            Button.of(SEND_AT, TRAINER, ask_time),
            Button.of(DROP, TRAINER, give_up),
        ],
        AT: [Typed("broadcast: send at", TRAINER, time_typed, filters.TEXT & ~filters.COMMAND)],
    },
    cancel=give_up,
    ask_again=reask,
    own_buttons=PREFIX,
    foreign=OUTSIDE_THE_FLOW,  # Cancel/CSV of a running broadcast and a late Send now pass to their handlers
    open_states=frozenset({CONTENT}),  # the content step takes any message that is not a command
    hand_off=dropped,
    keep_for=("broadcast",),
)
