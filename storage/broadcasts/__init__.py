"""Broadcasts' storage: the announcement records, and figures over their delivery rows in the outbox."""

from storage.broadcasts.repository import BROADCAST, BroadcastDTO, BroadcastRepository, BroadcastState, ReportRow

__all__ = ["BROADCAST", "BroadcastDTO", "BroadcastRepository", "BroadcastState", "ReportRow"]
