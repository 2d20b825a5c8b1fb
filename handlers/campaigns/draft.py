"""The campaign conversation's draft: one typed dataclass in user_data (persisted), and the one waiting state.

Every campaign flow (a new plan, an edit, a post, a proof, a trainer's comment) keeps what it has so far in one
`CampaignDraft`: its flow, its step, and the answers of that flow. The conversation has one state, WAITING: typed
text goes to the step the draft names. Buttons are entry points; a button that starts or continues a flow returns
WAITING, one that finishes returns END, and one that only shows something returns None (the state stays as it was).

A waiting step never holds on to what is not meant for it: any other command ends it (and is then handled as
usual), and a step unanswered for STEP_IDLE is over (the conversation's timeout, and the draft's own time stamp,
which also holds across a restart). A half-finished new plan is never thrown away by something else: it is kept
aside (`keep_plan`) and /campaign offers to go on with it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import time
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from pydantic import ConfigDict
from telegram import Update

from bot.i18n import _
from bot.services.campaigns import PostKind, Repeat
from bot.text import cmd, fmt
from handlers.campaigns.replies import Step
from handlers.core.context import BotContext
from handlers.core.conversation import END, Draft
from handlers.core.ui import reply

KEPT_NOW = "campaign_kept_now"  # set while handling the update that put a plan aside: the person is told once
WAITING = 0
STEP_IDLE = dt.timedelta(minutes=30)  # a question unanswered this long is no longer waited for
KEPT_FOR = dt.timedelta(days=1)  # how long a plan put aside is offered again
Flow = Literal["plan", "edit", "post", "proof", "comment"]

__all__ = ["END", "WAITING", "Step"]


@dataclass
class PlanAnswers:
    """A new plan's answers so far, or the one field of a plan being edited (`plan` is then its id)."""

    cohort: int | None = None
    problem: str | None = None
    goal: str | None = None
    metric: str | None = None
    unit: str | None = None
    count: int | None = None
    audience: str | None = None
    platforms: list[str] = field(default_factory=list)
    hashtag: str | None = None
    plan: int | None = None


@dataclass
class PostAnswers:
    """A new post's answers so far, or the one field (`only`) of an existing post (`post`) being changed."""

    plan: int
    zone: str
    platforms: list[str]
    post: int | None = None
    only: str | None = None
    day: dt.date | None = None  # picked or typed without a time yet
    starts: dt.datetime | None = None
    kind: PostKind | None = None
    platform: str | None = None
    idea: str | None = None
    repeat: Repeat | None = None
    until: dt.date | None = None
    lead: int | None = None  # minutes; 0: only at the time
    reasked: bool = False  # a refused move asked again whether and until when it repeats


@dataclass
class CampaignDraft:
    # A draft stored in the older shape (a dict of ISO strings) does not read: it is dropped, never half-read.
    __pydantic_config__: ClassVar[ConfigDict] = ConfigDict(extra="forbid")

    flow: Flow
    step: str | None
    token: str = field(default_factory=lambda: secrets.token_hex(3))  # in the post flow's buttons: stale ones fail
    seen: float = field(default_factory=time.time)
    answers: PlanAnswers = field(default_factory=PlanAnswers)  # the plan and edit flows
    post: PostAnswers | None = None  # the post flow
    proof_post: int | None = None  # the proof flow: the post and the occurrence (a stamp) marked done
    proof_at: int | None = None
    comment_plan: int | None = None  # the comment flow
    kept_at: float | None = None  # when a half-finished new plan was put aside


DRAFT = Draft("campaign", CampaignDraft)
KEPT = Draft("campaign_kept", CampaignDraft)  # a half-finished new plan put aside by something else


def draft(context: BotContext) -> CampaignDraft | None:
    return DRAFT.get(context)


def store(context: BotContext, value: CampaignDraft) -> CampaignDraft:
    return DRAFT.put(context, value)


def flow_of(context: BotContext) -> Flow | None:
    value = draft(context)
    return value.flow if value is not None else None


def begin(context: BotContext, value: CampaignDraft) -> CampaignDraft:
    """A new flow replaces whatever was half done; a half-finished new plan is kept aside, unless a new plan is
    begun (then the one kept aside is dropped too: the person chose to start again)."""
    if value.flow == "plan":
        KEPT.drop(context)
    else:
        keep_plan(context)
    return store(context, value)


def clear(context: BotContext) -> None:
    DRAFT.drop(context)


def touch(context: BotContext) -> None:
    """The person answered: the step's idle time starts again."""
    value = draft(context)
    if value is not None:
        store(context, dataclasses.replace(value, seen=time.time()))


def idle(context: BotContext) -> bool:
    """The pending step was left unanswered for STEP_IDLE."""
    value = draft(context)
    return value is not None and time.time() - value.seen > STEP_IDLE.total_seconds()


def keep_plan(context: BotContext, *, tell: bool = True) -> bool:
    """Put a half-finished new plan aside (True when there was one); `tell`: the person is told in this update."""
    value = draft(context)
    if value is None or value.flow != "plan" or value.answers.problem is None:
        return False
    if value.step in (None, "cohort", "saving"):
        return False
    KEPT.put(context, dataclasses.replace(value, kept_at=time.time()))
    if tell and context.user_data is not None:
        context.user_data[KEPT_NOW] = True
    return True


def kept_plan(context: BotContext) -> CampaignDraft | None:
    """The plan put aside, while it is offered (KEPT_FOR)."""
    value = KEPT.get(context)
    if value is not None and time.time() - (value.kept_at or 0) <= KEPT_FOR.total_seconds():
        return value
    KEPT.drop(context)
    return None


def take_kept_plan(context: BotContext) -> CampaignDraft | None:
    """The plan put aside becomes the draft again (with a new token: buttons of before stay stale)."""
    value = kept_plan(context)
    if value is None:
        return None
    KEPT.drop(context)
    return store(context, dataclasses.replace(value, kept_at=None, token=secrets.token_hex(3), seen=time.time()))


def drop_kept_plan(context: BotContext) -> bool:
    found = KEPT.get(context) is not None
    KEPT.drop(context)
    return found


def end_step(context: BotContext, *, tell: bool = True) -> None:
    """The pending step is over (another command, its time ran out); a half-finished new plan is kept aside."""
    keep_plan(context, tell=tell)
    clear(context)


def finish(context: BotContext) -> int:
    clear(context)
    return END


def kept_note() -> str:
    return fmt(
        _("📝 Your unfinished campaign plan is kept: send {command} to go on with it."), command=cmd("/campaign")
    )


async def tell_kept(update: Update, context: BotContext) -> None:
    """Once per update that put a half-finished plan aside: say that it is kept and how to go on."""
    if context.user_data is not None and context.user_data.pop(KEPT_NOW, None):
        await reply(update, kept_note())
