"""/broadcast, the end: Send now or at a typed time; the confirmed summary becomes the live status message."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import ParseMode

from bot.i18n import _
from bot.parsing import parse_date, parse_time
from bot.services.errors import DomainError
from bot.text import fmt, normalize_digits, rtl_safe
from handlers.broadcasts.buttons import SEND_AT, SEND_NOW
from handlers.broadcasts.draft import AT, CONFIRM, DRAFT, current, zone_of
from handlers.broadcasts.views import running_markup, status_text
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END
from handlers.core.ui import answer_callback, edit_or_reply, reply, with_retries
from handlers.problems import problem_text


async def confirm(update: Update, context: BotContext, send_at: dt.datetime | None = None) -> int:
    """Plan it (once: a second press finds it already confirmed) and turn this message into the live status."""
    if send_at is not None:
        broadcast_id = current(context).broadcast_id
    else:
        pick = pressed(update, SEND_NOW)
        broadcast_id = None if pick is None else pick.broadcast_id
    if broadcast_id is None:
        await answer_callback(update, _("This button is no longer active."))
        return END
    services = context.services
    try:
        planned = await services.broadcasts.confirm(context.principal, broadcast_id, send_at)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        if update.callback_query is None:
            await reply(update, problem_text(error))
        return AT if send_at is not None else END
    if planned is None:
        await answer_callback(update, _("This announcement is already on its way."))
        return END
    await answer_callback(update, _("On its way."))
    DRAFT.drop(context)
    progress = await services.broadcasts.progress(broadcast_id)
    assert progress is not None
    zone = await zone_of(context, progress.broadcast.cohort_ids)
    text = status_text(progress, zone, dt.datetime.now(dt.UTC))
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        status = await with_retries(lambda: edit_status(query.message, text, broadcast_id))  # type: ignore[arg-type]
    else:
        status = await reply(update, text, running_markup(broadcast_id))
    await services.broadcasts.set_status_message(context.principal, broadcast_id, status.chat_id, status.message_id)
    return END


async def edit_status(message: Message, text: str, broadcast_id: int) -> Message:
    """The pressed summary becomes the live status message."""
    edited = await message.edit_text(
        rtl_safe(text), parse_mode=ParseMode.HTML, reply_markup=running_markup(broadcast_id)
    )
    return edited if isinstance(edited, Message) else message


async def send_now(update: Update, context: BotContext) -> int:
    return await confirm(update, context)


async def ask_time(update: Update, context: BotContext) -> int:
    pick = pressed(update, SEND_AT)
    draft = current(context)
    if pick is None or draft.broadcast_id != pick.broadcast_id:
        await answer_callback(update, _("This button is no longer active."))
        return CONFIRM
    await answer_callback(update)
    zone = await zone_of(context, draft.cohort_ids)
    await edit_or_reply(
        update,
        fmt(
            _("At what time ({zone})? For example {example_today} today, or {example_day}."),
            zone=zone,
            example_today="18:30",
            example_day="2026-12-20 09:00",
        ),
    )
    return AT


def parse_when(text: str, zone: str, now: dt.datetime) -> dt.datetime | None:
    """ "18:30" (today, or tomorrow once it has passed), "2026-12-20 09:00", "20/12/2026 9:00" → aware UTC; None also
    for a day no clock can hold (year 1 in a zone ahead of UTC)."""
    local = parse_local_when(text, zone, now)
    if local is None:
        return None
    try:
        return dt.datetime.combine(*local, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    except OverflowError:
        return None


def parse_local_when(text: str, zone: str, now: dt.datetime) -> tuple[dt.date, dt.time] | None:
    """What `parse_when` reads, as the local day and time: the service checks their range before converting."""
    parts = normalize_digits(text).split()
    local_now = now.astimezone(ZoneInfo(zone))
    moment = parse_time(parts[-1]) if parts else None
    if moment is None or len(parts) > 2:
        return None
    if len(parts) == 2:
        day = parse_date(parts[0])
        if day is None:
            return None
    else:
        day = local_now.date() if moment > local_now.time() else local_now.date() + dt.timedelta(days=1)
    return day, moment


async def time_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    zone = await zone_of(context, current(context).cohort_ids)
    when = parse_local_when(message.text or "" if message else "", zone, dt.datetime.now(dt.UTC))
    if when is None:
        await reply(update, _("Please write a time like 18:30, or a date and time like 2026-12-20 09:00."))
        return AT
    try:
        send_at = context.services.broadcasts.send_moment(*when, zone)
    except DomainError as error:
        await reply(update, problem_text(error))
        return AT
    return await confirm(update, context, send_at=send_at)
