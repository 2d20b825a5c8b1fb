"""Telegram adapters: access control first (group -1), then one module per audience, fallbacks last."""

from __future__ import annotations

from handlers import access, broadcast_admin, common, coordinator, curricula, lessons, reports, trainee, trainer
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
    common.setup(application)
    common.setup_fallbacks(application)
