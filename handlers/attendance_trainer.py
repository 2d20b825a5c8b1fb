"""Trainers: sessions (/sessions, and /session — alias /newsession — to add one in chat), and finding the cohort a
command names. Check-ins: `handlers.attendance_checkin`."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _
from bot.parsing import parse_date, parse_positive_int, parse_time
from bot.services.access import Audience
from bot.services.attendance_common import PLACE_MAX, TITLE_MAX, clean_text
from bot.services.attendance_lookup import split_cohort
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, name, normalize_key
from handlers.attendance_views import local, session_text
from handlers.core.context import BotApplication, BotContext
from handlers.core.problems import problem_text
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from storage.dto import CohortDTO, CohortStatus
from storage.dto_attendance import SessionDTO

COHORT, DATE, TIME, TITLE, PLACE = range(5)
END = ConversationHandler.END
DRAFT = "new_session"
MAX_CHOICES = 8
PAST_DAYS, AHEAD_DAYS = 365, 730


def stale() -> str:
    return _("This button is no longer active.")


async def my_cohorts(update: Update, context: BotContext, wanted: str) -> list[CohortDTO] | None:
    """The cohorts the person manages (active ones); with a name, only that one. None once a refusal is sent."""
    summaries = await context.services.cohorts.summaries(context.principal)
    cohorts = [s.cohort for s in summaries]
    if wanted.strip():
        key = normalize_key(wanted)
        found = [c for c in cohorts if normalize_key(c.name) == key]
        if not found:
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return None
        return found
    active = [c for c in cohorts if c.status is CohortStatus.ACTIVE]
    if not active:
        await reply(update, _("You have no active cohorts."))
        return None
    return active


async def names_a_cohort(context: BotContext, text: str) -> bool:
    summaries = await context.services.cohorts.summaries(context.principal)
    return any(normalize_key(s.cohort.name) == normalize_key(text) for s in summaries)


async def named_cohort(update: Update, context: BotContext, text: str) -> tuple[CohortDTO, str] | None:
    """The cohort named by the longest leading run of words of `text` (names may have spaces), and the words after
    it. No such cohort, or one that is not theirs: a polite refusal, and None."""
    summaries = await context.services.cohorts.summaries(context.principal)  # theirs only
    found = split_cohort(text, [s.cohort for s in summaries])
    if found is None:
        await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(text)))
        return None
    return found


def choice_label(session: SessionDTO, cohort: CohortDTO) -> str:
    """A button's text (plain, not HTML): "03/12 18:00 · Day 1 · Hit"."""
    start = local(session.starts_at, cohort.timezone)
    return f"{start:%d/%m %H:%M} · {session.title} · {cohort.name}"[:60]


# ----------------------------------------------------------------------------------------------- /sessions


async def list_sessions(update: Update, context: BotContext) -> None:
    cohorts = await my_cohorts(update, context, " ".join(context.args or []))
    if cohorts is None:
        return
    parts = []
    for cohort in cohorts:
        try:
            summary = await context.services.attendance_reports.summary(context.principal, cohort.id)
            sessions = await context.services.attendance.sessions(context.principal, cohort.id)
        except DomainError as error:  # no longer theirs
            await reply(update, problem_text(error))
            return
        stats = {stat.session.id: stat for stat in summary.held}
        lines: list[str] = [fmt(_("🗓 <b>Sessions of {cohort}</b>"), cohort=name(cohort.name))]
        if not sessions:
            lines.append(fmt(_("No sessions yet. Add one with {command}."), command=cmd("/session")))
        for session in sessions:
            line = "• " + session_text(session, cohort.timezone)
            if (stat := stats.get(session.id)) is not None:
                line += " — " + fmt(
                    _("attended {count} of {total} ({percent})"),
                    count=stat.attended,
                    total=stat.expected,
                    percent=ltr(f"{stat.percent or 0}%"),
                )
            elif session in summary.upcoming:
                line += " — " + _("upcoming")
            else:
                line += " — " + _("no attendance taken")
            lines.append(line)
        parts.append("\n".join(lines))
    await reply(update, "\n\n".join(parts))


# ------------------------------------------------------------------------------------ /session (/newsession)


def draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


def drop_draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.pop(DRAFT, None)
    return value if isinstance(value, dict) else {}


async def new_session(update: Update, context: BotContext) -> int:
    drop_draft(context)
    cohorts = await my_cohorts(update, context, " ".join(context.args or []))
    if cohorts is None:
        return END
    if len(cohorts) == 1:
        draft(context)["cohort"] = cohorts[0].id
        return await ask_date(update, fmt(_("A new session of {cohort}."), cohort=name(cohorts[0].name)))
    rows = [[(cohort.name[:40], f"se:nc:{cohort.id}")] for cohort in cohorts[:20]]
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
    query = update.callback_query
    assert query is not None
    cohort_id = parse_positive_int((query.data or "").rsplit(":", 1)[-1])
    if cohort_id is None or not context.principal.can_manage(cohort_id):
        await answer_callback(update, stale())
        return COHORT
    await answer_callback(update)
    draft(context)["cohort"] = cohort_id
    return await ask_date(update)


async def date_typed(update: Update, context: BotContext) -> int:
    day = parse_date(update.message.text if update.message and update.message.text else "")
    today = dt.datetime.now(context.services.settings.zone).date()
    if day is None or not today - dt.timedelta(days=PAST_DAYS) <= day <= today + dt.timedelta(days=AHEAD_DAYS):
        await reply(update, fmt(_("That is not a date I can use. Type it as {example}."), example=ltr("2026-12-03")))
        return DATE
    draft(context)["date"] = day.isoformat()
    await reply(update, fmt(_("At what time does it start? Type it as {example}."), example=ltr("18:30")))
    return TIME


async def time_typed(update: Update, context: BotContext) -> int:
    start = parse_time(update.message.text if update.message and update.message.text else "")
    if start is None:
        await reply(
            update, fmt(_("That is not a time I can use. Type it as {example} (24-hour clock)."), example=ltr("18:30"))
        )
        return TIME
    draft(context)["time"] = start.strftime("%H:%M")
    await reply(update, _("What is the session's title? (for example: Day 2 — planning a campaign)"))
    return TITLE


async def title_typed(update: Update, context: BotContext) -> int:
    title = clean_text(update.message.text if update.message and update.message.text else "", TITLE_MAX)
    if title is None:
        await reply(update, fmt(_("Please type a title of 1 to {limit} characters."), limit=TITLE_MAX))
        return TITLE
    draft(context)["title"] = title
    await reply(
        update,
        _("Where does it take place? Type the place, or tap the button."),
        buttons([[(_("No place"), "se:np")]]),
    )
    return PLACE


async def place_typed(update: Update, context: BotContext) -> int:
    place = clean_text(update.message.text if update.message and update.message.text else "", PLACE_MAX)
    if place is None:
        await reply(update, fmt(_("Please type a place of 1 to {limit} characters."), limit=PLACE_MAX))
        return PLACE
    return await create_session(update, context, place)


async def no_place(update: Update, context: BotContext) -> int:
    await answer_callback(update)
    return await create_session(update, context, None)


async def create_session(update: Update, context: BotContext, place: str | None) -> int:
    values = drop_draft(context)  # before any await: a second tap finds no draft
    if not {"cohort", "date", "time", "title"} <= values.keys():
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/session")))
        return END
    async with context.services.db.unit_of_work() as uow:
        cohort = await uow.cohorts.by_id(int(values["cohort"]))
    if cohort is None:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/session")))
        return END
    starts = dt.datetime.combine(
        dt.date.fromisoformat(values["date"]), dt.time.fromisoformat(values["time"]), ZoneInfo(cohort.timezone)
    )
    try:
        session = await context.services.attendance.add_session(
            context.principal, cohort.id, title=values["title"], starts_at=starts, place=place
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        return END
    text = fmt(
        _("Session added to {cohort}:\n{session}\nWhen it begins, open its check-in with {command}."),
        cohort=name(cohort.name),
        session=session_text(session, cohort.timezone),
        command=cmd("/checkin_open"),
    )
    await answer(update, text)
    return END


async def cancel_new_session(update: Update, context: BotContext) -> int:
    drop_draft(context)
    await reply(update, _("Cancelled; no session was added."))
    return END


async def reask(update: Update, context: BotContext) -> None:
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))


TRAINER = Audience.TRAINER
ID = r"\d{1,9}"
SESSION = Command(("session", "newsession"), TRAINER, new_session, menu=N_("Add a session to a cohort"))
SESSIONS = Command(("sessions",), TRAINER, list_sessions, menu=N_("A cohort's sessions: /sessions cohort"))


def new_session_conversation() -> ConversationHandler[BotContext]:
    text = filters.TEXT & ~filters.COMMAND
    other = Typed("new session: anything else", TRAINER, reask, ~filters.COMMAND)
    return conversation(
        "new_session",
        entry=[SESSION],
        states={
            COHORT: [Button("se", TRAINER, cohort_chosen, f"nc:{ID}"), other],
            DATE: [Typed("new session: date", TRAINER, date_typed, text), other],
            TIME: [Typed("new session: time", TRAINER, time_typed, text), other],
            TITLE: [Typed("new session: title", TRAINER, title_typed, text), other],
            PLACE: [
                Typed("new session: place", TRAINER, place_typed, text),
                Button("se", TRAINER, no_place, "np"),
                other,
            ],
        },
        fallbacks=[Command(("cancel",), Audience.ANYONE, cancel_new_session)],
    )


def setup(application: BotApplication) -> None:
    application.add_handler(new_session_conversation())
    application.add_handler(SESSIONS.handler())
