"""The campaign planner's repository: plans, teammates, posts, occurrences, comments. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.campaigns.comments import CommentsAndPeople, chunks
from storage.campaigns.dto import (
    Mark,
    OccurrenceDTO,
    PlanDTO,
    PlannablePost,
    PostDTO,
    PostKind,
    ProofKind,
    Repeat,
)
from storage.campaigns.models import (
    CampaignOccurrence,
    CampaignPlan,
    CampaignPost,
    CampaignTeammate,
)
from storage.dto import CohortStatus
from storage.models import Cohort


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
        deleted_at=row.deleted_at,
    )


_POST_COLUMNS = (
    CampaignPost.id,
    CampaignPost.plan_id,
    CampaignPost.starts_at,
    CampaignPost.kind,
    CampaignPost.platform,
    CampaignPost.idea,
    CampaignPost.repeat,
    CampaignPost.repeat_until,
    CampaignPost.lead_minutes,
    CampaignPost.occasion,
    CampaignPost.planned_until,
    CampaignPost.created_at,
)


def _plannable(row: Any) -> PlannablePost:
    (post_id, plan_id, starts_at, kind, platform, idea, repeat, until, lead, occasion, planned, created,
     owner_id, cohort_id, zone) = row  # fmt: skip
    post = PostDTO(post_id, plan_id, starts_at, PostKind(kind), platform, idea, Repeat(repeat), until, lead, occasion,
                   planned, created)  # fmt: skip
    return PlannablePost(post, owner_id, cohort_id, zone)


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


class CampaignRepository(CommentsAndPeople):
    """Plans, teammates, posts and occurrences; comments, people and reminder rows come from the mixin."""

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

    async def plan(self, plan_id: int, *, lock: bool = False) -> PlanDTO | None:
        """The plan with its teammates. With `lock`, row-locked until commit (see `storage.atomic`): changes to
        one plan (its posts, its team) go one at a time, each checking the limits against what the one before left."""
        if lock:
            row = await self._session.scalar(
                select(CampaignPlan)
                .where(CampaignPlan.id == plan_id)
                .with_for_update(key_share=True)
                .execution_options(populate_existing=True)
            )
        else:
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
        count = await self._session.scalar(
            select(func.count(CampaignPlan.id)).where(CampaignPlan.owner_id == person_id)
        )
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
        for chunk in chunks(list(plan_ids)):
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

    async def delete_post(self, post_id: int, now: dt.datetime, *, keep: bool = False) -> None:
        """Remove a post; with `keep`, only hide it (its marks, proofs and approvals stay, and count)."""
        if keep:
            await self._session.execute(
                update(CampaignPost).where(CampaignPost.id == post_id).values(deleted_at=now, updated_at=now)
            )
        else:
            await self._session.execute(delete(CampaignPost).where(CampaignPost.id == post_id))

    async def post(self, post_id: int, *, with_deleted: bool = False) -> PostDTO | None:
        """A post; a deleted one (kept for its history) only `with_deleted`."""
        row = await self._session.get(CampaignPost, post_id)
        return _post(row) if row and (with_deleted or row.deleted_at is None) else None

    async def posts_of_plans(self, plan_ids: Sequence[int], *, with_deleted: bool = False) -> list[PostDTO]:
        posts: list[PostDTO] = []
        for chunk in chunks(list(plan_ids)):
            query = select(CampaignPost).where(CampaignPost.plan_id.in_(chunk)).order_by(CampaignPost.starts_at)
            if not with_deleted:
                query = query.where(CampaignPost.deleted_at.is_(None))
            posts += [_post(r) for r in await self._session.scalars(query)]
        return posts

    async def has_occurrences(self, post_id: int) -> bool:
        """Whether any occurrence of the post was marked done or skipped."""
        found = await self._session.scalar(
            select(CampaignOccurrence.id).where(CampaignOccurrence.post_id == post_id).limit(1)
        )
        return found is not None

    async def posts_to_plan(self, before: dt.datetime, post_ids: Sequence[int] | None = None) -> list[PlannablePost]:
        """Posts of active cohorts whose reminders are planned less far than `before` (or the given posts).

        Plain columns, not ORM objects: at start this reads every post (60,000 in the benchmark)."""
        query = (
            select(*_POST_COLUMNS, CampaignPlan.owner_id, CampaignPlan.cohort_id, Cohort.timezone)
            .join(CampaignPlan, CampaignPlan.id == CampaignPost.plan_id)
            .join(Cohort, Cohort.id == CampaignPlan.cohort_id)
            .where(Cohort.status == CohortStatus.ACTIVE, CampaignPost.deleted_at.is_(None))
            .order_by(CampaignPost.id)
        )
        if post_ids is not None:
            found: list[PlannablePost] = []
            for chunk in chunks(list(post_ids)):
                found += [
                    _plannable(row) for row in await self._session.execute(query.where(CampaignPost.id.in_(chunk)))
                ]
            return found
        query = query.where(or_(CampaignPost.planned_until.is_(None), CampaignPost.planned_until < before))
        return [_plannable(row) for row in await self._session.execute(query)]

    async def bump_planned_until(self, before: dt.datetime, until: dt.datetime) -> None:
        """Every post `posts_to_plan(before)` returned: bookmark moved to `until`, in one statement."""
        active = select(CampaignPlan.id).join(Cohort, Cohort.id == CampaignPlan.cohort_id)
        await self._session.execute(
            update(CampaignPost)
            .where(
                CampaignPost.plan_id.in_(active.where(Cohort.status == CohortStatus.ACTIVE)),
                CampaignPost.deleted_at.is_(None),
                or_(CampaignPost.planned_until.is_(None), CampaignPost.planned_until < before),
            )
            .values(planned_until=until)
        )

    async def set_planned_until(self, post_ids: Sequence[int], until: dt.datetime) -> None:
        """Move the bookmark forward (never back)."""
        for chunk in chunks(list(post_ids)):
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
        values = {
            "post_id": post_id,
            "plan_id": plan_id,
            "occurs_at": occurs_at,
            "state": state.value,
            "by_id": by_id,
            "marked_at": now,
        }
        statement = insert_ignoring(self._session, CampaignOccurrence, ["post_id", "occurs_at"]).values(values)
        return bool(await inserted(self._session, statement))

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

    async def approve(self, occurrence_id: int, by_id: int | None, now: dt.datetime) -> bool:
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
        for chunk in chunks(list(plan_ids)):
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
        for chunk in chunks(list(post_ids)):
            rows = await self._session.execute(
                select(CampaignOccurrence.post_id, CampaignOccurrence.occurs_at).where(
                    CampaignOccurrence.post_id.in_(chunk)
                )
            )
            found |= {(post_id, _aware(occurs_at)) for post_id, occurs_at in rows}
        return found

    async def closed_between(self, after: dt.datetime, through: dt.datetime) -> set[tuple[int, dt.datetime]]:
        """(post id, occurrence time) of every occurrence in (after, through] already done or skipped."""
        rows = await self._session.execute(
            select(CampaignOccurrence.post_id, CampaignOccurrence.occurs_at).where(
                CampaignOccurrence.occurs_at > after, CampaignOccurrence.occurs_at <= through
            )
        )
        return {(post_id, _aware(occurs_at)) for post_id, occurs_at in rows}

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


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)
