"""Broadcasts in the delivery engine: the copy to each recipient, and the sender's live status message."""

from __future__ import annotations

import datetime as dt
import json
import logging

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.context import Services
from bot.delivery.engine import Sent, Skip
from bot.i18n import set_locale
from bot.services.broadcasts import Progress
from bot.text import rtl_safe
from handlers.broadcast_views import final_text, report_markup, running_markup, status_text
from handlers.core.context import BotContext
from storage.broadcasts import BroadcastDTO, BroadcastState
from storage.dto import DeliveryDTO
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 3.0  # the status message is edited at most this often


class BroadcastKind:
    """Copies the sender's message (copyMessage keeps formatting and media) to one recipient."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._sources: dict[int, BroadcastDTO] = {}  # what to copy never changes: read it once

    async def _broadcast(self, broadcast_id: int) -> BroadcastDTO | None:
        if broadcast_id not in self._sources:
            async with self.services.db.unit_of_work() as uow:
                found = await uow.broadcasts.by_id(broadcast_id)
            if found is None:
                return None
            self._sources[broadcast_id] = found
        return self._sources[broadcast_id]

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        broadcast = await self._broadcast(int(json.loads(delivery.payload)["broadcast"]))
        if broadcast is None:
            raise Skip("broadcast removed")
        if broadcast.source_chat_id is None:
            raise Skip("the sender deleted their data")
        assert delivery.chat_id is not None
        copied = await bot.copy_message(delivery.chat_id, broadcast.source_chat_id, broadcast.source_message_id)
        return Sent(copied.message_id)

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        return None


class StatusMessages:
    """Edits each running broadcast's status message when its figures change; the final report when it ends."""

    def __init__(self) -> None:
        self._shown: dict[int, str] = {}

    async def refresh(self, bot: Bot, services: Services) -> None:
        now = dt.datetime.now(dt.UTC)
        for progress in await services.broadcasts.sending():
            await self._show(bot, services, progress, now)

    async def show(self, bot: Bot, services: Services, broadcast_id: int) -> None:
        """At once (after Cancel, say) rather than at the next refresh."""
        progress = await services.broadcasts.progress(broadcast_id)
        if progress is not None:
            await self._show(bot, services, progress, dt.datetime.now(dt.UTC))

    async def _show(self, bot: Bot, services: Services, progress: Progress, now: dt.datetime) -> None:
        broadcast = progress.broadcast
        if broadcast.status_chat_id is None or broadcast.status_message_id is None:
            return
        async with services.db.unit_of_work() as uow:
            sender = await uow.people.by_id(broadcast.sender_id) if broadcast.sender_id else None
            cohort = await uow.cohorts.by_id(broadcast.cohort_ids[0]) if broadcast.cohort_ids else None
        set_locale((sender.locale if sender else None) or services.settings.bot_default_locale)
        zone = cohort.timezone if cohort else services.settings.bot_timezone
        ended = broadcast.state in (BroadcastState.DONE, BroadcastState.CANCELLED)
        if ended:
            text = final_text(progress, dict(await services.broadcasts.reasons(broadcast.id)))
            markup = report_markup(broadcast.id)
        else:
            text, markup = status_text(progress, zone, now), running_markup(broadcast.id)
        if self._shown.get(broadcast.id) == text:
            return
        try:
            await bot.edit_message_text(
                rtl_safe(text),
                chat_id=broadcast.status_chat_id,
                message_id=broadcast.status_message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except BadRequest as refused:  # "not modified", or the sender deleted the status message
            log.info("broadcast %d status not edited: %s", broadcast.id, refused.message)
        except TelegramError:
            log.warning("broadcast %d status not edited", broadcast.id, exc_info=True)
            return
        self._shown[broadcast.id] = text
        if ended:
            self._shown.pop(broadcast.id, None)


STATUS = StatusMessages()


async def refresh_status(context: BotContext) -> None:
    """JobQueue: every few seconds while any broadcast runs (it reads the figures from the database)."""
    await STATUS.refresh(context.bot, context.services)
