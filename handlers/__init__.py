"""Telegram adapters: access control first (group -1), then each feature's handlers in order, fallbacks last.

Every handler is built from a declaration (handlers.core.registry); `install` records the registry of what was
registered for menus, /help and the tests that check every handler has a declared audience. Each feature hands over
its handlers, outbox kinds and start-up hooks as a `Feature` (handlers.core.feature).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.context import services_in
from handlers import (
    attendance,
    broadcasts,
    campaigns,
    lessons,
    people,
)
from handlers.core import access, common
from handlers.core.context import BotApplication
from handlers.core.feature import Feature, Features
from handlers.core.registry import Registry

# Registration order matters where two features could take the same update (said on each line).
FEATURES: list[Callable[[], Feature]] = [
    people.setup_registration,  # first: an invite link opened while another flow waits still registers
    broadcasts.setup,  # before curricula: a document sent as an announcement is not a curriculum
    people.setup,
    lessons.setup,  # after broadcast_admin (its document is not a curriculum) and people (menu order as before)
    campaigns.setup,
    attendance.setup,
    common.setup,  # the general commands, after every feature's: /start, /help, /language
    people.setup_my_data,  # /mydata and /forgetme, in their place among the general commands (menus, /help)
    common.setup_whoami,  # /whoami, last of the general commands
]


def install(application: BotApplication) -> Features:
    """The gate (group -1), every feature's handlers in order, their late handlers, the fallbacks; then the
    registry of what was registered. The features are returned for the delivery engine and the start-up hooks."""
    features = Features(tuple(setup() for setup in FEATURES))
    access.setup(application)
    for feature in features.features:
        application.add_handlers(list(feature.handlers))
    for feature in features.features:
        application.add_handlers(list(feature.late))
    application.add_handlers([declaration.handler() for declaration in common.FALLBACKS])
    application.add_error_handler(common.on_error)
    handlers = [h for group, hs in application.handlers.items() if group != access.GATE_GROUP for h in hs]
    services_in(application.bot_data).menus.registry = Registry.of(handlers)
    return features
