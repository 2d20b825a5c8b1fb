"""ORM tables. Repositories turn rows into the dataclasses of `storage.dto`; rows never leave `storage/`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# Comparison keys of names (`bot.text.normalize_key`) outgrow the names: NFKC spells ligatures out (ﷺ: 18 characters).
# The parsers refuse a name whose key is longer (`bot.parsing.NAME_KEY_MAX`); migration 0008 widened the columns.
NAME_KEY_LENGTH = 256


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC; SQLite drops tzinfo, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: object) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Person(Base):
    __tablename__ = "people"
    __table_args__ = (CheckConstraint("status IN ('active', 'blocked', 'left')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    telegram_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    full_name: Mapped[str | None] = mapped_column(String(64))
    name_key: Mapped[str | None] = mapped_column(String(NAME_KEY_LENGTH), index=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    town: Mapped[str | None] = mapped_column(String(64))
    consent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Cohort(Base):
    __tablename__ = "cohorts"
    __table_args__ = (CheckConstraint("status IN ('active', 'ended')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    name_key: Mapped[str] = mapped_column(String(NAME_KEY_LENGTH), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[dt.date] = mapped_column(Date)
    lesson_time: Mapped[dt.time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    curriculum_id: Mapped[int | None] = mapped_column(ForeignKey("curricula.id", ondelete="SET NULL"), index=True)
    # ISO weekdays without lessons, comma-separated (Monday=1 … Sunday=7); Friday by default
    rest_days: Mapped[str] = mapped_column(String(16), default="5")
    observe_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    nudge_time: Mapped[dt.time | None] = mapped_column(Time)  # None: the LESSON_NUDGE_TIME setting
    # How many lessons have been fanned out to the cohort's members (the planner's bookmark)
    lessons_planned: Mapped[int] = mapped_column(Integer, default=0)


class Membership(Base):
    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("person_id", "cohort_id"),
        CheckConstraint("role IN ('trainee', 'trainer')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    joined_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Coordinator(Base):
    """Org-wide role, keyed by Telegram id: BOT_COORDINATORS may name people who never wrote to the bot."""

    __tablename__ = "coordinators"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    granted_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Invite(Base):
    __tablename__ = "invites"
    __table_args__ = (CheckConstraint("role IN ('trainee', 'trainer')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8))
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    max_uses: Mapped[int | None] = mapped_column(Integer)
    uses: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class BotState(Base):
    """Conversation states and per-user drafts, so a flow survives a restart (see storage.conversation_state)."""

    __tablename__ = "bot_state"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[str] = mapped_column(Text)


class Curriculum(Base):
    """An imported curriculum: the validated document as JSON; lessons are addressed by their id (slug)."""

    __tablename__ = "curricula"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    version: Mapped[int] = mapped_column(Integer)
    title_ar: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    lesson_count: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class Delivery(Base):
    """The outbox: one row per (recipient, item), written before anything is sent. `key` makes planning idempotent.

    state: pending → sending (claimed; in flight) → sent | failed | blocked | skipped (with `reason`).
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'skipped')", name="state"),
        Index("ix_deliveries_state_not_before", "state", "not_before"),
        Index("ix_deliveries_cohort_id_due_at", "cohort_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)  # None once the person asked to be forgotten
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"))
    ref: Mapped[str | None] = mapped_column(String(64))  # what it is about: a lesson id, a broadcast id …
    payload: Mapped[str] = mapped_column(Text, default="{}")
    due_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    not_before: Mapped[dt.datetime] = mapped_column(UtcDateTime())  # due_at, or later after a retry
    expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(8), default="pending")
    reason: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class LessonProgress(Base):
    """A trainee's lesson: delivered, opened (a button, /today or /lessons), done. Anonymous after /forgetme."""

    __tablename__ = "lesson_progress"
    __table_args__ = (UniqueConstraint("person_id", "cohort_id", "lesson"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    lesson: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)  # the delivery day it belongs to
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    opened_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class QuizPoll(Base):
    """A quiz question sent as a native poll; `poll_answer` updates carry only the poll id and the user."""

    __tablename__ = "quiz_polls"
    __table_args__ = (Index("ix_quiz_polls_person_cohort_lesson", "person_id", "cohort_id", "lesson"),)

    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    lesson: Mapped[str] = mapped_column(String(40))
    question: Mapped[int] = mapped_column(Integer)  # index in the lesson, from 0
    correct_options: Mapped[str] = mapped_column(String(40))  # comma-separated option indexes
    sent_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    answered_options: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    correct: Mapped[bool | None] = mapped_column(Boolean)


class Broadcast(Base):
    """An announcement: a message in the sender's chat, copied to each recipient through the outbox."""

    __tablename__ = "broadcasts"
    __table_args__ = (
        CheckConstraint("state IN ('draft', 'sending', 'done', 'cancelled')", name="state"),
        Index("ix_broadcasts_state", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    source_chat_id: Mapped[int | None] = mapped_column(BigInteger)  # None once the sender asked to be forgotten
    source_message_id: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[str] = mapped_column(String(16))  # text, photo, video, document, voice, audio, animation
    text: Mapped[str | None] = mapped_column(Text)  # the text or caption, for /announcements and reports
    cohort_ids: Mapped[str] = mapped_column(String(400))  # comma-separated
    towns: Mapped[str | None] = mapped_column(Text)  # JSON list; None: every town
    only_absent: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12), default="draft")
    send_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())  # None: at once
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    status_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    status_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
