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
    curricula,
    lessons,
    people,
    reports,
)
from handlers.context import BotApplication
from handlers.registry import Registry


def setup(application: BotApplication) -> None:
    access.setup(application)
    people.setup_registration(application)
    broadcast_admin.setup(application)  # before curricula: a document sent as an announcement is not a curriculum
    people.setup_coordinators(application)
    curricula.setup(application)
    people.setup_trainers(application)
    lessons.setup(application)
    reports.setup(application)
    campaign_flow.setup(application)
    attendance.setup(application)
    common.setup(application)
    attendance.setup_code_messages(application)  # digits alone: after every conversation, before the fallbacks
    common.setup_fallbacks(application)
    handlers = [h for group, hs in application.handlers.items() if group != access.GATE_GROUP for h in hs]
    application.bot_data["services"].menus.registry = Registry.of(handlers)
