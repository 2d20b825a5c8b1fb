"""The broadcasts table: one row per announcement; its deliveries are outbox rows (kind "broadcast")."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UtcDateTime


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
