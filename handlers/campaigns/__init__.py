"""The campaign planner in Telegram: /campaign (plans, posts, teammates), /calendar, /campaigns (trainers' review),
and the posting reminders and plan notes the delivery engine sends. Services: bot.services.campaigns."""

from __future__ import annotations

from handlers.core.feature import Feature


def setup() -> Feature:
    # Imported here: handlers.problems imports handlers.campaigns.texts, and the flow imports handlers.problems.
    from handlers.campaigns.deliveries import campaign_kinds
    from handlers.campaigns.flow import campaign_handlers

    return Feature("campaigns", handlers=campaign_handlers(), kinds=campaign_kinds)
