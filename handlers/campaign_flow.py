"""The campaign planner's handlers: one persisted conversation for everything typed (plans, posts, proofs, trainers'
comments), and the stand-alone /calendar and /campaigns buttons. See handlers.campaign_draft for the design.

A waiting step ends on any other command (which is then handled as usual), after STEP_IDLE without an answer, and
at the proof step on text that is not a link (a check-in code, say): such updates are handed on to the others."""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.i18n import _
from handlers.campaign_calendar import calendar_button, calendar_command
from handlers.campaign_draft import (
    END,
    HANDED_ON,
    STEP_IDLE,
    WAITING,
    Step,
    answer,
    clear,
    data_args,
    draft,
    end_step,
    hand_on,
    idle,
    pressed,
    reask,
    tell_kept,
    touch,
)
from handlers.campaign_plan_steps import plan_action, plan_text_step
from handlers.campaign_post_buttons import POST_ACTIONS, post_action
from handlers.campaign_posts import post_text_step
from handlers.campaign_reminders import proof_photo, proof_text, reminder_action
from handlers.campaign_review import campaigns_command, comment_text, review_button, start_comment
from handlers.campaigns import campaign_command
from handlers.context import BotApplication, BotContext, state
from handlers.ui import reply


def expire_idle(context: BotContext) -> None:
    """A step left unanswered for STEP_IDLE is over, even when its timeout did not run (the bot restarted)."""
    if idle(context):
        end_step(context)


async def plan_button(update: Update, context: BotContext) -> Step:
    pressed(update)
    expire_idle(context)
    args = data_args(update)
    step: Step = None
    if args and args[0] in POST_ACTIONS:
        step = await post_action(update, context, args)
    elif args:
        step = await plan_action(update, context, args)
    await answer(update)  # every press is answered (a no-op when a toast or an alert went already)
    touch(context)
    await tell_kept(update, context)
    return step


async def _button(update: Update, context: BotContext, action: Callable[..., Awaitable[Step]]) -> Step:
    pressed(update)
    expire_idle(context)
    step = await action(update, context, data_args(update))
    await answer(update)
    await tell_kept(update, context)
    return step


async def reminder_button(update: Update, context: BotContext) -> Step:
    return await _button(update, context, reminder_action)


async def comment_button(update: Update, context: BotContext) -> Step:
    return await _button(update, context, start_comment)


async def campaign_entry(update: Update, context: BotContext) -> Step:
    """/campaign: whatever step was pending ends (a half-finished new plan is offered again from the list)."""
    end_step(context, tell=False)
    return await campaign_command(update, context)


async def step_over(update: Update, context: BotContext) -> int:
    """Nothing (any more) waits for this message: the step ends and the message is handled as if it had not been."""
    end_step(context)
    await tell_kept(update, context)
    await hand_on(update, context)
    return END


async def text_typed(update: Update, context: BotContext) -> Step:
    flow = draft(context).get("flow")
    if flow is None or idle(context):
        return await step_over(update, context)
    touch(context)
    if flow in ("plan", "edit"):
        return await plan_text_step(update, context)
    if flow == "post":
        return await post_text_step(update, context)
    if flow == "proof":
        return await proof_text(update, context)
    if flow == "comment":
        return await comment_text(update, context)
    return await step_over(update, context)


async def photo_sent(update: Update, context: BotContext) -> Step:
    if draft(context).get("flow") is None or idle(context):
        return await step_over(update, context)
    if draft(context).get("flow") == "proof":
        return await proof_photo(update, context)
    return await reask(update, context)


async def something_else(update: Update, context: BotContext) -> Step:
    """A sticker, a location … while a question waits for text or a button."""
    if draft(context).get("flow") is None or idle(context):
        return await step_over(update, context)
    return await reask(update, context)


async def other_command(update: Update, context: BotContext) -> int:
    """Any command but /cancel (and /campaign) ends the pending step; the command is then handled as usual."""
    return await step_over(update, context)


async def timed_out(update: Update, context: BotContext) -> None:
    """The conversation's timeout: the step is over, silently (a half-finished plan is kept for /campaign)."""
    end_step(context, tell=False)


async def cancel(update: Update, context: BotContext) -> int:
    clear(context)
    await reply(update, _("Cancelled; nothing was changed."))
    return END


def conversation() -> ConversationHandler[BotContext]:
    with warnings.catch_warnings():
        # Buttons are tracked per chat, not per message, on purpose: the draft is per person.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        waiting = ~HANDED_ON  # an update handed on to the other handlers is never taken back here
        return ConversationHandler(
            entry_points=[
                CommandHandler("campaign", campaign_entry),
                CallbackQueryHandler(plan_button, pattern=r"^cp:"),
                CallbackQueryHandler(reminder_button, pattern=r"^cr:"),
                CallbackQueryHandler(comment_button, pattern=r"^cv:m:"),
            ],
            states={
                WAITING: state(
                    MessageHandler(filters.TEXT & ~filters.COMMAND & waiting, text_typed),
                    MessageHandler((filters.PHOTO | filters.Document.IMAGE) & waiting, photo_sent),
                    MessageHandler(~filters.COMMAND & waiting, something_else),
                ),
                ConversationHandler.TIMEOUT: state(TypeHandler(Update, timed_out)),
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                MessageHandler(filters.COMMAND & waiting, other_command),
            ],
            allow_reentry=True,
            conversation_timeout=STEP_IDLE.total_seconds(),
            name="campaign",
            persistent=True,
        )


def setup(application: BotApplication) -> None:
    application.add_handler(conversation())
    application.add_handler(CommandHandler("calendar", calendar_command))
    application.add_handler(CallbackQueryHandler(calendar_button, pattern=r"^cc:"))
    application.add_handler(CommandHandler("campaigns", campaigns_command))
    application.add_handler(CallbackQueryHandler(review_button, pattern=r"^cv:"))
