"""Attendance in the Application: its settings from the environment, and its alarms at start."""

from __future__ import annotations

import datetime as dt

from bot.services.attendance import AttendanceSettings
from bot.settings import Settings
from handlers.attendance_alarms import set_checkin_alarms
from handlers.context import BotApplication


def attendance_settings(settings: Settings) -> AttendanceSettings:
    return AttendanceSettings(
        window=dt.timedelta(minutes=settings.checkin_window_minutes),
        late_after=dt.timedelta(minutes=settings.checkin_late_minutes),
        code_digits=settings.checkin_code_digits,
        rotate_every=dt.timedelta(minutes=settings.checkin_rotate_minutes),
        rotate_by_default=settings.checkin_rotate_default,
        max_wrong=settings.checkin_max_wrong_codes,
        wrong_window=dt.timedelta(minutes=settings.checkin_wrong_code_minutes),
    )


async def start_attendance(application: BotApplication) -> None:
    """Alarms for the check-ins still open (those overdue while the bot was down go off at once)."""
    await set_checkin_alarms(application)
