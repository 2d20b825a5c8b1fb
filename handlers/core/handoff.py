"""Handing an update on: a conversation that was waiting ends, and the bot's other handlers get the update as if it
had not been waiting (a command, a check-in code typed where a proof was asked for). Conversations ignore an update
being handed on (HANDED_ON), so it cannot come back to them; it is handed on once at most."""

from __future__ import annotations

from telegram import Update
from telegram.ext import filters

from handlers.core.context import BotContext

_handed_on: set[int] = set()  # update ids being handled again, by the other handlers


class _HandedOn(filters.UpdateFilter):
    def filter(self, update: Update) -> bool:
        return update.update_id in _handed_on


HANDED_ON = _HandedOn(name="handed_on")


async def hand_on(update: Update, context: BotContext) -> None:
    if update.update_id in _handed_on:
        return
    _handed_on.add(update.update_id)
    try:
        await context.application.process_update(update)
    finally:
        _handed_on.discard(update.update_id)
