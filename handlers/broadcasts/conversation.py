"""/broadcast as one conversation (target → content → preview → confirm or a time); Cancel and other commands."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _
from bot.services.access import Audience
from bot.text import cmd, fmt
from handlers.broadcasts.confirm import ask_time, send_now, time_typed
from handlers.broadcasts.content import content_sent
from handlers.broadcasts.draft import AT, CONFIRM, CONTENT, END, FILTER, ID, TARGET, TOWNS, TRAINER, discard_draft
from handlers.broadcasts.target import begin, filter_chosen, target_toggled, targets_chosen, town_toggled, towns_chosen
from handlers.core.context import BotContext
from handlers.core.handoff import HANDED_ON, hand_on
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, edit_or_reply, reply


async def give_up(update: Update, context: BotContext) -> int:
    """Cancel, No or /cancel before confirming: the draft (if any) is dropped, nothing is sent."""
    await answer_callback(update)
    await discard_draft(context)
    await edit_or_reply(update, _("Cancelled: nothing was sent."))
    return END


async def other_command(update: Update, context: BotContext) -> int:
    """Another command while an announcement is being written: the draft is dropped (nothing was sent), and the
    command is then handled as usual — its questions' answers must not land in this draft."""
    await discard_draft(context)
    await reply(update, _("The announcement you were writing was dropped; nothing was sent."))
    await hand_on(update, context)
    return END


async def reask(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await answer_callback(update, _("This button is no longer active."))
        return
    await reply(update, fmt(_("Please use the buttons above, or send {cancel} to stop."), cancel=cmd("/cancel")))


BROADCAST = Command(("broadcast",), TRAINER, begin, menu=N_("Send an announcement to your cohorts"))


def broadcast_conversation() -> ConversationHandler[BotContext]:
    other = Typed("broadcast: anything else", TRAINER, reask, ~filters.COMMAND & ~HANDED_ON)
    # Only this conversation's own stale buttons: Cancel/CSV of a running broadcast and other features' buttons pass.
    stale = Button("bc", TRAINER, reask, "(?!x:|csv:|go:).*")
    stop_button = Button("bc", TRAINER, give_up, "stop")
    next_button = Button("bc", TRAINER, targets_chosen, "next")
    another_command = filters.COMMAND & ~HANDED_ON & ~filters.Regex(r"^/broadcast(@\w+)?(\s|$)")
    return conversation(
        "broadcast",
        entry=[BROADCAST],
        states={
            TARGET: [Button("bc", TRAINER, target_toggled, f"t:{ID}"), next_button, stop_button, stale, other],
            FILTER: [Button("bc", TRAINER, filter_chosen, "all|towns|absent"), stale, other],
            TOWNS: [
                Button("bc", TRAINER, town_toggled, f"w:{ID}"),
                Button("bc", TRAINER, towns_chosen, "next"),
                stop_button,
                stale,
                other,
            ],
            CONTENT: [Typed("broadcast: content", TRAINER, content_sent, ~filters.COMMAND & ~HANDED_ON), stale],
            CONFIRM: [
                Button("bc", TRAINER, send_now, f"go:{ID}"),
                Button("bc", TRAINER, ask_time, f"at:{ID}"),
                Button("bc", TRAINER, give_up, f"no:{ID}"),
                stale,
                other,
            ],
            AT: [Typed("broadcast: send at", TRAINER, time_typed, filters.TEXT & ~filters.COMMAND), stale, other],
        },
        fallbacks=[
            Command(("cancel",), Audience.ANYONE, give_up),
            Typed("broadcast: another command", Audience.ANYONE, other_command, another_command),
        ],
    )
