"""Trainers: a session's roll (/roll). A page of trainees with their status; tapping one shows the four statuses, and
a note typed meanwhile goes with the change. Every change is audited by the service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, Literal

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import filters

from bot.i18n import N_, _
from bot.services.attendance import NOTE_MAX, Roll, RollEntry
from bot.services.errors import DomainError
from bot.text import clean_input, cmd, fmt, name
from handlers.attendance.buttons import (
    ROLL_CHOICE,
    ROLL_FINISH,
    ROLL_MARK,
    ROLL_PAGE,
    ROLL_PERSON,
    RollMark,
    RollPage,
    RollPerson,
    SessionPick,
)
from handlers.attendance.cohorts import TRAINER, choice_label, my_cohorts, stale
from handlers.attendance.views import ICONS, LETTERS, session_text, status_counts, status_name
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END, Draft, Flow
from handlers.core.registry import Button, Command, Typed
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.problems import problem_text

PAGE = 8
NOTE = 0
NOTE_TIMEOUT = dt.timedelta(minutes=15)


def counts_of(roll: Roll) -> dict[Any, int]:
    return {status: roll.count(status) for status in ICONS}


def roll_text(roll: Roll, page: int, pages: int) -> str:
    lines = [
        fmt(_("📋 <b>Roll</b> · {cohort}"), cohort=name(roll.cohort.name)),
        session_text(roll.session, roll.cohort.timezone),
        status_counts(counts_of(roll)),
        "",
    ]
    if not roll.entries:
        lines.append(_("This cohort has no trainees yet."))
    else:
        lines.append(fmt(_("Tap a name to change their status. Page {page} of {pages}."), page=page + 1, pages=pages))
    return "\n".join(lines)


def roll_markup(roll: Roll, page: int, pages: int) -> InlineKeyboardMarkup:
    sid = roll.session.id
    rows = [
        [
            (
                f"{ICONS[entry.status]} {entry.trainee.name}"[:40],
                ROLL_PERSON.encode(RollPerson(sid, entry.trainee.person_id, page)),
            )
        ]
        for entry in roll.entries[page * PAGE : (page + 1) * PAGE]
    ]
    nav = []
    if page > 0:
        nav.append(("◀", ROLL_PAGE.encode(RollPage(sid, page - 1))))
    if page < pages - 1:
        nav.append(("▶", ROLL_PAGE.encode(RollPage(sid, page + 1))))
    if nav:
        rows.append(nav)
    rows.append([(_("✔ Finish the roll"), ROLL_FINISH.encode(SessionPick(sid)))])
    return buttons(rows)


def pages_of(roll: Roll) -> int:
    return max(1, -(-len(roll.entries) // PAGE))


async def show_page(update: Update, context: BotContext, session_id: int, page: int) -> bool:
    """The roll's page; a refusal is the answer to the press (the message stays) or a reply. True when shown."""
    try:
        roll = await context.services.attendance.roll(context.principal, session_id)
    except DomainError as error:
        if update.callback_query is not None:
            await answer_callback(update, problem_text(error), alert=True)
        else:
            await reply(update, problem_text(error))
        return False
    pages = pages_of(roll)
    page = min(max(page, 0), pages - 1)
    await edit_or_reply(update, roll_text(roll, page, pages), roll_markup(roll, page, pages))
    return True


def person_text(entry: RollEntry, roll: Roll, note: str | None) -> str:
    trainee = entry.trainee
    lines = [
        fmt("<b>{name}</b> · {town}", name=name(trainee.name), town=name(trainee.town or "?")),
        session_text(roll.session, roll.cohort.timezone),
        fmt(_("Now: {icon} {status}"), icon=ICONS[entry.status], status=status_name(entry.status)),
        "",
    ]
    if note:
        lines.append(fmt(_("Note: «{note}»"), note=note))
    lines.append(_("Tap the new status. To add a note (a reason, for example), type it first."))
    return "\n".join(lines)


def person_markup(session_id: int, person_id: int, page: int) -> InlineKeyboardMarkup:
    def choice(letter: Literal["p", "l", "e", "a"]) -> tuple[str, str]:
        status = LETTERS[letter]
        return f"{ICONS[status]} {status_name(status)}", ROLL_MARK.encode(RollMark(session_id, person_id, letter, page))

    return buttons(
        [
            [choice("p"), choice("l")],
            [choice("e"), choice("a")],
            [(_("↩ Back to the list"), ROLL_PAGE.encode(RollPage(session_id, page)))],
        ]
    )


@dataclass(frozen=True)
class RollNote:
    """The trainee shown (and the roll's page to go back to), and a note typed for them meanwhile. Field names as the
    drafts persisted before the kit, so those still read."""

    session: int
    person: int
    page: int
    note: str | None = None


DRAFT = Draft("roll_note", RollNote)


async def show_person(update: Update, context: BotContext, session_id: int, person_id: int, page: int) -> int:
    assert context.user_data is not None
    try:
        roll = await context.services.attendance.roll(context.principal, session_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return END
    entry = next((e for e in roll.entries if e.trainee.person_id == person_id), None)
    if entry is None:
        await answer_callback(update, stale())
        return END
    DRAFT.put(context, RollNote(session_id, person_id, page))
    await answer_callback(update)
    await edit_or_reply(update, person_text(entry, roll, None), person_markup(session_id, person_id, page))
    return NOTE


async def page_pressed(update: Update, context: BotContext) -> int:
    """◀ ▶ and "back to the list": the note pending (if any) is dropped. The service checks authority on every
    press."""
    press = pressed(update, ROLL_PAGE)
    if press is None:
        await answer_callback(update, stale())
        return END
    DRAFT.drop(context)
    if await show_page(update, context, press.session_id, press.page):
        await answer_callback(update)
    return END


async def person_pressed(update: Update, context: BotContext) -> int:
    press = pressed(update, ROLL_PERSON)
    if press is None:
        await answer_callback(update, stale())
        return END
    return await show_person(update, context, press.session_id, press.person_id, press.page)


async def mark_pressed(update: Update, context: BotContext) -> int:
    press = pressed(update, ROLL_MARK)
    if press is None:
        await answer_callback(update, stale())
        return END
    return await set_status(update, context, press.session_id, press.person_id, press.letter, press.page)


async def finish_pressed(update: Update, context: BotContext) -> int:
    press = pressed(update, ROLL_FINISH)
    if press is None:
        await answer_callback(update, stale())
        return END
    DRAFT.drop(context)
    return await finish(update, context, press.session_id)


async def set_status(
    update: Update, context: BotContext, session_id: int, person_id: int, letter: str, page: int
) -> int:
    pending = DRAFT.get(context)
    note = (
        pending.note if pending is not None and (pending.session, pending.person) == (session_id, person_id) else None
    )
    DRAFT.drop(context)
    status = LETTERS[letter]
    try:
        change = await context.services.attendance.mark(context.principal, session_id, person_id, status, note)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return END
    await answer_callback(update, fmt(_("Saved: {status}"), status=status_name(status)) if change else _("No change."))
    await show_page(update, context, session_id, page)
    return END


async def finish(update: Update, context: BotContext, session_id: int) -> int:
    try:
        roll = await context.services.attendance.finish_roll(context.principal, session_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return END
    await answer_callback(update)
    text = "\n".join(
        [
            fmt(_("✔ <b>Roll taken</b> · {cohort}"), cohort=name(roll.cohort.name)),
            session_text(roll.session, roll.cohort.timezone),
            status_counts(counts_of(roll)),
            fmt(
                _("You can correct it any time with {roll}; {attendance} shows the figures and every change."),
                roll=cmd("/roll"),
                attendance=cmd("/attendance"),
            ),
        ]
    )
    await edit_or_reply(update, text)
    return END


async def note_typed(update: Update, context: BotContext) -> int:
    """A note for the trainee shown; it goes with the status tapped next."""
    pending = DRAFT.get(context)
    text = clean_input(update.message.text if update.message and update.message.text else "")
    if pending is None or not text:
        return END
    kept = DRAFT.put(context, replace(pending, note=text[:NOTE_MAX]))
    await reply(update, fmt(_("Note kept: «{note}». Now tap the new status above (or the same one)."), note=kept.note))
    return NOTE


async def cancel_note(update: Update, context: BotContext) -> int:
    DRAFT.drop(context)
    await reply(update, _("Note discarded; the roll is as it was."))
    return END


async def roll_command(update: Update, context: BotContext) -> None:
    """/roll [cohort]: the latest session (or a choice of recent ones)."""
    cohorts = await my_cohorts(update, context, " ".join(context.args or []))
    if cohorts is None:
        return
    pairs = await context.services.attendance.recent(context.principal, frozenset(c.id for c in cohorts))
    if not pairs:
        await reply(update, fmt(_("No session yet. Add one with {command}."), command=cmd("/session")))
        return
    if len(pairs) == 1:
        await show_page(update, context, pairs[0][0].id, 0)
        return
    rows = [[(choice_label(s, c), ROLL_CHOICE.encode(SessionPick(s.id)))] for s, c in pairs]
    await reply(update, _("Which session's roll?"), buttons(rows))


async def roll_chosen(update: Update, context: BotContext) -> None:
    pick = pressed(update, ROLL_CHOICE)
    if pick is None:
        await answer_callback(update, stale())
        return
    if await show_page(update, context, pick.session_id, 0):
        await answer_callback(update)


ROLL = Command(("roll",), TRAINER, roll_command, menu=N_("Take or correct a session's roll"))
ROLL_CHOSEN = Button.of(ROLL_CHOICE, TRAINER, roll_chosen)
# Every press on the roll (re)enters the note conversation: a note typed after tapping a name goes with its status.
ROLL_BUTTONS = [
    Button.of(ROLL_PAGE, TRAINER, page_pressed),
    Button.of(ROLL_PERSON, TRAINER, person_pressed),
    Button.of(ROLL_MARK, TRAINER, mark_pressed),
    Button.of(ROLL_FINISH, TRAINER, finish_pressed),
]


# The note's conversation: entered by any roll press, waiting (15 minutes) for a note only after a name was tapped.
# Anything else meanwhile goes to its usual handler (no ask-again), as before the kit.
ROLL_NOTE_FLOW = Flow(
    "roll_note",
    TRAINER,
    entry=ROLL_BUTTONS,
    label="roll",
    cancel=cancel_note,
    states={NOTE: [Typed("roll: note", TRAINER, note_typed, filters.TEXT & ~filters.COMMAND)]},
    ask_again=None,
    timeout=NOTE_TIMEOUT,
)
