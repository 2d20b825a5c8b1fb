"""Telegram adapters: access control first (group -1), then one module per audience, fallbacks last.

Every handler is built from a declaration (handlers.registry); `setup` records the registry of what was registered
for menus, /help and the tests that check every handler has a declared audience."""

from __future__ import annotations

from handlers import (
    access,
    attendance,
    broadcast_admin,
    campaign_flow,
    common,
    coordinator,
    trainee,
    trainer,
)
from handlers.context import BotApplication
from handlers.lessons import curricula
from handlers.lessons import stats as lesson_stats
from handlers.lessons import trainee as lessons
from handlers.registry import Registry


def setup(application: BotApplication) -> None:
    access.setup(application)
    trainee.setup(application)
    broadcast_admin.setup(application)  # before curricula: a document sent as an announcement is not a curriculum
    coordinator.setup(application)
    curricula.setup(application)
    trainer.setup(application)
    lessons.setup(application)
    lesson_stats.setup(application)
    campaign_flow.setup(application)
    attendance.setup(application)
    common.setup(application)
    attendance.setup_code_messages(application)  # digits alone: after every conversation, before the fallbacks
    common.setup_fallbacks(application)
    handlers = [h for group, hs in application.handlers.items() if group != access.GATE_GROUP for h in hs]
    application.bot_data["services"].menus.registry = Registry.of(handlers)
