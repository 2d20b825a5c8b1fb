"""The campaign planner's services, built together (they share the reminders planner and the grace window)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from bot.services.campaigns.calendar import CalendarService
from bot.services.campaigns.plans import CampaignService
from bot.services.campaigns.reminders import ReminderService
from bot.services.campaigns.review import ReviewService
from bot.services.clock import Clock, utc_now
from storage.uow import Database


@dataclass(frozen=True, slots=True)
class Campaigns:
    plans: CampaignService
    reminders: ReminderService
    review: ReviewService
    calendar: CalendarService


def build_campaigns(
    db: Database,
    *,
    grace: dt.timedelta,
    default_zone: str,
    on_planned: Callable[[], None],
    clock: Clock = utc_now,
) -> Campaigns:
    reminders = ReminderService(db, grace, clock)
    reminders.on_planned = on_planned
    review = ReviewService(db, grace, clock)
    review.on_planned = on_planned
    return Campaigns(
        plans=CampaignService(db, reminders, clock),
        reminders=reminders,
        review=review,
        calendar=CalendarService(db, default_zone, clock),
    )
