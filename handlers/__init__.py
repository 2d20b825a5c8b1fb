"""Telegram adapters: access control first (group -1), then one module per audience, fallbacks last."""

from __future__ import annotations

from handlers import access, common, coordinator, curricula, lessons, reports, trainee, trainer
from handlers.context import BotApplication


def setup(application: BotApplication) -> None:
    access.setup(application)
    trainee.setup(application)
    coordinator.setup(application)
    curricula.setup(application)
    trainer.setup(application)
    lessons.setup(application)
    reports.setup(application)
    common.setup(application)
    common.setup_fallbacks(application)
