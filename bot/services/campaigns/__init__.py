"""The campaign planner's services: plans and posts, posting reminders, trainers' review, the calendar.

The DTOs the handlers render are re-exported here, so that handlers never import `storage`."""

from bot.services.campaigns.calendar import CalendarService
from bot.services.campaigns.feature import Campaigns, build_campaigns
from bot.services.campaigns.plans import CampaignService, PlanView
from bot.services.campaigns.reminders import ReminderService
from bot.services.campaigns.review import ReviewService
from storage.campaigns.dto import (
    METRICS,
    PLATFORMS,
    CommentDTO,
    Mark,
    OccurrenceDTO,
    PlanDTO,
    PostDTO,
    PostKind,
    ProofKind,
    Repeat,
)
from storage.dto import DeliveryDTO

__all__ = [
    "METRICS",
    "PLATFORMS",
    "CalendarService",
    "CampaignService",
    "Campaigns",
    "CommentDTO",
    "DeliveryDTO",
    "Mark",
    "OccurrenceDTO",
    "PlanDTO",
    "PlanView",
    "PostDTO",
    "PostKind",
    "ProofKind",
    "ReminderService",
    "Repeat",
    "ReviewService",
    "build_campaigns",
]
