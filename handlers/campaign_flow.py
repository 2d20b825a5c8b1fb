"""The campaign planner's handlers: one persisted conversation for everything typed (plans, posts, proofs, trainers'
comments), and the stand-alone /calendar and /campaigns buttons. See handlers.campaign_draft for the design.

A waiting step ends on any other command (which is then handled as usual), after STEP_IDLE without an answer, and
at the proof step on text that is not a link (a check-in code, say): such updates are handed on to the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _
from bot.services.access import Audience
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
from handlers.core.context import BotApplication, BotContext
from handlers.core.registry import Button, Command, Event, Typed, conversation
from handlers.core.ui import reply


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


TRAINEE, TRAINER = Audience.TRAINEE, Audience.TRAINER
CAMPAIGN = Command(
    ("campaign",), TRAINEE, campaign_entry, menu=N_("Plan your campaign: problem, goal, posts and reminders")
)
CALENDAR = Command(
    ("calendar",), TRAINEE, calendar_command, menu=N_("Your posting calendar: the month, occasions, a calendar file")
)
CALENDAR_BUTTON = Button("cc", TRAINEE, calendar_button)
CAMPAIGNS = Command(
    ("campaigns",), TRAINER, campaigns_command, menu=N_("Your trainees' campaign plans, progress and proofs")
)
REVIEW_BUTTON = Button("cv", TRAINER, review_button)


def campaign_conversation() -> ConversationHandler[BotContext]:
    """Everything typed for the planner; plan and reminder buttons belong to trainees (the owner or a teammate is
    checked in the service), comment buttons to trainers."""
    waiting = ~HANDED_ON  # an update handed on to the other handlers is never taken back here
    return conversation(
        "campaign",
        entry=[
            CAMPAIGN,
            Button("cp", TRAINEE, plan_button),
            Button("cr", TRAINEE, reminder_button),
            Button("cv", TRAINER, comment_button, "m:.*"),
        ],
        states={
            WAITING: [
                Typed("campaign: text", Audience.ANYONE, text_typed, filters.TEXT & ~filters.COMMAND & waiting),
                Typed(
                    "campaign: photo", Audience.ANYONE, photo_sent, (filters.PHOTO | filters.Document.IMAGE) & waiting
                ),
                Typed("campaign: anything else", Audience.ANYONE, something_else, ~filters.COMMAND & waiting),
            ],
            ConversationHandler.TIMEOUT: [Event("campaign: idle", Audience.ANYONE, timed_out, "timeout")],
        },
        fallbacks=[
            Command(("cancel",), Audience.ANYONE, cancel),
            Typed("campaign: another command", Audience.ANYONE, other_command, filters.COMMAND & waiting),
        ],
        timeout=STEP_IDLE.total_seconds(),
    )


def setup(application: BotApplication) -> None:
    application.add_handler(campaign_conversation())
    for declaration in (CALENDAR, CALENDAR_BUTTON, CAMPAIGNS, REVIEW_BUTTON):
        application.add_handler(declaration.handler())
