"""Trainers: a session's roll (/roll). A page of trainees with their status; tapping one shows the four statuses, and
a note typed meanwhile goes with the change. Every change is audited by the service."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _
from bot.parsing import parse_int, parse_positive_int
from bot.services.access import Audience
from bot.services.attendance import Roll, RollEntry
from bot.services.attendance_common import NOTE_MAX
from bot.services.errors import DomainError
from bot.text import clean_input, cmd, fmt, name
from handlers.attendance_trainer import ID, TRAINER, choice_label, my_cohorts, stale
from handlers.attendance_views import ICONS, LETTERS, session_text, status_counts, status_name
from handlers.core.context import BotApplication, BotContext
from handlers.core.problems import problem_text
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply

PAGE = 8
NOTE = 0
END = ConversationHandler.END
NOTE_KEY = "roll_note"
NOTE_TIMEOUT_S = 15 * 60


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
        [(f"{ICONS[entry.status]} {entry.trainee.name}"[:40], f"rl:p:{sid}:{entry.trainee.person_id}:{page}")]
        for entry in roll.entries[page * PAGE : (page + 1) * PAGE]
    ]
    nav = []
    if page > 0:
        nav.append(("◀", f"rl:l:{sid}:{page - 1}"))
    if page < pages - 1:
        nav.append(("▶", f"rl:l:{sid}:{page + 1}"))
    if nav:
        rows.append(nav)
    rows.append([(_("✔ Finish the roll"), f"rl:f:{sid}")])
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
    def choice(letter: str) -> tuple[str, str]:
        status = LETTERS[letter]
        return f"{ICONS[status]} {status_name(status)}", f"rl:s:{session_id}:{person_id}:{letter}:{page}"

    return buttons(
        [
            [choice("p"), choice("l")],
            [choice("e"), choice("a")],
            [(_("↩ Back to the list"), f"rl:l:{session_id}:{page}")],
        ]
    )


def pending_note(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.get(NOTE_KEY)
    return value if isinstance(value, dict) else {}


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
    context.user_data[NOTE_KEY] = {"session": session_id, "person": person_id, "page": page, "note": None}
    await answer_callback(update)
    await edit_or_reply(update, person_text(entry, roll, None), person_markup(session_id, person_id, page))
    return NOTE


async def roll_button(update: Update, context: BotContext) -> int:
    """rl:l:<session>:<page> a page · rl:p:<session>:<person>:<page> one trainee · rl:s:<session>:<person>:<status
    letter>:<page> set it · rl:f:<session> finish. Authority is checked by the service on every press."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    parts = (query.data or "").split(":")
    shapes = {"l": 4, "p": 5, "s": 6, "f": 3}
    action = parts[1] if len(parts) > 1 else ""
    session_id = parse_positive_int(parts[2]) if len(parts) > 2 else None
    page = parse_int(parts[-1]) if action != "f" else 0
    if shapes.get(action) != len(parts) or session_id is None or page is None:
        await answer_callback(update, stale())
        return END
    if action == "l":
        context.user_data.pop(NOTE_KEY, None)
        if await show_page(update, context, session_id, page):
            await answer_callback(update)
        return END
    if action == "f":
        context.user_data.pop(NOTE_KEY, None)
        return await finish(update, context, session_id)
    person_id = parse_positive_int(parts[3])
    if person_id is None or (action == "s" and parts[4] not in LETTERS):
        await answer_callback(update, stale())
        return END
    if action == "p":
        return await show_person(update, context, session_id, person_id, page)
    return await set_status(update, context, session_id, person_id, parts[4], page)


async def set_status(
    update: Update, context: BotContext, session_id: int, person_id: int, letter: str, page: int
) -> int:
    assert context.user_data is not None
    pending = pending_note(context)
    note = pending.get("note") if (pending.get("session"), pending.get("person")) == (session_id, person_id) else None
    context.user_data.pop(NOTE_KEY, None)
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
    pending = pending_note(context)
    text = clean_input(update.message.text if update.message and update.message.text else "")
    if not pending or not text:
        return END
    pending["note"] = text[:NOTE_MAX]
    await reply(
        update,
        fmt(_("Note kept: «{note}». Now tap the new status above (or the same one)."), note=pending["note"]),
    )
    return NOTE


async def cancel_note(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(NOTE_KEY, None)
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
    rows = [[(choice_label(s, c), f"se:rl:{s.id}")] for s, c in pairs]
    await reply(update, _("Which session's roll?"), buttons(rows))


async def roll_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    session_id = parse_positive_int((query.data or "").rsplit(":", 1)[-1])
    if session_id is None:
        await answer_callback(update, stale())
        return
    if await show_page(update, context, session_id, 0):
        await answer_callback(update)


ROLL = Command(("roll",), TRAINER, roll_command, menu=N_("Take or correct a session's roll"))
ROLL_CHOSEN = Button("se", TRAINER, roll_chosen, f"rl:{ID}")
PAGE_NUMBER = r"\d{1,4}"
ROLL_BUTTON = Button(
    "rl",
    TRAINER,
    roll_button,
    f"l:{ID}:{PAGE_NUMBER}|p:{ID}:{ID}:{PAGE_NUMBER}|s:{ID}:{ID}:[a-z]:{PAGE_NUMBER}|f:{ID}",
)


def roll_conversation() -> ConversationHandler[BotContext]:
    return conversation(
        "roll_note",
        entry=[ROLL_BUTTON],
        states={NOTE: [Typed("roll: note", TRAINER, note_typed, filters.TEXT & ~filters.COMMAND)]},
        fallbacks=[Command(("cancel",), Audience.ANYONE, cancel_note)],
        timeout=NOTE_TIMEOUT_S,
    )


def setup(application: BotApplication) -> None:
    application.add_handler(ROLL.handler())
    application.add_handler(ROLL_CHOSEN.handler())
    application.add_handler(roll_conversation())
