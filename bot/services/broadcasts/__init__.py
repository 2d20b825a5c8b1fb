"""Broadcasts: trainers' announcements to their cohorts — who gets one, its draft, the confirmation, its progress.

The DTOs re-exported here are the ones the Telegram side renders (it never imports `storage` itself).
"""

from bot.services.broadcasts.audience import Target
from bot.services.broadcasts.follow_up import Copy, Progress, SenderView, Skipped
from bot.services.broadcasts.service import BroadcastService
from storage.broadcasts import BROADCAST, BroadcastDTO, BroadcastState, ReportRow
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO, DeliveryState

__all__ = [
    "BROADCAST",
    "BroadcastDTO",
    "BroadcastService",
    "BroadcastState",
    "CohortDTO",
    "CohortStatus",
    "Copy",
    "DeliveryDTO",
    "DeliveryState",
    "Progress",
    "ReportRow",
    "SenderView",
    "Skipped",
    "Target",
]
