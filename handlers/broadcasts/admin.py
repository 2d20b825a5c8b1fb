"""Around a broadcast: Cancel while it runs, late Confirm presses, /broadcasts with CSV reports, /announcements."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _
from bot.services.access import Audience
from bot.services.broadcasts import BroadcastState
from bot.services.errors import DomainError
from bot.text import esc, fmt, local_datetime, ltr
from handlers.broadcasts.buttons import CANCEL_RUNNING, REPORT, SEND_NOW, SHOW_AGAIN, BroadcastRef
from handlers.broadcasts.confirm import confirm
from handlers.broadcasts.draft import TRAINER, zone_of
from handlers.broadcasts.progress import STATUS
from handlers.broadcasts.views import FINAL_ORDER, people, report_csv
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.delivery_texts import state_name
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, chat_id_of, reply, with_retries
from handlers.problems import problem_text

SNIPPET = 60
STATE_NAMES = {
    BroadcastState.SENDING: "📤",
    BroadcastState.DONE: "✅",
    BroadcastState.CANCELLED: "⛔",
}


async def late_confirm(update: Update, context: BotContext) -> None:
    """Confirm pressed again (or after a restart lost the conversation): never sends twice."""
    await confirm(update, context)


async def cancel_running(update: Update, context: BotContext) -> None:
    pick = pressed(update, CANCEL_RUNNING)
    if pick is None:
        await answer_callback(update, _("This button is no longer active."))
        return
    broadcast_id = pick.broadcast_id
    try:
        stopped = await context.services.broadcasts.cancel(context.principal, broadcast_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return
    await answer_callback(update, _("Cancelled: nobody else will get it.") if stopped else _("It had already ended."))
    await STATUS.show(context.bot, context.services, broadcast_id)


async def send_report(update: Update, context: BotContext) -> None:
    pick = pressed(update, REPORT)
    if pick is None:
        await answer_callback(update, _("This button is no longer active."))
        return
    broadcast_id = pick.broadcast_id
    try:
        broadcast, rows = await context.services.broadcasts.report(context.principal, broadcast_id)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        return
    await answer_callback(update)
    zone = await zone_of(context, broadcast.cohort_ids)
    data = report_csv(rows, zone)
    chat_id = chat_id_of(update)
    await with_retries(
        lambda: context.bot.send_document(
            chat_id, data, filename=f"announcement-{broadcast.id}.csv", caption=f"#{broadcast.id}"
        )
    )


async def list_broadcasts(update: Update, context: BotContext) -> None:
    recent = await context.services.broadcasts.recent(context.principal)
    if not recent:
        await reply(update, fmt(_("No announcements yet. Send one with {command}."), command=ltr("/broadcast")))
        return
    lines, rows = ["📣 <b>" + _("Recent announcements") + "</b>"], []
    for progress in recent:
        broadcast = progress.broadcast
        zone = await zone_of(context, broadcast.cohort_ids)
        when = local_datetime(broadcast.send_at or broadcast.confirmed_at or broadcast.created_at, zone)
        snippet = esc((broadcast.text or f"[{broadcast.content}]").replace("\n", " ")[:SNIPPET])
        counts = " · ".join(f"{state_name(s)} {progress.states[s]}" for s in FINAL_ORDER)
        lines.append(
            f"{STATE_NAMES.get(broadcast.state, '')} #{broadcast.id} · {when} · {people(broadcast.recipients)}"
        )
        lines.append(f"   {snippet}")
        lines.append(f"   {counts}")
        rows.append(
            [("📄 " + fmt(_("Report #{number}"), number=broadcast.id), REPORT.encode(BroadcastRef(broadcast.id)))]
        )
    await reply(update, "\n".join(lines), buttons(rows[:20]))


async def list_announcements(update: Update, context: BotContext) -> None:
    received = await context.services.broadcasts.announcements(chat_id_of(update))
    if not received:
        await reply(update, _("No announcements have reached you yet."))
        return
    lines, rows = ["📣 <b>" + _("Your recent announcements") + "</b>"], []
    for number, (broadcast, when) in enumerate(received, 1):
        zone = await zone_of(context, broadcast.cohort_ids)
        snippet = esc((broadcast.text or "").replace("\n", " ")[:SNIPPET]) or _("(a photo, video or file)")
        lines.append(f"{number}. {local_datetime(when, zone)} — {snippet}")
        rows.append([(fmt(_("Show {number} again"), number=number), SHOW_AGAIN.encode(BroadcastRef(broadcast.id)))])
    await reply(update, "\n".join(lines), buttons(rows))


async def show_announcement(update: Update, context: BotContext) -> None:
    pick = pressed(update, SHOW_AGAIN)
    chat_id = chat_id_of(update)
    if pick is None:
        await answer_callback(update, _("This button is no longer active."))
        return
    broadcast_id = pick.broadcast_id
    try:
        broadcast = await context.services.broadcasts.announcement(chat_id, broadcast_id)
    except DomainError:
        await answer_callback(update, _("This button is no longer active."))
        return
    if broadcast.source_chat_id is None:
        await answer_callback(update, _("This announcement can no longer be shown."), alert=True)
        return
    await answer_callback(update)
    source_chat = broadcast.source_chat_id
    await with_retries(lambda: context.bot.copy_message(chat_id, source_chat, broadcast.source_message_id))


BROADCASTS = Command(
    ("broadcasts",), TRAINER, list_broadcasts, menu=N_("Recent announcements and their delivery reports")
)
ANNOUNCEMENTS = Command(
    ("announcements",), Audience.TRAINEE, list_announcements, menu=N_("Recent announcements from your trainers")
)
DECLARATIONS = (
    BROADCASTS,
    ANNOUNCEMENTS,
    Button.of(SEND_NOW, TRAINER, late_confirm),
    Button.of(CANCEL_RUNNING, TRAINER, cancel_running),
    Button.of(REPORT, TRAINER, send_report),
    Button.of(SHOW_AGAIN, Audience.TRAINEE, show_announcement),
)
