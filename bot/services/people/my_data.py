"""/mydata: everything stored about one person, as plain data (no Telegram here; handlers render it).

The values themselves, not categories: the name and town as typed, each lesson's times, each quiz answer, each
attendance record with its session, the roll's changes and notes about them, every wrong check-in code's time,
campaign plans with their fields, posts, marks, proofs and comments, the announcements they started, the outbox
rows addressed to them, and the coordinator role. The items are in `my_data_items`, whose `as_json` gives the same
as a JSON-ready dict (times in UTC, ISO 8601 with the zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.services.people.my_data_items import (
    AnnouncementItem,
    AttendanceItem,
    CommentItem,
    DeliveryItem,
    LessonItem,
    MarkItem,
    MembershipItem,
    PersonalData,
    PlanItem,
    PostItem,
    QuizAnswerItem,
    RollChangeItem,
    TeamPlaceItem,
)
from storage.attendance.dto import SessionDTO
from storage.campaigns.dto import OccurrenceDTO, PlanDTO, PostDTO
from storage.dto import CohortDTO, QuizPollDTO
from storage.uow import UnitOfWork

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CohortName = Callable[[int | None], str]


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
        quiz_answers=_quiz_answers(answers, cohort_name),
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


def _quiz_answers(answers: list[QuizPollDTO], cohort_name: CohortName) -> tuple[QuizAnswerItem, ...]:
    return tuple(
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
