"""What the delivery engine sends for the campaign planner: posting reminders and plan notes (a trainer's comment,
an approved proof, a new teammate). Rendered at send time in the recipient's stored language from what the database
says then; anything no longer true is skipped with the reason."""

from __future__ import annotations

import datetime as dt

from telegram import Bot
from telegram.constants import ParseMode

from bot.context import Services
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import _, set_locale
from bot.services.campaigns import DeliveryDTO
from bot.services.campaigns.reminders import PLAN_NOTE, POST_REMIND, ReminderGone
from bot.services.campaigns.review import Note, NoteGone
from bot.text import fmt, name, rtl_safe
from handlers.campaigns.buttons import SHOW_PLAN, PlanRef
from handlers.campaigns.reminders import reminder_markup, reminder_text
from handlers.campaigns.texts import plan_label, post_line
from handlers.core.ui import buttons


class PostReminderKind:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        try:
            reminder = await self.services.campaigns.reminders.load(delivery)
        except ReminderGone as gone:
            raise Skip(gone.reason) from None
        set_locale(reminder.person.locale or self.services.settings.bot_default_locale)
        message = await bot.send_message(
            reminder.person.telegram_id,
            rtl_safe(reminder_text(reminder)),
            parse_mode=ParseMode.HTML,
            reply_markup=reminder_markup(reminder.post.id, reminder.occurs_at),
        )
        return Sent(message.message_id)

    async def on_sent(self, uow: object, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        return None  # sending changes nothing of the planner's (any unit of work will do: it is not used)


def note_text(item: Note) -> str:
    label = name(plan_label(item.plan))
    if item.kind == "comment" and item.comment is not None:
        return "\n".join(
            [
                fmt(_("💬 <b>Your trainer commented on the campaign plan {label}</b>"), label=label),
                fmt("«{text}»", text=name(item.comment.text)),
            ]
        )
    if item.kind == "approved" and item.post is not None and item.occurrence is not None:
        about = post_line(item.post, item.cohort.timezone, at=item.occurrence.occurs_at)
        return fmt(_("✅ <b>Your trainer approved your proof</b> for {label}:"), label=label) + "\n" + about
    return fmt(
        _(
            "👥 {owner} added you to the campaign plan {label}. You will get its posting reminders and can mark posts "
            "done."
        ),
        owner=name(item.owner_name),
        label=label,
    )


class PlanNoteKind:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        try:
            item = await self.services.campaigns.review.load_note(delivery)
        except NoteGone as gone:
            raise Skip(gone.reason) from None
        set_locale(item.person.locale or self.services.settings.bot_default_locale)
        markup = buttons([[("📋 " + _("Open the plan"), SHOW_PLAN.encode(PlanRef(item.plan.id)))]])
        message = await bot.send_message(
            item.person.telegram_id, rtl_safe(note_text(item)), parse_mode=ParseMode.HTML, reply_markup=markup
        )
        return Sent(message.message_id)

    async def on_sent(self, uow: object, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        return None  # sending changes nothing of the planner's (any unit of work will do: it is not used)


def campaign_kinds(services: Services) -> dict[str, DeliveryKind]:
    return {POST_REMIND: PostReminderKind(services), PLAN_NOTE: PlanNoteKind(services)}
