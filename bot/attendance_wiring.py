"""Attendance's settings from the environment (its alarms are set by the attendance feature's start-up hook)."""

from __future__ import annotations

import datetime as dt

from bot.services.attendance import AttendanceSettings
from bot.settings import Settings


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
