"""The campaign planner's handlers: one persisted conversation for everything typed (plans, posts, proofs, trainers'
comments), and the stand-alone /calendar and /campaigns buttons. See handlers.campaign_draft for the design."""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler, filters
from telegram.warnings import PTBUserWarning

from bot.i18n import _
from bot.text import cmd, fmt
from handlers.campaign_calendar import calendar_button, calendar_command
from handlers.campaign_draft import END, WAITING, Step, answer, clear, data_args, draft, pressed, reask
from handlers.campaign_plan_steps import plan_action, plan_text_step
from handlers.campaign_post_buttons import POST_ACTIONS, post_action
from handlers.campaign_posts import post_text_step
from handlers.campaign_reminders import proof_photo, proof_text, reminder_action
from handlers.campaign_review import campaigns_command, comment_text, review_button, start_comment
from handlers.campaigns import campaign_command
from handlers.context import BotApplication, BotContext, state
from handlers.ui import reply


async def plan_button(update: Update, context: BotContext) -> Step:
    pressed(update)
    args = data_args(update)
    step: Step = None
    if args and args[0] in POST_ACTIONS:
        step = await post_action(update, context, args)
    elif args:
        step = await plan_action(update, context, args)
    await answer(update)  # every press is answered (a no-op when a toast or an alert went already)
    return step


async def reminder_button(update: Update, context: BotContext) -> Step:
    pressed(update)
    step = await reminder_action(update, context, data_args(update))
    await answer(update)
    return step


async def comment_button(update: Update, context: BotContext) -> Step:
    pressed(update)
    step = await start_comment(update, context, data_args(update))
    await answer(update)
    return step


async def text_typed(update: Update, context: BotContext) -> Step:
    flow = draft(context).get("flow")
    if flow in ("plan", "edit"):
        return await plan_text_step(update, context)
    if flow == "post":
        return await post_text_step(update, context)
    if flow == "proof":
        return await proof_text(update, context)
    if flow == "comment":
        return await comment_text(update, context)
    clear(context)
    await reply(update, fmt(_("I didn't understand that. Send {help} to see what you can do."), help=cmd("/help")))
    return END


async def photo_sent(update: Update, context: BotContext) -> Step:
    if draft(context).get("flow") == "proof":
        return await proof_photo(update, context)
    return await reask(update, context)


async def cancel(update: Update, context: BotContext) -> int:
    clear(context)
    await reply(update, _("Cancelled; nothing was changed."))
    return END


def conversation() -> ConversationHandler[BotContext]:
    with warnings.catch_warnings():
        # Buttons are tracked per chat, not per message, on purpose: the draft is per person.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[
                CommandHandler("campaign", campaign_command),
                CallbackQueryHandler(plan_button, pattern=r"^cp:"),
                CallbackQueryHandler(reminder_button, pattern=r"^cr:"),
                CallbackQueryHandler(comment_button, pattern=r"^cv:m:"),
            ],
            states={
                WAITING: state(
                    MessageHandler(filters.TEXT & ~filters.COMMAND, text_typed),
                    MessageHandler(filters.PHOTO | filters.Document.IMAGE, photo_sent),
                    MessageHandler(~filters.COMMAND, reask),
                ),
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            allow_reentry=True,
            name="campaign",
            persistent=True,
        )


def setup(application: BotApplication) -> None:
    application.add_handler(conversation())
    application.add_handler(CommandHandler("calendar", calendar_command))
    application.add_handler(CallbackQueryHandler(calendar_button, pattern=r"^cc:"))
    application.add_handler(CommandHandler("campaigns", campaigns_command))
    application.add_handler(CallbackQueryHandler(review_button, pattern=r"^cv:"))
