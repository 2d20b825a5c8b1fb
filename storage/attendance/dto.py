"""Plain dataclasses of attendance, handed out by `storage.attendance`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class AttendanceStatus(StrEnum):
    PRESENT = "present"
    LATE = "late"
    EXCUSED = "excused"
    ABSENT = "absent"


ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})
NOT_ABSENT = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED})


class Source(StrEnum):
    CHECKIN = "checkin"
    ROLL = "roll"


@dataclass(frozen=True, slots=True)
class SessionDTO:
    id: int
    cohort_id: int
    title: str
    place: str | None
    starts_at: dt.datetime
    created_at: dt.datetime
    roll_taken_at: dt.datetime | None
    has_checkin: bool = False  # a check-in was opened for it at some point

    def held(self, now: dt.datetime) -> bool:
        """It has begun and its attendance was taken (a check-in opened, or the roll changed or finished)."""
        return self.starts_at <= now and (self.has_checkin or self.roll_taken_at is not None)


@dataclass(frozen=True, slots=True)
class CheckinDTO:
    id: int
    session_id: int
    code: str
    token: str
    generation: int
    code_set_at: dt.datetime
    rotate_minutes: int | None
    opened_by: int | None
    opened_at: dt.datetime
    closes_at: dt.datetime
    closed_at: dt.datetime | None
    chat_id: int | None
    message_id: int | None
    previous_code: str | None = None
    previous_token: str | None = None

    def is_open(self, now: dt.datetime) -> bool:
        return self.closed_at is None and now < self.closes_at

    @property
    def code_expires_at(self) -> dt.datetime:
        """When the current code stops working: the next rotation, or the end of the window."""
        if self.rotate_minutes is None:
            return self.closes_at
        return min(self.closes_at, self.code_set_at + dt.timedelta(minutes=self.rotate_minutes))


@dataclass(frozen=True, slots=True)
class RecordDTO:
    session_id: int
    person_id: int
    status: AttendanceStatus
    source: Source
    checked_in_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class ChangeDTO:
    id: int
    session_id: int
    person_id: int
    changed_by: int | None
    changed_at: dt.datetime
    before: AttendanceStatus | None
    after: AttendanceStatus
    source: Source
    note: str | None


@dataclass(frozen=True, slots=True)
class Trainee:
    """A cohort's trainee as attendance needs them: no Telegram id."""

    person_id: int
    name: str
    town: str | None
    joined_at: dt.datetime
