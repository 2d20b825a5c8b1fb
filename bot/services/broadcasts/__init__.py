"""Broadcasts: trainers' announcements to their cohorts — who gets one, its draft, the confirmation, its progress."""

from bot.services.broadcasts.service import BroadcastService, Progress, Target

__all__ = ["BroadcastService", "Progress", "Target"]
