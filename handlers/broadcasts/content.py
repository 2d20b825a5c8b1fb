"""/broadcast, the content: the message to copy, checked, drafted and previewed, with Send now, a time, or Cancel."""

from __future__ import annotations

from dataclasses import replace

from telegram import Message, Update

from bot.i18n import _
from bot.services.broadcasts import BroadcastDTO
from bot.services.errors import DomainError, Problem
from bot.text import fmt, name
from handlers.broadcasts.buttons import DROP, SEND_AT, SEND_NOW, BroadcastRef
from handlers.broadcasts.draft import CONFIRM, CONTENT, DRAFT, current, my_cohorts
from handlers.broadcasts.views import people
from handlers.core.context import BotContext
from handlers.core.conversation import END
from handlers.core.ui import buttons, chat_id_of, reply, with_retries
from handlers.problems import problem_text

CONTENT_KINDS = ("text", "photo", "video", "animation", "document", "voice", "audio", "video_note")


def content_of(message: Message) -> tuple[str, str | None] | None:
    """(kind, text or caption) of a message trainees can receive as an announcement; None otherwise."""
    for kind in CONTENT_KINDS:
        if getattr(message, kind, None):
            if kind == "text":
                return kind, message.text if (message.text or "").strip() else None
            return kind, message.caption
    return None


async def content_sent(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    found = content_of(message)
    if found is None or (found[0] == "text" and found[1] is None):
        await reply(
            update,
            _(
                "That cannot be sent as an announcement. "
                "Send a text, a photo, a video, a document, a voice message or an audio."
            ),
        )
        return CONTENT
    kind, text = found
    draft = current(context)
    try:
        broadcast = await context.services.broadcasts.draft(
            context.principal,
            draft.target,
            source_chat_id=chat_id_of(update),
            source_message_id=message.message_id,
            content=kind,
            text=text,
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        if error.problem is Problem.TEXT_TOO_LONG:
            return CONTENT
        DRAFT.drop(context)
        return END
    DRAFT.put(context, replace(draft, broadcast_id=broadcast.id))
    await show_preview(update, context, message, broadcast)
    return CONFIRM


async def show_preview(update: Update, context: BotContext, message: Message, broadcast: BroadcastDTO) -> None:
    """The message exactly as trainees will get it, then who gets it and the choices."""
    chat_id = chat_id_of(update)
    await reply(update, _("Preview — this is exactly what trainees will see:"))
    await with_retries(lambda: context.bot.copy_message(chat_id, chat_id, message.message_id))
    summary = fmt(
        _("Send it to {people} in {cohorts}?"),
        people=people(broadcast.recipients),
        cohorts=", ".join(name(c.name) for c in await my_cohorts(context) if c.id in broadcast.cohort_ids),
    )
    this = BroadcastRef(broadcast.id)
    rows = [
        [("✅ " + _("Send now"), SEND_NOW.encode(this))],
        [("⏰ " + _("Send at a time…"), SEND_AT.encode(this))],
        [(_("Cancel"), DROP.encode(this))],
    ]
    await reply(update, summary, buttons(rows))
