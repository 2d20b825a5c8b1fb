"""Attendance in chat: sessions (/session, /sessions), check-ins (codes, QR, rotation, alarms), the roll, /attendance
queries, reports, charts and exports, and the outbox kinds of check-ins. Services: `bot.services.attendance`.

Every command, button, conversation and outbox kind of attendance is declared in `setup`, in registration order."""

from __future__ import annotations

from handlers.core.feature import Feature


def setup() -> Feature:
    from handlers.attendance import checkin, kinds, new_session, queries, reports, roll, sessions, trainee
    from handlers.attendance.alarms import set_checkin_alarms

    return Feature(
        "attendance",
        handlers=[
            trainee.CHECKIN_LINK.handler(),
            trainee.CHECKIN.handler(),
            trainee.MY_ATTENDANCE.handler(),
            new_session.NEW_SESSION_FLOW.build(),
            sessions.SESSIONS.handler(),
            checkin.OPEN_CHECKIN.handler(),
            checkin.CLOSE_CHECKIN.handler(),
            checkin.SESSION_CHOSEN.handler(),
            checkin.ROTATION_BUTTON.handler(),
            checkin.CHECKIN_BUTTON.handler(),
            roll.ROLL.handler(),
            roll.ROLL_CHOSEN.handler(),
            roll.ROLL_NOTE_FLOW.build(),
            queries.ATTENDANCE.handler(),
            queries.SESSION_BUTTON.handler(),
            reports.EXPORT.handler(),
            reports.ATTENDANCE_BUTTON.handler(),
        ],
        # Digits alone: after every feature's conversations (one waiting for a typed answer gets it first), before
        # the fallbacks.
        late=[trainee.CODE_MESSAGE_TYPED.handler()],
        kinds=kinds.attendance_kinds,
        on_start=[set_checkin_alarms],  # the alarms of the check-ins still open, rebuilt from the database
    )
