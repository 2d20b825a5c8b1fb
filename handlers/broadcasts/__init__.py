"""Broadcasts: trainers' announcements to their cohorts.

conversation: /broadcast (target → content → preview → confirm or a time); admin: Cancel while it runs, late Confirm
presses, /broadcasts with CSV reports, /announcements; progress: the outbox kind and the live status message;
views: how a status, report and CSV look.
"""

from __future__ import annotations

from handlers.broadcasts import admin
from handlers.broadcasts.conversation import broadcast_conversation
from handlers.context import BotApplication


def setup(application: BotApplication) -> None:
    application.add_handler(broadcast_conversation())
    for declaration in admin.DECLARATIONS:
        application.add_handler(declaration.handler())
