"""Trainers: check-ins. /checkin_open (alias /opencheckin) shows a session's code and the QR of its deep link;
/checkin_close closes the open one (asking which when several are open); the check-in message's buttons rotate the
code, count and close."""

from __future__ import annotations

import datetime as dt
from typing import Literal, cast

from telegram import Update

from bot.i18n import N_, _
from bot.services.attendance import CheckinView
from bot.services.errors import DomainError
from bot.text import cmd, fmt
from handlers.attendance.alarms import set_checkin_alarms
from handlers.attendance.buttons import (
    CHECKIN_ACTION,
    OPEN_CHOICE,
    ROTATION,
    CheckinPress,
    CheckinSessionPick,
)
from handlers.attendance.cohorts import MAX_CHOICES, TRAINER, choice_label, my_cohorts, names_a_cohort, stale
from handlers.attendance.views import closed_caption, delete_quietly, edit_checkin, send_checkin
from handlers.core.buttons import pressed
from handlers.core.context import BotApplication, BotContext
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, chat_id_of, edit_or_reply, reply
from handlers.problems import problem_text

ROTATE_WORDS = {"rotate", "rotating", "تدوير", "متغير"}


async def open_checkin(update: Update, context: BotContext) -> None:
    """/checkin_open [cohort] [rotate]: the session starting within 12 hours, or a choice among them."""
    args = list(context.args or [])
    rotate: bool | None = None
    if args and args[-1].casefold() in ROTATE_WORDS and not await names_a_cohort(context, " ".join(args)):
        args, rotate = args[:-1], True
    cohorts = await my_cohorts(update, context, " ".join(args))
    if cohorts is None:
        return
    pairs = await context.services.attendance.near(context.principal, frozenset(c.id for c in cohorts))
    if not pairs:
        await reply(
            update,
            fmt(_("No session of yours starts within 12 hours. Add one with {command}."), command=cmd("/session")),
        )
        return
    if len(pairs) == 1:
        await show_checkin(update, context, pairs[0][0].id, rotate)
        return
    flag: Literal["d", "1"] = "d" if rotate is None else "1"
    rows = [[(choice_label(s, c), OPEN_CHOICE.encode(CheckinSessionPick(s.id, flag)))] for s, c in pairs[:MAX_CHOICES]]
    await reply(update, _("Which session is the check-in for?"), buttons(rows))


async def session_chosen(update: Update, context: BotContext) -> None:
    pick = pressed(update, OPEN_CHOICE)
    if pick is None:
        await answer_callback(update, stale())
        return
    await answer_callback(update)
    await show_checkin(update, context, pick.session_id, pick.rotating)


async def show_checkin(update: Update, context: BotContext, session_id: int, rotate: bool | None) -> None:
    """Open (or show again) the check-in: a photo of the QR with the code; the older copy in this chat goes."""
    attendance = context.services.attendance
    try:
        view, new = await attendance.open_checkin(context.principal, session_id, rotate=rotate)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    if not new:
        await reply(update, _("The check-in of this session is already open; here it is again."))
    chat_id = chat_id_of(update)
    message = await send_checkin(context.bot, chat_id, view)
    if view.checkin.chat_id == chat_id:
        await delete_quietly(context.bot, chat_id, view.checkin.message_id)
    await attendance.set_display(context.principal, view.checkin.id, chat_id, message.message_id)
    await set_checkin_alarms(cast(BotApplication, context.application))


async def close_checkin(update: Update, context: BotContext) -> None:
    """/checkin_close [cohort]: close the open check-in of the trainer's sessions; with several open, ask which."""
    wanted = " ".join(context.args or [])
    cohorts = await my_cohorts(update, context, wanted)
    if cohorts is None:
        return
    try:
        views = await context.services.attendance.open_checkins(
            context.principal, cohorts[0].id if wanted.strip() else None
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    if not views:
        await reply(
            update, fmt(_("No check-in of yours is open. Open one with {command}."), command=cmd("/checkin_open"))
        )
        return
    if len(views) == 1:
        try:
            await close_and_report(update, context, views[0].checkin.id)
        except DomainError as error:
            await reply(update, problem_text(error))
        return
    rows = [
        [(choice_label(v.session, v.cohort), CHECKIN_ACTION.encode(CheckinPress("cls", v.checkin.id)))]
        for v in views[:MAX_CHOICES]
    ]
    await reply(update, _("Several check-ins are open. Which one do you want to close?"), buttons(rows))


async def close_and_report(update: Update, context: BotContext, checkin_id: int) -> CheckinView:
    """Close it; the check-in message shows it closed, and the answer here is the summary (or the pressed
    question becomes it)."""
    view = await context.services.attendance.close(context.principal, checkin_id)
    await edit_checkin(context.bot, view, closed=True)
    await edit_or_reply(update, closed_caption(view))
    await set_checkin_alarms(cast(BotApplication, context.application))
    return view


async def checkin_button(update: Update, context: BotContext) -> None:
    """ci:cnt the count now, ci:end close it (on the check-in message), ci:cls close it (chosen after
    /checkin_close)."""
    press = pressed(update, CHECKIN_ACTION)
    if press is None:
        await answer_callback(update, stale())
        return
    attendance, principal, checkin_id = context.services.attendance, context.principal, press.checkin_id
    try:
        if press.action == "cls":
            await close_and_report(update, context, checkin_id)
            await answer_callback(update, _("Check-in closed."))
            return
        if press.action == "end":
            view = await attendance.close(principal, checkin_id)
            await answer_callback(update, _("Check-in closed."))
            await edit_checkin(context.bot, view, closed=True)
        else:
            view = await attendance.view(principal, checkin_id)
            count = fmt(_("Checked in: {count} of {total}"), count=view.checked_in, total=view.trainees)
            await answer_callback(update, count)
            await edit_checkin(context.bot, view, closed=not view.checkin.is_open(dt.datetime.now(dt.UTC)))
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return
    await set_checkin_alarms(cast(BotApplication, context.application))


async def rotation_button(update: Update, context: BotContext) -> None:
    """ci:rot rotation off or on; on: a new code and QR, so a new photo (the old one goes)."""
    press = pressed(update, ROTATION)
    if press is None:
        await answer_callback(update, stale())
        return
    attendance, principal = context.services.attendance, context.principal
    try:
        view = await attendance.set_rotation(principal, press.checkin_id, press.on)
        await answer_callback(update)
        if press.on:
            chat_id = chat_id_of(update)
            message = await send_checkin(context.bot, chat_id, view)
            await delete_quietly(context.bot, view.checkin.chat_id, view.checkin.message_id)
            await attendance.set_display(principal, press.checkin_id, chat_id, message.message_id)
        else:
            await edit_checkin(context.bot, view)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return
    await set_checkin_alarms(cast(BotApplication, context.application))


OPEN_CHECKIN = Command(
    ("checkin_open", "opencheckin"), TRAINER, open_checkin, menu=N_("Open a session's check-in: a code and a QR code")
)
CLOSE_CHECKIN = Command(("checkin_close",), TRAINER, close_checkin, menu=N_("Close the open check-in"))
SESSION_CHOSEN = Button.of(OPEN_CHOICE, TRAINER, session_chosen)
ROTATION_BUTTON = Button.of(ROTATION, TRAINER, rotation_button)
CHECKIN_BUTTON = Button.of(CHECKIN_ACTION, TRAINER, checkin_button)
