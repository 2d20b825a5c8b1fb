"""The campaign planner's handlers: one persisted conversation for everything typed (plans, posts, proofs, trainers'
comments), and the stand-alone /calendar and /campaigns buttons. See handlers.campaigns.draft for the design.

A waiting step ends on any other command (which is then handled as usual), after STEP_IDLE without an answer, and
at the proof step on text that is not a link (a check-in code, say): such updates are handed on to the others."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Update
from telegram.ext import filters

from bot.i18n import N_, _
from bot.services.access import Audience
from handlers.campaigns.buttons import (
    ADD_OCCASION,
    ADD_POST,
    APPROVE_PROOF,
    CALENDAR_FILE,
    CALENDAR_MONTH,
    CALENDAR_OCCASIONS,
    COMMENT,
    DELETE_POST,
    DELETE_POST_CONFIRMED,
    DISCARD_PLAN,
    EDIT_PLAN,
    EDIT_PLAN_FIELD,
    EDIT_POST_FIELD,
    NEW_PLAN,
    NO_PROOF,
    NOOP,
    OCCASIONS,
    PLAN_COHORT,
    PLAN_METRIC,
    PLAN_NO_HASHTAG,
    PLAN_PLATFORM,
    PLAN_TEAM,
    POST_DAY,
    POST_KIND,
    POST_LEAD,
    POST_MONTH,
    POST_PLATFORM,
    POST_REPEAT,
    REMINDER,
    RESUME_PLAN,
    REVIEW_COHORT,
    REVIEW_PLAN,
    SHOW_PLAN,
    SHOW_POST,
    SHOW_POSTS,
    SHOW_PROOF,
    SHOW_TEAM,
    TOGGLE_TEAMMATE,
)
from handlers.campaigns.calendar import calendar_command, file_pressed, month_pressed, occasions_pressed
from handlers.campaigns.draft import END, STEP_IDLE, WAITING, clear, end_step, flow_of, idle, tell_kept, touch
from handlers.campaigns.plan_buttons import (
    cohort_chosen,
    discard_plan,
    edit_field_chosen,
    edit_menu_shown,
    metric_chosen,
    new_plan,
    no_hashtag,
    plan_shown,
    platform_tapped,
    resume_plan,
    team_chosen,
    team_shown,
    teammate_tapped,
)
from handlers.campaigns.plan_steps import plan_text_step
from handlers.campaigns.plans import campaign_command
from handlers.campaigns.post_buttons import (
    add_occasion,
    delete_asked,
    delete_confirmed,
    kind_chosen,
    lead_chosen,
    nothing,
    occasions_shown,
    picked_day,
    picked_month,
    platform_chosen,
    post_field_chosen,
    post_shown,
    post_started,
    posts_shown,
    repeat_chosen,
)
from handlers.campaigns.posts import post_text_step
from handlers.campaigns.reminders import no_proof, proof_photo, proof_text, reminder_pressed
from handlers.campaigns.replies import Step, answer, new_press, reask, stale
from handlers.campaigns.review import (
    approve_pressed,
    campaigns_command,
    cohort_pressed,
    comment_text,
    plan_pressed,
    proof_pressed,
    start_comment,
)
from handlers.core.buttons import Codec, pressed
from handlers.core.context import BotContext
from handlers.core.conversation import Flow
from handlers.core.handoff import HANDED_ON, hand_on
from handlers.core.registry import Button, Command, Handler, Typed
from handlers.core.ui import reply

T = TypeVar("T")
Action = Callable[[Update, BotContext, T], Awaitable[Step]]


def expire_idle(context: BotContext) -> None:
    """A step left unanswered for STEP_IDLE is over, even when its timeout did not run (the bot restarted)."""
    if idle(context):
        end_step(context)


def press(codec: Codec[T], audience: Audience, action: Action[T], *, touches: bool = True) -> Button:
    """The declaration of one campaign button kind: its press answered once, the idle step expired first, the
    half-finished plan's note told after (`touches`: a press that answers a step restarts its idle time)."""

    async def pressed_in_flow(update: Update, context: BotContext) -> Step:
        new_press(update)
        expire_idle(context)
        data = pressed(update, codec)
        step = await action(update, context, data) if data is not None else await stale(update)
        await answer(update)  # every press is answered (a no-op when a toast or an alert went already)
        if touches:
            touch(context)
        await tell_kept(update, context)
        return step

    return Button.of(codec, audience, pressed_in_flow)


async def campaign_entry(update: Update, context: BotContext) -> Step:
    """/campaign: whatever step was pending ends (a half-finished new plan is offered again from the list)."""
    end_step(context, tell=False)
    return await campaign_command(update, context)


async def step_ended(update: Update, context: BotContext) -> None:
    """Any command but /cancel (and /campaign) ends the pending step; the command is then handled as usual."""
    end_step(context)
    await tell_kept(update, context)


async def step_over(update: Update, context: BotContext) -> int:
    """Nothing (any more) waits for this message: the step ends and the message is handled as if it had not been."""
    await step_ended(update, context)
    await hand_on(update, context)
    return END


async def text_typed(update: Update, context: BotContext) -> Step:
    flow = flow_of(context)
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
    if flow_of(context) is None or idle(context):
        return await step_over(update, context)
    if flow_of(context) == "proof":
        return await proof_photo(update, context)
    return await reask(update, context)


async def something_else(update: Update, context: BotContext) -> Step:
    """A sticker, a location … while a question waits for text or a button."""
    if flow_of(context) is None or idle(context):
        return await step_over(update, context)
    return await reask(update, context)


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
CALENDAR_BUTTONS = [
    Button.of(CALENDAR_MONTH, TRAINEE, month_pressed),
    Button.of(CALENDAR_FILE, TRAINEE, file_pressed),
    Button.of(CALENDAR_OCCASIONS, TRAINEE, occasions_pressed),
]
CAMPAIGNS = Command(
    ("campaigns",), TRAINER, campaigns_command, menu=N_("Your trainees' campaign plans, progress and proofs")
)
REVIEW_BUTTONS = [
    Button.of(REVIEW_COHORT, TRAINER, cohort_pressed),
    Button.of(REVIEW_PLAN, TRAINER, plan_pressed),
    Button.of(APPROVE_PROOF, TRAINER, approve_pressed),
    Button.of(SHOW_PROOF, TRAINER, proof_pressed),
]
PLAN_BUTTONS = [
    press(NEW_PLAN, TRAINEE, new_plan),
    press(RESUME_PLAN, TRAINEE, resume_plan),
    press(DISCARD_PLAN, TRAINEE, discard_plan),
    press(PLAN_COHORT, TRAINEE, cohort_chosen),
    press(PLAN_METRIC, TRAINEE, metric_chosen),
    press(PLAN_PLATFORM, TRAINEE, platform_tapped),
    press(PLAN_NO_HASHTAG, TRAINEE, no_hashtag),
    press(PLAN_TEAM, TRAINEE, team_chosen),
    press(SHOW_PLAN, TRAINEE, plan_shown),
    press(EDIT_PLAN, TRAINEE, edit_menu_shown),
    press(EDIT_PLAN_FIELD, TRAINEE, edit_field_chosen),
    press(SHOW_TEAM, TRAINEE, team_shown),
    press(TOGGLE_TEAMMATE, TRAINEE, teammate_tapped),
]
POST_BUTTONS = [
    press(NOOP, TRAINEE, nothing),
    press(ADD_POST, TRAINEE, post_started),
    press(POST_DAY, TRAINEE, picked_day),
    press(POST_MONTH, TRAINEE, picked_month),
    press(POST_KIND, TRAINEE, kind_chosen),
    press(POST_PLATFORM, TRAINEE, platform_chosen),
    press(POST_REPEAT, TRAINEE, repeat_chosen),
    press(POST_LEAD, TRAINEE, lead_chosen),
    press(SHOW_POSTS, TRAINEE, posts_shown),
    press(SHOW_POST, TRAINEE, post_shown),
    press(EDIT_POST_FIELD, TRAINEE, post_field_chosen),
    press(DELETE_POST, TRAINEE, delete_asked),
    press(DELETE_POST_CONFIRMED, TRAINEE, delete_confirmed),
    press(OCCASIONS, TRAINEE, occasions_shown),
    press(ADD_OCCASION, TRAINEE, add_occasion),
]
REMINDER_BUTTONS = [
    press(REMINDER, TRAINEE, reminder_pressed, touches=False),
    press(NO_PROOF, TRAINEE, no_proof, touches=False),
]


def campaign_flow() -> Flow:
    """Everything typed for the planner; plan and reminder buttons belong to trainees (the owner or a teammate is
    checked in the service), comment buttons to trainers. Anything else while a step waits: `something_else`."""
    waiting = ~HANDED_ON  # an update handed on to the other handlers is never taken back here
    text = filters.TEXT & ~filters.COMMAND & waiting
    photo = (filters.PHOTO | filters.Document.IMAGE) & waiting
    return Flow(
        "campaign",
        Audience.ANYONE,
        entry=[
            CAMPAIGN,
            *PLAN_BUTTONS,
            *POST_BUTTONS,
            *REMINDER_BUTTONS,
            press(COMMENT, TRAINER, start_comment, touches=False),
        ],
        states={
            WAITING: [
                Typed("campaign: text", Audience.ANYONE, text_typed, text),
                Typed("campaign: photo", Audience.ANYONE, photo_sent, photo),
            ]
        },
        cancel=cancel,
        ask_again=something_else,
        hand_off=step_ended,
        timeout=STEP_IDLE,
        on_timeout=timed_out,
    )


def campaign_handlers() -> list[Handler]:
    """The planner's conversation first, then the stand-alone /calendar and /campaigns commands and buttons."""
    standalone = (CALENDAR, *CALENDAR_BUTTONS, CAMPAIGNS, *REVIEW_BUTTONS)
    return [campaign_flow().build(), *(declaration.handler() for declaration in standalone)]
