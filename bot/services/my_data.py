"""/mydata: everything stored about one person, as plain data (no Telegram here; handlers render it).

The values themselves, not categories: the name and town as typed, each lesson's times, each quiz answer, each
attendance record with its session, the roll's changes and notes about them, every wrong check-in code's time,
campaign plans with their fields, posts, marks, proofs and comments, the announcements they started, the outbox
rows addressed to them, and the coordinator role. `as_json` gives the same as a JSON-ready dict (times in UTC,
ISO 8601 with the zone).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from storage.attendance.dto import SessionDTO
from storage.campaign_dto import OccurrenceDTO, PlanDTO, PostDTO
from storage.dto import CohortDTO
from storage.uow import UnitOfWork

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CohortName = Callable[[int | None], str]


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


def _label(plan: PlanDTO) -> str:
    """A plan's short name: its hashtag, or the start of its problem."""
    if plan.hashtag:
        return plan.hashtag
    return plan.problem if len(plan.problem) <= 30 else plan.problem[:29] + "…"


def _options(text: tuple[int, ...] | None) -> tuple[int, ...] | None:
    return None if text is None else tuple(option + 1 for option in text)


async def collect(uow: UnitOfWork, telegram_id: int) -> PersonalData:
    """Everything kept about this Telegram id, read in one unit of work."""
    coordinator_since = await uow.coordinators.granted_at(telegram_id)
    person = await uow.people.by_telegram_id(telegram_id)
    if person is None:
        return PersonalData(telegram_id, coordinator_since=coordinator_since)
    memberships = await uow.memberships.for_person(person.id)
    progress = await uow.progress.for_any(person.id)
    cohort_ids = sorted({m.cohort_id for m in memberships} | {p.cohort_id for p in progress})
    cohorts: dict[int, CohortDTO] = {c.id: c for c in await uow.cohorts.by_ids(cohort_ids)}

    def cohort_name(cohort_id: int | None) -> str:
        found = cohorts.get(cohort_id or 0)
        return found.name if found else "?"

    answers = [poll for cohort_id in cohort_ids for poll in await uow.quizzes.for_person(person.id, cohort_id)]
    attendance, changes = await _attendance(uow, person.id, cohort_name)
    attempts = await uow.checkins.attempts_since(person.id, EPOCH)
    plans, team_places, marks, written = await _campaigns(uow, person.id, cohort_name)
    sent = await uow.broadcasts.by_sender(person.id)
    deliveries = await uow.deliveries.for_person(person.id)
    return PersonalData(
        telegram_id=telegram_id,
        name=person.full_name,
        town=person.town,
        language=person.locale,
        consent_at=person.consent_at,
        first_contact=person.created_at,
        status=person.status.value,
        coordinator_since=coordinator_since,
        memberships=tuple(MembershipItem(cohort_name(m.cohort_id), m.role.value, m.joined_at) for m in memberships),
        lessons=tuple(
            LessonItem(cohort_name(p.cohort_id), p.number, p.lesson, p.delivered_at, p.opened_at, p.done_at)
            for p in sorted(progress, key=lambda p: (p.cohort_id, p.number))
        ),
        quiz_answers=tuple(
            QuizAnswerItem(
                cohort_name(q.cohort_id),
                q.lesson,
                q.question + 1,
                q.sent_at,
                _options(q.answered_options),
                q.answered_at,
                q.correct,
            )
            for q in sorted(answers, key=lambda q: (q.sent_at, q.question))
        ),
        attendance=attendance,
        roll_changes=changes,
        wrong_checkin_codes=tuple(attempts),
        plans=plans,
        team_places=team_places,
        marks=marks,
        comments_written=written,
        announcements=tuple(
            AnnouncementItem(b.id, b.state, b.content, b.text, b.recipients, b.created_at, b.send_at, b.finished_at)
            for b in sent
        ),
        deliveries=tuple(
            DeliveryItem(d.kind, d.ref, d.state.value, d.reason, d.due_at, d.sent_at)
            for d in sorted(deliveries, key=lambda d: (d.due_at, d.id))
        ),
        stored=True,
    )


async def _attendance(
    uow: UnitOfWork, person_id: int, cohort_name: CohortName
) -> tuple[tuple[AttendanceItem, ...], tuple[RollChangeItem, ...]]:
    records = await uow.attendance.for_person(person_id)
    changes = await uow.attendance.changes_about(person_id)
    sessions: dict[int, SessionDTO | None] = {}
    for session_id in sorted({r.session_id for r in records} | {c.session_id for c in changes}):
        sessions[session_id] = await uow.sessions.by_id(session_id)
    items = []
    for record in records:
        session = sessions.get(record.session_id)
        items.append(
            AttendanceItem(
                cohort=cohort_name(session.cohort_id) if session else "?",
                session=session.title if session else "?",
                starts_at=session.starts_at if session else None,
                place=session.place if session else None,
                status=record.status.value,
                source=record.source.value,
                checked_in_at=record.checked_in_at,
                updated_at=record.updated_at,
            )
        )
    items.sort(key=lambda item: item.starts_at or EPOCH)
    audit = tuple(
        RollChangeItem(
            session=(found.title if (found := sessions.get(change.session_id)) else "?"),
            changed_at=change.changed_at,
            before=change.before.value if change.before else None,
            after=change.after.value,
            note=change.note,
        )
        for change in changes
    )
    return tuple(items), audit


async def _campaigns(
    uow: UnitOfWork, person_id: int, cohort_name: CohortName
) -> tuple[tuple[PlanItem, ...], tuple[TeamPlaceItem, ...], tuple[MarkItem, ...], tuple[CommentItem, ...]]:
    plans = await uow.campaigns.plans_for_person(person_id)
    owned = [p for p in plans if p.owner_id == person_id]
    labels = {p.id: _label(p) for p in plans}
    posts = await uow.campaigns.posts_of_plans([p.id for p in plans], with_deleted=True)
    records = await uow.campaigns.occurrences_of_plans([p.id for p in plans])
    comments = await uow.campaigns.comments([p.id for p in owned])
    written = await uow.campaigns.comments_written(person_id)
    for plan_id in sorted({c.plan_id for c in written} - labels.keys()):  # a trainer's comments on others' plans
        commented = await uow.campaigns.plan(plan_id)
        labels[plan_id] = _label(commented) if commented else "?"
    others = {p.owner_id for p in plans} | {m for p in owned for m in p.teammates}
    names = await uow.campaigns.names(sorted(others - {person_id}))
    ideas = {post.id: post.idea for post in posts}
    plan_items = tuple(
        PlanItem(
            cohort=cohort_name(plan.cohort_id),
            label=labels[plan.id],
            problem=plan.problem,
            goal=plan.goal,
            target_metric=plan.target_metric,
            target_count=plan.target_count,
            target_unit=plan.target_unit,
            audience=plan.audience,
            platforms=plan.platforms,
            hashtag=plan.hashtag,
            teammates=tuple(names.get(mate, "?") for mate in plan.teammates),
            created_at=plan.created_at,
            updated_at=plan.updated_at,
            posts=tuple(_post(p) for p in sorted(posts, key=lambda p: p.starts_at) if p.plan_id == plan.id),
            comments=tuple(
                CommentItem(labels[c.plan_id], c.text, c.created_at) for c in comments if c.plan_id == plan.id
            ),
        )
        for plan in owned
    )
    team = tuple(
        TeamPlaceItem(labels[p.id], names.get(p.owner_id, "?"), cohort_name(p.cohort_id))
        for p in plans
        if p.owner_id != person_id
    )
    mine = {p.id for p in owned}
    marks = tuple(_mark(r, labels, ideas, person_id) for r in records if r.plan_id in mine or r.by_id == person_id)
    own_written = tuple(CommentItem(labels.get(c.plan_id, "?"), c.text, c.created_at) for c in written)
    return plan_items, team, marks, own_written


def _post(post: PostDTO) -> PostItem:
    return PostItem(
        starts_at=post.starts_at,
        kind=post.kind.value,
        platform=post.platform,
        idea=post.idea,
        repeat=post.repeat.value,
        repeat_until=post.repeat_until,
        lead_minutes=post.lead_minutes,
        occasion=post.occasion,
        deleted_at=post.deleted_at,
    )


def _mark(record: OccurrenceDTO, labels: dict[int, str], ideas: dict[int, str], person_id: int) -> MarkItem:
    return MarkItem(
        plan=labels.get(record.plan_id, "?"),
        post=ideas.get(record.post_id, "?"),
        occurs_at=record.occurs_at,
        state=record.state.value,
        by_you=record.by_id == person_id,
        marked_at=record.marked_at,
        proof_kind=record.proof_kind.value if record.proof_kind else None,
        proof=record.proof,
        proof_at=record.proof_at,
        approved_at=record.approved_at,
    )
