"""ORM tables of the campaign planner: plans, teammates, posts, what happened to each post's occurrence, comments.

The schedule of record is `campaign_posts` (first time, repeat rule, end): reminders are outbox rows planned from it.
A post deleted after some occurrence of it was marked is only hidden (`deleted_at`): its history stays.
Personal rows go with the person (/forgetme): an owner's plans cascade; marks and comments by others lose their
author (SET NULL) and stay as anonymous history of the plan.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, UtcDateTime


class CampaignPlan(Base):
    __tablename__ = "campaign_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    problem: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(String(300))
    target_metric: Mapped[str] = mapped_column(String(16))  # followers, responses, signups, other
    target_count: Mapped[int] = mapped_column(Integer)
    target_unit: Mapped[str | None] = mapped_column(String(40))  # what "other" counts, as typed
    audience: Mapped[str] = mapped_column(String(300))
    platforms: Mapped[str] = mapped_column(String(64))  # comma-separated codes: fb,ig,x,tt,wa,other
    hashtag: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CampaignTeammate(Base):
    __tablename__ = "campaign_teammates"
    __table_args__ = (UniqueConstraint("plan_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("campaign_plans.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    added_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CampaignPost(Base):
    """A post, or a series of posts (weekly or monthly until a local date), at a wall time in the cohort's zone."""

    __tablename__ = "campaign_posts"
    __table_args__ = (
        CheckConstraint("kind IN ('campaign', 'occasion', 'promotion')", name="kind"),
        CheckConstraint("repeat IN ('none', 'weekly', 'monthly')", name="repeat"),
        {"sqlite_autoincrement": True},  # ids are never reused: reminder keys carry them
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("campaign_plans.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())  # the first occurrence
    kind: Mapped[str] = mapped_column(String(12))
    platform: Mapped[str] = mapped_column(String(8))
    idea: Mapped[str] = mapped_column(String(500))
    repeat: Mapped[str] = mapped_column(String(8), default="none")
    repeat_until: Mapped[dt.date | None] = mapped_column(Date)  # last local date of a series (inclusive)
    lead_minutes: Mapped[int | None] = mapped_column(Integer)  # an extra reminder this long before
    occasion: Mapped[str | None] = mapped_column(String(64))  # the occasion it was added for
    # The planner's bookmark: reminders exist for every occurrence up to here
    planned_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    # Deleted by its owner once some occurrence was marked: kept (hidden) so that the marks, proofs and figures stay
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())


class CampaignOccurrence(Base):
    """What happened to one occurrence of a post: done (with an optional proof) or skipped."""

    __tablename__ = "campaign_occurrences"
    __table_args__ = (
        UniqueConstraint("post_id", "occurs_at"),
        CheckConstraint("state IN ('done', 'skipped')", name="state"),
        CheckConstraint("proof_kind IS NULL OR proof_kind IN ('link', 'photo')", name="proof_kind"),
        {"sqlite_autoincrement": True},  # ids are never reused: note keys carry them
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("campaign_posts.id", ondelete="CASCADE"))
    plan_id: Mapped[int] = mapped_column(ForeignKey("campaign_plans.id", ondelete="CASCADE"), index=True)
    occurs_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(8))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    marked_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    proof_kind: Mapped[str | None] = mapped_column(String(8))
    proof: Mapped[str | None] = mapped_column(String(512))  # a link, or a Telegram photo file id
    proof_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)


class CampaignComment(Base):
    __tablename__ = "campaign_comments"
    __table_args__ = ({"sqlite_autoincrement": True},)  # ids are never reused: note keys carry them

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("campaign_plans.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
