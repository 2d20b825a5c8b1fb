"""Broadcasts' storage: the announcement records, and figures over their delivery rows in the outbox."""

from storage.broadcasts.dto import BROADCAST, BroadcastDTO, BroadcastState, ReportRow
from storage.broadcasts.repository import BroadcastRepository

__all__ = ["BROADCAST", "BroadcastDTO", "BroadcastRepository", "BroadcastState", "ReportRow"]
