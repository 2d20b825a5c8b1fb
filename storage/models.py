"""ORM tables. Repositories turn rows into the dataclasses of `storage.dto`; rows never leave `storage/`."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
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
    name_key: Mapped[str | None] = mapped_column(String(64), index=True)
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
    name_key: Mapped[str] = mapped_column(String(64), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    start_date: Mapped[dt.date] = mapped_column(Date)
    lesson_time: Mapped[dt.time] = mapped_column(Time)
    status: Mapped[str] = mapped_column(String(8), default="active")
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


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
    """Conversation states and per-user drafts, so a flow survives a restart (see storage.persistence)."""

    __tablename__ = "bot_state"

    namespace: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
