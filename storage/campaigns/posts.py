"""Campaign posts: added, edited, deleted (or hidden, keeping their history), and the reminders' planning bookmark.
Mixed into CampaignRepository."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.campaigns.comments import chunks
from storage.campaigns.dto import PlannablePost, PostDTO, PostKind, Repeat
from storage.campaigns.models import CampaignOccurrence, CampaignPlan, CampaignPost
from storage.dto import CohortStatus
from storage.models import Cohort


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


class PostQueries:
    _session: AsyncSession

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
