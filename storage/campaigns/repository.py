"""The campaign planner's repository: plans and teammates here; posts, occurrences, comments and people from its
mixins. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.campaigns.comments import CommentsAndPeople, chunks
from storage.campaigns.dto import PlanDTO
from storage.campaigns.models import CampaignPlan, CampaignTeammate
from storage.campaigns.occurrences import OccurrenceQueries
from storage.campaigns.posts import PostQueries


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


class CampaignRepository(PostQueries, OccurrenceQueries, CommentsAndPeople):
    """Plans and teammates; posts, occurrences, comments, people and reminder rows come from the mixins."""

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
