"""What the broadcasts' storage hands out: plain dataclasses, and the outbox kind a broadcast's deliveries carry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from storage.dto import DeliveryState

BROADCAST = "broadcast"  # the outbox kind; a delivery's `ref` is the broadcast id


class BroadcastState:
    DRAFT, SENDING, DONE, CANCELLED = "draft", "sending", "done", "cancelled"


@dataclass(frozen=True, slots=True)
class BroadcastDTO:
    id: int
    sender_id: int | None
    source_chat_id: int | None
    source_message_id: int
    content: str
    text: str | None
    cohort_ids: tuple[int, ...]
    towns: tuple[str, ...] | None
    only_absent: bool
    state: str
    send_at: dt.datetime | None
    recipients: int
    status_chat_id: int | None
    status_message_id: int | None
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One recipient of a broadcast, for the CSV report (name and town None once they asked to be forgotten)."""

    name: str | None
    town: str | None
    state: DeliveryState
    reason: str | None
    sent_at: dt.datetime | None
