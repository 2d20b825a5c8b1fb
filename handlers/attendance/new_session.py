"""Trainers: /session (alias /newsession) adds a session in chat — which cohort (when they manage several), the day,
the start time, the title and the place — with the conversation kit (handlers.core.conversation)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from telegram import Update
from telegram.ext import filters

from bot.i18n import N_, _
from bot.parsing import parse_date, parse_time
from bot.services.attendance import PLACE_MAX, TITLE_MAX, clean_text
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, name
from handlers.attendance.buttons import NEW_SESSION_COHORT, NO_PLACE, CohortPick
from handlers.attendance.cohorts import TRAINER, my_cohorts, stale
from handlers.attendance.views import session_text
from handlers.core.buttons import EMPTY, pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END, Draft, Flow
from handlers.core.registry import Button, Command, Typed
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.problems import problem_text

COHORT, DATE, TIME, TITLE, PLACE = range(5)
PAST_DAYS, AHEAD_DAYS = 365, 730


@dataclass(frozen=True)
class NewSession:
    """The answers so far (field names as the drafts persisted before the kit, so those still read)."""

    cohort: int | None = None
    date: dt.date | None = None
    time: dt.time | None = None
    title: str | None = None


DRAFT = Draft("new_session", NewSession)


def typed_text(update: Update) -> str:
    return update.message.text if update.message and update.message.text else ""


def draft_of(context: BotContext) -> NewSession:
    return DRAFT.get(context) or NewSession()


async def new_session(update: Update, context: BotContext) -> int:
    DRAFT.drop(context)
    cohorts = await my_cohorts(update, context, " ".join(context.args or []))
    if cohorts is None:
        return END
    if len(cohorts) == 1:
        DRAFT.put(context, NewSession(cohort=cohorts[0].id))
        return await ask_date(update, fmt(_("A new session of {cohort}."), cohort=name(cohorts[0].name)))
    rows = [[(cohort.name[:40], NEW_SESSION_COHORT.encode(CohortPick(cohort.id)))] for cohort in cohorts[:20]]
    await reply(update, _("Which cohort is the session for?"), buttons(rows))
    return COHORT


async def ask_date(update: Update, before: str = "") -> int:
    question = fmt(_("What day is the session? Type the date as {example}."), example=ltr("2026-12-03"))
    await answer(update, f"{before}\n{question}".strip())
    return DATE


async def answer(update: Update, text: str) -> None:
    """After a button press the pressed message becomes the answer; after a typed message, a new one."""
    if update.callback_query is not None:
        await edit_or_reply(update, text)
    else:
        await reply(update, text)


async def cohort_chosen(update: Update, context: BotContext) -> int:
    pick = pressed(update, NEW_SESSION_COHORT)
    if pick is None or not context.principal.can_manage(pick.cohort_id):
        await answer_callback(update, stale())
        return COHORT
    await answer_callback(update)
    DRAFT.put(context, replace(draft_of(context), cohort=pick.cohort_id))
    return await ask_date(update)


async def date_typed(update: Update, context: BotContext) -> int:
    day = parse_date(typed_text(update))
    today = dt.datetime.now(context.services.settings.zone).date()
    if day is None or not today - dt.timedelta(days=PAST_DAYS) <= day <= today + dt.timedelta(days=AHEAD_DAYS):
        await reply(update, fmt(_("That is not a date I can use. Type it as {example}."), example=ltr("2026-12-03")))
        return DATE
    DRAFT.put(context, replace(draft_of(context), date=day))
    await reply(update, fmt(_("At what time does it start? Type it as {example}."), example=ltr("18:30")))
    return TIME


async def time_typed(update: Update, context: BotContext) -> int:
    start = parse_time(typed_text(update))
    if start is None:
        await reply(
            update, fmt(_("That is not a time I can use. Type it as {example} (24-hour clock)."), example=ltr("18:30"))
        )
        return TIME
    DRAFT.put(context, replace(draft_of(context), time=dt.time(start.hour, start.minute)))
    await reply(update, _("What is the session's title? (for example: Day 2 — planning a campaign)"))
    return TITLE


async def title_typed(update: Update, context: BotContext) -> int:
    title = clean_text(typed_text(update), TITLE_MAX)
    if title is None:
        await reply(update, fmt(_("Please type a title of 1 to {limit} characters."), limit=TITLE_MAX))
        return TITLE
    DRAFT.put(context, replace(draft_of(context), title=title))
    await reply(
        update,
        _("Where does it take place? Type the place, or tap the button."),
        buttons([[(_("No place"), NO_PLACE.encode(EMPTY))]]),
    )
    return PLACE


async def place_typed(update: Update, context: BotContext) -> int:
    place = clean_text(typed_text(update), PLACE_MAX)
    if place is None:
        await reply(update, fmt(_("Please type a place of 1 to {limit} characters."), limit=PLACE_MAX))
        return PLACE
    return await create_session(update, context, place)


async def no_place(update: Update, context: BotContext) -> int:
    await answer_callback(update)
    return await create_session(update, context, None)


async def create_session(update: Update, context: BotContext, place: str | None) -> int:
    draft = DRAFT.get(context)
    DRAFT.drop(context)  # before any await: a second tap finds no draft
    if draft is None or draft.cohort is None or draft.date is None or draft.time is None or draft.title is None:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/session")))
        return END
    try:
        added = await context.services.attendance.add_local_session(
            context.principal, draft.cohort, day=draft.date, start=draft.time, title=draft.title, place=place
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        return END
    if added is None:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/session")))
        return END
    session, cohort = added
    text = fmt(
        _("Session added to {cohort}:\n{session}\nWhen it begins, open its check-in with {command}."),
        cohort=name(cohort.name),
        session=session_text(session, cohort.timezone),
        command=cmd("/checkin_open"),
    )
    await answer(update, text)
    return END


async def cancelled(update: Update, context: BotContext) -> int:
    DRAFT.drop(context)
    await reply(update, _("Cancelled; no session was added."))
    return END


SESSION = Command(("session", "newsession"), TRAINER, new_session, menu=N_("Add a session to a cohort"))
TEXT = filters.TEXT & ~filters.COMMAND
# Another feature's buttons (and other "se:" choices) are left to their owners, as before the kit: no own_buttons.
NEW_SESSION_FLOW = Flow(
    "new_session",
    TRAINER,
    entry=[SESSION],
    label="new session",
    cancel=cancelled,
    states={
        COHORT: [Button.of(NEW_SESSION_COHORT, TRAINER, cohort_chosen)],
        DATE: [Typed("new session: date", TRAINER, date_typed, TEXT)],
        TIME: [Typed("new session: time", TRAINER, time_typed, TEXT)],
        TITLE: [Typed("new session: title", TRAINER, title_typed, TEXT)],
        PLACE: [Typed("new session: place", TRAINER, place_typed, TEXT), Button.of(NO_PLACE, TRAINER, no_place)],
    },
)
