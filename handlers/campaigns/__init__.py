"""The campaign planner in Telegram: /campaign (plans, posts, teammates), /calendar, /campaigns (trainers' review),
and the posting reminders and plan notes the delivery engine sends. Services: bot.services.campaigns."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from handlers.context import BotApplication


def setup(application: BotApplication) -> None:
    from handlers.campaigns import flow  # imported here: the flow modules import handlers.context

    flow.setup(application)
