"""Attendance: sessions, check-ins and the roll (`checkins`, `sessions`), figures (`reports`), files (`exports`,
`exports_xlsx`, `chart`). No Telegram here.

What the composition root and the attendance handlers need is exported here, the storage types they render included
(handlers never import `storage`)."""

from __future__ import annotations

from bot.services.attendance.checkin_alarms import (
    CLOSED_KIND,
    CODE_KIND,
    AttendanceService,
    CheckinNotice,
    CheckinOutboxRecords,
)
from bot.services.attendance.common import (
    CHECKIN_PREFIX,
    NOTE_MAX,
    PLACE_MAX,
    TITLE_MAX,
    Alarm,
    AttendanceSettings,
    CheckinResult,
    CheckinView,
    Roll,
    RollEntry,
    checkin_link,
    clean_text,
)
from bot.services.attendance.reports import AttendanceReports
from storage.attendance.dto import ATTENDED, AttendanceStatus, SessionDTO
from storage.dto import CohortDTO, CohortStatus, DeliveryDTO

__all__ = [
    "ATTENDED",
    "CHECKIN_PREFIX",
    "CLOSED_KIND",
    "CODE_KIND",
    "NOTE_MAX",
    "PLACE_MAX",
    "TITLE_MAX",
    "Alarm",
    "AttendanceReports",
    "AttendanceService",
    "AttendanceSettings",
    "AttendanceStatus",
    "CheckinNotice",
    "CheckinOutboxRecords",
    "CheckinResult",
    "CheckinView",
    "CohortDTO",
    "CohortStatus",
    "DeliveryDTO",
    "Roll",
    "RollEntry",
    "SessionDTO",
    "checkin_link",
    "clean_text",
]
