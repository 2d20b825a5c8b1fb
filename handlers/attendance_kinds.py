"""What the outbox sends for check-ins, when an alarm (not a person) changed something: the rotated code (a new
photo of the code and QR; the old one is deleted) and the closing summary (the check-in message shows it closed).

Rendered at send time from the database in the opener's language: a check-in closed meanwhile, or whose code
changed again, is skipped with the reason.
"""

from __future__ import annotations

import datetime as dt
import json

from telegram import Bot
from telegram.constants import ParseMode

from bot.context import Services
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import set_locale
from bot.services.attendance import CLOSED_KIND, CODE_KIND, CheckinView
from bot.services.errors import DomainError
from bot.text import rtl_safe
from handlers.attendance_views import closed_caption, delete_quietly, edit_checkin, send_checkin
from storage.dto import DeliveryDTO
from storage.uow import UnitOfWork


class CheckinItems:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def load(self, delivery: DeliveryDTO) -> tuple[CheckinView, dict[str, int]]:
        data = json.loads(delivery.payload)
        if delivery.chat_id is None:
            raise Skip("person deleted their data")
        try:
            view = await self.services.attendance.display(int(data["checkin"]))
        except DomainError:
            raise Skip("check-in deleted") from None
        locale = None
        if delivery.person_id is not None:
            async with self.services.db.unit_of_work() as uow:
                person = await uow.people.by_id(delivery.person_id)
            locale = person.locale if person else None
        set_locale(locale or self.services.settings.bot_default_locale)
        return view, data

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        return None


class CodeKind(CheckinItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        view, data = await self.load(delivery)
        assert delivery.chat_id is not None
        if not view.checkin.is_open(dt.datetime.now(dt.UTC)):
            raise Skip("check-in closed")
        if view.checkin.generation != int(data["generation"]):
            raise Skip("code changed meanwhile")
        message = await send_checkin(bot, delivery.chat_id, view)
        await delete_quietly(bot, view.checkin.chat_id, view.checkin.message_id)
        return Sent(message.message_id, {"checkin": view.checkin.id})

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        """The new photo is the check-in message from now on (counts and closing edit it)."""
        assert delivery.chat_id is not None and sent.message_id is not None
        await uow.checkins.set_display(int(sent.extra["checkin"]), delivery.chat_id, sent.message_id)


class ClosedKind(CheckinItems):
    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        view, _data = await self.load(delivery)
        assert delivery.chat_id is not None
        await edit_checkin(bot, view, closed=True)
        message = await bot.send_message(delivery.chat_id, rtl_safe(closed_caption(view)), parse_mode=ParseMode.HTML)
        return Sent(message.message_id)


def attendance_kinds(services: Services) -> dict[str, DeliveryKind]:
    return {CODE_KIND: CodeKind(services), CLOSED_KIND: ClosedKind(services)}
