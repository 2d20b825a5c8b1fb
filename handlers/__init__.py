"""Telegram adapters: access control first (group -1), then one module per audience, fallbacks last."""

from __future__ import annotations

from handlers import (
    access,
    attendance,
    broadcast_admin,
    campaign_flow,
    common,
    coordinator,
    curricula,
    lessons,
    reports,
    trainee,
    trainer,
)
from handlers.context import BotApplication


def setup(application: BotApplication) -> None:
    access.setup(application)
    trainee.setup(application)
    broadcast_admin.setup(application)  # before curricula: a document sent as an announcement is not a curriculum
    coordinator.setup(application)
    curricula.setup(application)
    trainer.setup(application)
    lessons.setup(application)
    reports.setup(application)
    campaign_flow.setup(application)
    attendance.setup(application)
    common.setup(application)
    attendance.setup_code_messages(application)  # digits alone: after every conversation, before the fallbacks
    common.setup_fallbacks(application)
