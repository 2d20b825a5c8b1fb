"""What /mydata shows, as plain frozen dataclasses (the values themselves), and the same as JSON-ready data."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class MembershipItem:
    cohort: str
    role: str
    joined_at: dt.datetime


@dataclass(frozen=True, slots=True)
class LessonItem:
    cohort: str
    number: int
    lesson: str
    received_at: dt.datetime | None
    opened_at: dt.datetime | None
    done_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class QuizAnswerItem:
    cohort: str
    lesson: str
    question: int  # from 1
    sent_at: dt.datetime
    answer: tuple[int, ...] | None  # the options chosen, from 1; None: not answered
    answered_at: dt.datetime | None
    correct: bool | None


@dataclass(frozen=True, slots=True)
class AttendanceItem:
    cohort: str
    session: str
    starts_at: dt.datetime | None
    place: str | None
    status: str
    source: str  # checkin or roll
    checked_in_at: dt.datetime | None
    updated_at: dt.datetime


@dataclass(frozen=True, slots=True)
class RollChangeItem:
    session: str
    changed_at: dt.datetime
    before: str | None
    after: str
    note: str | None


@dataclass(frozen=True, slots=True)
class PostItem:
    starts_at: dt.datetime
    kind: str
    platform: str
    idea: str
    repeat: str
    repeat_until: dt.date | None
    lead_minutes: int | None
    occasion: str | None
    deleted_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class MarkItem:
    plan: str
    post: str
    occurs_at: dt.datetime
    state: str
    by_you: bool
    marked_at: dt.datetime
    proof_kind: str | None
    proof: str | None  # a link, or a screenshot's Telegram file id
    proof_at: dt.datetime | None
    approved_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class CommentItem:
    plan: str
    text: str
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class PlanItem:
    cohort: str
    label: str
    problem: str
    goal: str
    target_metric: str
    target_count: int
    target_unit: str | None
    audience: str
    platforms: tuple[str, ...]
    hashtag: str | None
    teammates: tuple[str, ...]
    created_at: dt.datetime
    updated_at: dt.datetime
    posts: tuple[PostItem, ...]
    comments: tuple[CommentItem, ...]  # trainers' comments on it


@dataclass(frozen=True, slots=True)
class TeamPlaceItem:
    plan: str
    owner: str
    cohort: str


@dataclass(frozen=True, slots=True)
class AnnouncementItem:
    number: int
    state: str
    content: str
    text: str | None
    recipients: int
    created_at: dt.datetime
    send_at: dt.datetime | None
    finished_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryItem:
    kind: str
    about: str | None
    state: str
    reason: str | None
    due_at: dt.datetime
    sent_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class PersonalData:
    telegram_id: int
    name: str | None = None
    town: str | None = None
    language: str | None = None
    consent_at: dt.datetime | None = None
    first_contact: dt.datetime | None = None
    status: str | None = None
    coordinator_since: dt.datetime | None = None
    memberships: tuple[MembershipItem, ...] = ()
    lessons: tuple[LessonItem, ...] = ()
    quiz_answers: tuple[QuizAnswerItem, ...] = ()
    attendance: tuple[AttendanceItem, ...] = ()
    roll_changes: tuple[RollChangeItem, ...] = ()
    wrong_checkin_codes: tuple[dt.datetime, ...] = ()
    plans: tuple[PlanItem, ...] = ()
    team_places: tuple[TeamPlaceItem, ...] = ()
    marks: tuple[MarkItem, ...] = ()
    comments_written: tuple[CommentItem, ...] = ()
    announcements: tuple[AnnouncementItem, ...] = ()
    deliveries: tuple[DeliveryItem, ...] = field(default=())
    stored: bool = False  # a person row exists

    @property
    def empty(self) -> bool:
        return not self.stored and self.coordinator_since is None


def as_json(data: PersonalData) -> dict[str, Any]:
    """The same data, JSON-ready: times as ISO 8601 in UTC with the zone, dates as ISO dates."""
    return _plain(dataclasses.asdict(data))  # type: ignore[no-any-return]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items() if key != "stored"}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
