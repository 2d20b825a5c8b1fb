"""The campaign planner's repository: plans, teammates, posts, occurrences, comments. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.campaign_dto import (
    CommentDTO,
    Mark,
    OccurrenceDTO,
    PlanDTO,
    PlannablePost,
    PostDTO,
    PostKind,
    ProofKind,
    Reachable,
    Repeat,
)
from storage.dto import CohortStatus, DeliveryState, PersonStatus
from storage.models import Cohort, Delivery, Person
from storage.models_campaigns import (
    CampaignComment,
    CampaignOccurrence,
    CampaignPlan,
    CampaignPost,
    CampaignTeammate,
)

CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _plan(row: CampaignPlan, teammates: Sequence[int] = ()) -> PlanDTO:
    return PlanDTO(
        id=row.id,
        owner_id=row.owner_id,
        cohort_id=row.cohort_id,
        problem=row.problem,
        goal=row.goal,
        target_metric=row.target_metric,
        target_count=row.target_count,
        target_unit=row.target_unit,
        audience=row.audience,
        platforms=tuple(p for p in row.platforms.split(",") if p),
        hashtag=row.hashtag,
        created_at=row.created_at,
        updated_at=row.updated_at,
        teammates=tuple(teammates),
    )


def _post(row: CampaignPost) -> PostDTO:
    return PostDTO(
        id=row.id,
        plan_id=row.plan_id,
        starts_at=row.starts_at,
        kind=PostKind(row.kind),
        platform=row.platform,
        idea=row.idea,
        repeat=Repeat(row.repeat),
        repeat_until=row.repeat_until,
        lead_minutes=row.lead_minutes,
        occasion=row.occasion,
        planned_until=row.planned_until,
        created_at=row.created_at,
    )


def _occurrence(row: CampaignOccurrence) -> OccurrenceDTO:
    return OccurrenceDTO(
        id=row.id,
        post_id=row.post_id,
        plan_id=row.plan_id,
        occurs_at=row.occurs_at,
        state=Mark(row.state),
        by_id=row.by_id,
        marked_at=row.marked_at,
        proof_kind=ProofKind(row.proof_kind) if row.proof_kind else None,
        proof=row.proof,
        proof_at=row.proof_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
    )


def _comment(row: CampaignComment) -> CommentDTO:
    return CommentDTO(row.id, row.plan_id, row.author_id, row.text, row.created_at)


class CampaignRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ------------------------------------------------------------------------------------------ plans

    async def add_plan(self, *, owner_id: int, cohort_id: int, now: dt.datetime, **fields: Any) -> PlanDTO:
        row = CampaignPlan(owner_id=owner_id, cohort_id=cohort_id, created_at=now, updated_at=now)
        self._apply_plan(row, fields)
        self._session.add(row)
        await self._session.flush()
        return _plan(row)

    @staticmethod
    def _apply_plan(row: CampaignPlan, fields: dict[str, Any]) -> None:
        for key, value in fields.items():
            if key == "platforms":
                value = ",".join(value)
            if not hasattr(CampaignPlan, key) or key in ("id", "owner_id", "cohort_id", "created_at"):
                raise ValueError(f"not a plan field: {key}")
            setattr(row, key, value)

    async def update_plan(self, plan_id: int, now: dt.datetime, **fields: Any) -> None:
        row = await self._session.get(CampaignPlan, plan_id)
        if row is None:
            return
        self._apply_plan(row, fields)
        row.updated_at = now
        await self._session.flush()

    async def plan(self, plan_id: int) -> PlanDTO | None:
        row = await self._session.get(CampaignPlan, plan_id)
        if row is None:
            return None
        return _plan(row, (await self.teammates_of([plan_id])).get(plan_id, []))

    async def _plans(self, rows: Sequence[CampaignPlan]) -> list[PlanDTO]:
        teams = await self.teammates_of([r.id for r in rows])
        return [_plan(r, teams.get(r.id, [])) for r in rows]

    async def plans_for_person(self, person_id: int) -> list[PlanDTO]:
        """Plans the person owns or is a teammate of, oldest first."""
        teammate = select(CampaignTeammate.plan_id).where(CampaignTeammate.person_id == person_id)
        rows = await self._session.scalars(
            select(CampaignPlan)
            .where(or_(CampaignPlan.owner_id == person_id, CampaignPlan.id.in_(teammate)))
            .order_by(CampaignPlan.id)
        )
        return await self._plans(list(rows))

    async def owned_count(self, person_id: int) -> int:
        count = await self._session.scalar(select(func.count(CampaignPlan.id)).where(CampaignPlan.owner_id == person_id))
        return int(count or 0)

    async def plans_in_cohorts(self, cohort_ids: Sequence[int]) -> list[PlanDTO]:
        if not cohort_ids:
            return []
        rows = await self._session.scalars(
            select(CampaignPlan).where(CampaignPlan.cohort_id.in_(cohort_ids)).order_by(CampaignPlan.id)
        )
        return await self._plans(list(rows))

    # -------------------------------------------------------------------------------------- teammates

    async def teammates_of(self, plan_ids: Sequence[int]) -> dict[int, list[int]]:
        teams: dict[int, list[int]] = defaultdict(list)
        for chunk in _chunks(list(plan_ids)):
            rows = await self._session.execute(
                select(CampaignTeammate.plan_id, CampaignTeammate.person_id)
                .where(CampaignTeammate.plan_id.in_(chunk))
                .order_by(CampaignTeammate.id)
            )
            for plan_id, person_id in rows:
                teams[plan_id].append(person_id)
        return teams

    async def add_teammate(self, plan_id: int, person_id: int, now: dt.datetime) -> None:
        self._session.add(CampaignTeammate(plan_id=plan_id, person_id=person_id, added_at=now))
        await self._session.flush()

    async def remove_teammate(self, plan_id: int, person_id: int) -> bool:
        result = await self._session.execute(
            delete(CampaignTeammate).where(CampaignTeammate.plan_id == plan_id, CampaignTeammate.person_id == person_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------------------------------ posts

    async def add_post(self, *, plan_id: int, now: dt.datetime, **fields: Any) -> PostDTO:
        row = CampaignPost(plan_id=plan_id, created_at=now, updated_at=now, **fields)
        self._session.add(row)
        await self._session.flush()
        return _post(row)

    async def update_post(self, post_id: int, now: dt.datetime, **fields: Any) -> None:
        await self._session.execute(
            update(CampaignPost).where(CampaignPost.id == post_id).values(updated_at=now, **fields)
        )

    async def delete_post(self, post_id: int) -> None:
        await self._session.execute(delete(CampaignPost).where(CampaignPost.id == post_id))

    async def post(self, post_id: int) -> PostDTO | None:
        row = await self._session.get(CampaignPost, post_id)
        return _post(row) if row else None

    async def posts_of_plans(self, plan_ids: Sequence[int]) -> list[PostDTO]:
        posts: list[PostDTO] = []
        for chunk in _chunks(list(plan_ids)):
            rows = await self._session.scalars(
                select(CampaignPost).where(CampaignPost.plan_id.in_(chunk)).order_by(CampaignPost.starts_at)
            )
            posts += [_post(r) for r in rows]
        return posts

    async def posts_to_plan(self, before: dt.datetime, post_ids: Sequence[int] | None = None) -> list[PlannablePost]:
        """Posts of active cohorts whose reminders are planned less far than `before` (or the given posts)."""
        query = (
            select(CampaignPost, CampaignPlan.owner_id, CampaignPlan.cohort_id, Cohort.timezone)
            .join(CampaignPlan, CampaignPlan.id == CampaignPost.plan_id)
            .join(Cohort, Cohort.id == CampaignPlan.cohort_id)
            .where(Cohort.status == CohortStatus.ACTIVE)
            .order_by(CampaignPost.id)
        )
        if post_ids is not None:
            found: list[PlannablePost] = []
            for chunk in _chunks(list(post_ids)):
                rows = await self._session.execute(query.where(CampaignPost.id.in_(chunk)))
                found += [PlannablePost(_post(p), owner, cohort, zone) for p, owner, cohort, zone in rows]
            return found
        query = query.where(or_(CampaignPost.planned_until.is_(None), CampaignPost.planned_until < before))
        rows = await self._session.execute(query)
        return [PlannablePost(_post(p), owner, cohort, zone) for p, owner, cohort, zone in rows]

    async def set_planned_until(self, post_ids: Sequence[int], until: dt.datetime) -> None:
        """Move the bookmark forward (never back)."""
        for chunk in _chunks(list(post_ids)):
            await self._session.execute(
                update(CampaignPost)
                .where(
                    CampaignPost.id.in_(chunk),
                    or_(CampaignPost.planned_until.is_(None), CampaignPost.planned_until < until),
                )
                .values(planned_until=until)
            )

    # ------------------------------------------------------------------------------------ occurrences

    async def mark(
        self, *, post_id: int, plan_id: int, occurs_at: dt.datetime, state: Mark, by_id: int, now: dt.datetime
    ) -> bool:
        """Record done or skipped for an occurrence; False when it already had a record (the first one counts)."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        values = {
            "post_id": post_id,
            "plan_id": plan_id,
            "occurs_at": occurs_at,
            "state": state.value,
            "by_id": by_id,
            "marked_at": now,
        }
        statement = insert(CampaignOccurrence).values(values).on_conflict_do_nothing(
            index_elements=["post_id", "occurs_at"]
        )
        result = await self._session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def occurrence(self, post_id: int, occurs_at: dt.datetime) -> OccurrenceDTO | None:
        row = await self._session.scalar(
            select(CampaignOccurrence).where(
                CampaignOccurrence.post_id == post_id, CampaignOccurrence.occurs_at == occurs_at
            )
        )
        return _occurrence(row) if row else None

    async def occurrence_by_id(self, occurrence_id: int) -> OccurrenceDTO | None:
        row = await self._session.get(CampaignOccurrence, occurrence_id)
        return _occurrence(row) if row else None

    async def set_proof(self, occurrence_id: int, kind: ProofKind, value: str, now: dt.datetime) -> None:
        await self._session.execute(
            update(CampaignOccurrence)
            .where(CampaignOccurrence.id == occurrence_id)
            .values(proof_kind=kind.value, proof=value, proof_at=now, approved_at=None, approved_by=None)
        )

    async def approve(self, occurrence_id: int, by_id: int, now: dt.datetime) -> bool:
        """Approve a proof once; False when there is none or it was approved before."""
        result = await self._session.execute(
            update(CampaignOccurrence)
            .where(
                CampaignOccurrence.id == occurrence_id,
                CampaignOccurrence.proof.is_not(None),
                CampaignOccurrence.approved_at.is_(None),
            )
            .values(approved_at=now, approved_by=by_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def occurrences_of_plans(self, plan_ids: Sequence[int]) -> list[OccurrenceDTO]:
        found: list[OccurrenceDTO] = []
        for chunk in _chunks(list(plan_ids)):
            rows = await self._session.scalars(
                select(CampaignOccurrence)
                .where(CampaignOccurrence.plan_id.in_(chunk))
                .order_by(CampaignOccurrence.occurs_at)
            )
            found += [_occurrence(r) for r in rows]
        return found

    async def closed(self, post_ids: Sequence[int]) -> set[tuple[int, dt.datetime]]:
        """(post id, occurrence time) of every occurrence already done or skipped."""
        found: set[tuple[int, dt.datetime]] = set()
        for chunk in _chunks(list(post_ids)):
            rows = await self._session.execute(
                select(CampaignOccurrence.post_id, CampaignOccurrence.occurs_at).where(
                    CampaignOccurrence.post_id.in_(chunk)
                )
            )
            found |= {(post_id, _aware(occurs_at)) for post_id, occurs_at in rows}
        return found

    async def done_by_person(self, cohort_id: int) -> dict[int, int]:
        """Occurrences done per plan member (owner and teammates) in a cohort's plans."""
        done = (
            select(CampaignOccurrence.plan_id, func.count(CampaignOccurrence.id).label("n"))
            .where(CampaignOccurrence.state == Mark.DONE)
            .group_by(CampaignOccurrence.plan_id)
            .subquery()
        )
        counts: dict[int, int] = defaultdict(int)
        owners = await self._session.execute(
            select(CampaignPlan.owner_id, done.c.n)
            .join(done, done.c.plan_id == CampaignPlan.id)
            .where(CampaignPlan.cohort_id == cohort_id)
        )
        for person_id, n in owners:
            counts[person_id] += int(n)
        mates = await self._session.execute(
            select(CampaignTeammate.person_id, done.c.n)
            .join(CampaignPlan, CampaignPlan.id == CampaignTeammate.plan_id)
            .join(done, done.c.plan_id == CampaignPlan.id)
            .where(CampaignPlan.cohort_id == cohort_id)
        )
        for person_id, n in mates:
            counts[person_id] += int(n)
        return dict(counts)

    # ---------------------------------------------------------------------------------------- comments

    async def add_comment(self, plan_id: int, author_id: int, text: str, now: dt.datetime) -> CommentDTO:
        row = CampaignComment(plan_id=plan_id, author_id=author_id, text=text, created_at=now)
        self._session.add(row)
        await self._session.flush()
        return _comment(row)

    async def comment(self, comment_id: int) -> CommentDTO | None:
        row = await self._session.get(CampaignComment, comment_id)
        return _comment(row) if row else None

    async def comments(self, plan_ids: Sequence[int]) -> list[CommentDTO]:
        found: list[CommentDTO] = []
        for chunk in _chunks(list(plan_ids)):
            rows = await self._session.scalars(
                select(CampaignComment).where(CampaignComment.plan_id.in_(chunk)).order_by(CampaignComment.id)
            )
            found += [_comment(r) for r in rows]
        return found

    # ------------------------------------------------------------------------------- people, reminders

    async def reachable(self, person_ids: Sequence[int]) -> dict[int, Reachable]:
        """Registered, unblocked people among these ids."""
        found: dict[int, Reachable] = {}
        for chunk in _chunks(sorted(set(person_ids))):
            rows = await self._session.execute(
                select(Person.id, Person.telegram_id).where(
                    Person.id.in_(chunk), Person.status == PersonStatus.ACTIVE, Person.consent_at.is_not(None)
                )
            )
            found |= {person_id: Reachable(person_id, telegram_id) for person_id, telegram_id in rows}
        return found

    async def names(self, person_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in _chunks(sorted(set(person_ids))):
            rows = await self._session.execute(select(Person.id, Person.full_name).where(Person.id.in_(chunk)))
            found |= {person_id: full_name or "?" for person_id, full_name in rows}
        return found

    async def close_reminders(self, key_prefix: str, reason: str, now: dt.datetime, *, person_id: int | None = None) -> int:
        """Pending reminder rows whose key starts with the prefix are recorded as skipped (done, changed …)."""
        query = (
            update(Delivery)
            .where(Delivery.state == DeliveryState.PENDING, Delivery.key.startswith(key_prefix, autoescape=True))
            .values(state=DeliveryState.SKIPPED, reason=reason, updated_at=now)
        )
        if person_id is not None:
            query = query.where(Delivery.person_id == person_id)
        result = await self._session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def count_keys(self, key_prefix: str) -> int:
        count = await self._session.scalar(
            select(func.count(Delivery.id)).where(Delivery.key.startswith(key_prefix, autoescape=True))
        )
        return int(count or 0)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
