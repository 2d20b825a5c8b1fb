"""Attendance in chat: sessions (/session, /sessions), check-ins (codes, QR, rotation, alarms), the roll, /attendance
queries, reports, charts and exports, and the outbox kinds of check-ins. Services: `bot.services.attendance`."""

from __future__ import annotations

from handlers.attendance import checkin, queries, reports, roll, sessions, trainee
from handlers.attendance.alarms import set_checkin_alarms
from handlers.context import BotApplication


def setup(application: BotApplication) -> None:
    for declaration in (trainee.CHECKIN_LINK, trainee.CHECKIN, trainee.MY_ATTENDANCE):
        application.add_handler(declaration.handler())
    sessions.setup(application)
    checkin.setup(application)
    roll.setup(application)
    queries.setup(application)
    reports.setup(application)


def setup_code_messages(application: BotApplication) -> None:
    """Registered just before the fallbacks: a conversation waiting for a typed answer gets it first."""
    application.add_handler(trainee.CODE_MESSAGE_TYPED.handler())


async def start_attendance(application: BotApplication) -> None:
    """Alarms for the check-ins still open (those overdue while the bot was down go off at once)."""
    await set_checkin_alarms(application)
