"""/broadcast, the content: the message to copy, checked, drafted and previewed, with Send now, a time, or Cancel."""

from __future__ import annotations

from telegram import Message, Update

from bot.i18n import _
from bot.services.errors import DomainError
from bot.text import fmt, name
from handlers.broadcasts.draft import CONFIRM, CONTENT, END, draft, drop_draft, my_cohorts, target_of
from handlers.broadcasts.views import people
from handlers.core.context import BotContext
from handlers.core.problems import problem_text
from handlers.core.ui import buttons, chat_id_of, reply, with_retries

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
    services, chat_id = context.services, chat_id_of(update)
    try:
        broadcast = await services.broadcasts.draft(
            context.principal,
            target_of(context),
            source_chat_id=chat_id,
            source_message_id=message.message_id,
            content=kind,
            text=text,
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        if error.problem.value == "text_too_long":
            return CONTENT
        drop_draft(context)
        return END
    draft(context)["id"] = broadcast.id
    await reply(update, _("Preview — this is exactly what trainees will see:"))
    await with_retries(lambda: context.bot.copy_message(chat_id, chat_id, message.message_id))
    summary = fmt(
        _("Send it to {people} in {cohorts}?"),
        people=people(broadcast.recipients),
        cohorts=", ".join(name(c.name) for c in await my_cohorts(context) if c.id in broadcast.cohort_ids),
    )
    rows = [
        [("✅ " + _("Send now"), f"bc:go:{broadcast.id}")],
        [("⏰ " + _("Send at a time…"), f"bc:at:{broadcast.id}")],
        [(_("Cancel"), f"bc:no:{broadcast.id}")],
    ]
    await reply(update, summary, buttons(rows))
    return CONFIRM
