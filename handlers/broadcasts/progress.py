"""Broadcasts in the delivery engine: the copy to each recipient, and the sender's live status message."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.context import Services
from bot.delivery.engine import DeliveryKind, Sent, Skip
from bot.i18n import set_locale
from bot.services.broadcasts import BROADCAST, BroadcastState, DeliveryDTO, Progress, Skipped
from bot.text import rtl_safe
from handlers.broadcasts.views import final_text, report_markup, running_markup, status_text
from handlers.core.context import BotApplication, BotContext

log = logging.getLogger(__name__)

PROGRESS_EVERY_S = 3.0  # the status message is edited at most this often
LATE_OK: dict[str, Any] = {"misfire_grace_time": None, "coalesce": True}  # a late refresh still runs, once


class BroadcastKind:
    """Copies the sender's message (copyMessage keeps formatting and media) to one recipient; the service says what
    to copy, or why nothing is sent."""

    def __init__(self, services: Services) -> None:
        self.services = services

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent:
        order = await self.services.broadcasts.copy_for(delivery)
        if isinstance(order, Skipped):
            raise Skip(order.reason)
        assert delivery.chat_id is not None
        copied = await bot.copy_message(delivery.chat_id, order.from_chat_id, order.message_id)
        return Sent(copied.message_id)

    async def on_sent(self, uow: object, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None:
        """Nothing changes when a copy is sent: the delivery row is the whole record."""
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
        sender = await services.broadcasts.sender_view(broadcast)
        set_locale(sender.locale or services.settings.bot_default_locale)
        zone = sender.zone or services.settings.bot_timezone
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


def broadcast_kinds(services: Services) -> Mapping[str, DeliveryKind]:
    return {BROADCAST: BroadcastKind(services)}


async def start_status_job(application: BotApplication) -> None:
    """The status messages are refreshed every few seconds from start-up (a broadcast may be running already)."""
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            refresh_status, PROGRESS_EVERY_S, first=1, name="broadcast-status", job_kwargs=LATE_OK
        )
