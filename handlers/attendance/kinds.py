"""What the outbox sends for check-ins, when an alarm (not a person) changed something: the rotated code (a new
photo of the code and QR; the old one is deleted) and the closing summary (the check-in message shows it closed).

Whether to send, and what, is decided by the service at send time (`AttendanceService.notice`); here it is only
rendered, in the opener's language.
"""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode

from bot.context import Services
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import set_locale
from bot.services.attendance import CLOSED_KIND, CODE_KIND, CheckinOutboxRecords, CheckinView, DeliveryDTO
from bot.text import rtl_safe
from handlers.attendance.views import closed_caption, delete_quietly, edit_checkin, send_checkin


class CheckinItems(CheckinOutboxRecords):
    """Rendering only: what to show is decided by `AttendanceService.notice`, what sending changes is recorded by
    `CheckinOutboxRecords.on_sent`."""

    kind = ""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def load(self, delivery: DeliveryDTO) -> CheckinView:
        """The check-in to show, in the opener's language; Skip with the service's reason when there is none."""
        notice = await self.services.attendance.notice(
            self.kind, delivery.payload, delivery.person_id, delivery.chat_id
        )
        if notice.view is None:
            raise Skip(notice.skip or "nothing to show")
        set_locale(notice.locale or self.services.settings.bot_default_locale)
        return notice.view


class CodeKind(CheckinItems):
    kind = CODE_KIND

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        view = await self.load(delivery)
        assert delivery.chat_id is not None
        message = await send_checkin(bot, delivery.chat_id, view)
        await delete_quietly(bot, view.checkin.chat_id, view.checkin.message_id)
        return Sent(message.message_id, {"checkin": view.checkin.id})


class ClosedKind(CheckinItems):
    kind = CLOSED_KIND

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        view = await self.load(delivery)
        assert delivery.chat_id is not None
        await edit_checkin(bot, view, closed=True)
        message = await bot.send_message(delivery.chat_id, rtl_safe(closed_caption(view)), parse_mode=ParseMode.HTML)
        return Sent(message.message_id)


def attendance_kinds(services: Services) -> dict[str, DeliveryKind]:
    return {CODE_KIND: CodeKind(services), CLOSED_KIND: ClosedKind(services)}
