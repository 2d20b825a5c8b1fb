"""ORM tables of attendance: training sessions, their check-ins, each trainee's record and every change to it.

Privacy: a person's attendance records, the audit rows about them and their wrong check-in codes go with the person
(`ondelete="CASCADE"`); who made a change or opened a check-in becomes unknown (`SET NULL`).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UtcDateTime

STATUSES = "('present', 'late', 'excused', 'absent')"


class TrainingSession(Base):
    """A face-to-face (or online) meeting of a cohort at a given time."""

    __tablename__ = "training_sessions"
    __table_args__ = (Index("ix_training_sessions_cohort_id_starts_at", "cohort_id", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    place: Mapped[str | None] = mapped_column(String(120))
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    # Set when a trainer first changed the roll or finished it: the session's attendance was taken.
    roll_taken_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class CheckIn(Base):
    """An open window in which a session's trainees check in with a short code or the QR's deep link.

    `code` and `token` are the current ones; with rotation they are replaced every `rotate_minutes` and
    `generation` counts the replacements. The replaced code and token are kept: they still work for a short
    grace (the new code reaches the trainer's screen through the outbox), then they are "expired", not wrong."""

    __tablename__ = "checkins"
    __table_args__ = (
        Index("ix_checkins_code", "code"),
        Index("ix_checkins_previous_code", "previous_code"),
        Index("ix_checkins_previous_token", "previous_token"),
        Index("ix_checkins_closed_at", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(8))
    token: Mapped[str] = mapped_column(String(24), unique=True)
    previous_code: Mapped[str | None] = mapped_column(String(8))
    previous_token: Mapped[str | None] = mapped_column(String(24))
    generation: Mapped[int] = mapped_column(Integer, default=0)
    code_set_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    rotate_minutes: Mapped[int | None] = mapped_column(Integer)  # None: one code for the whole window
    opened_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closes_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    # The message showing the code and QR (in the opener's chat), edited or replaced as the code changes.
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger)


class AttendanceRecord(Base):
    """A trainee's status at a session. No row means absent (once the session was held)."""

    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "person_id"),
        CheckConstraint(f"status IN {STATUSES}", name="status"),
        CheckConstraint("source IN ('checkin', 'roll')", name="source"),
        # Covers the reports' GROUP BY (reached through the cohort's trainees) and the person's own records.
        Index("ix_attendance_person_id_session_id_status", "person_id", "session_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class AttendanceChange(Base):
    """The roll's audit trail: who changed whose status at which session, when, from what to what, and why."""

    __tablename__ = "attendance_changes"
    __table_args__ = (
        CheckConstraint(f"after IN {STATUSES}", name="after"),
        Index("ix_attendance_changes_session_id_changed_at", "session_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    before: Mapped[str | None] = mapped_column(String(8))  # None: there was no record (absent by default)
    after: Mapped[str] = mapped_column(String(8))
    source: Mapped[str] = mapped_column(String(8))
    note: Mapped[str | None] = mapped_column(String(200))


class CheckinAttempt(Base):
    """A wrong check-in code, kept for the rate limit (so a restart does not reset it); old rows are purged."""

    __tablename__ = "checkin_attempts"
    __table_args__ = (Index("ix_checkin_attempts_person_id_at", "person_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
