"""Cohorts: their schedule, status and the lesson planner's bookmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import AlreadyExists, insert_ignoring
from storage.dto import CohortDTO, CohortStatus, CohortSummary, Role
from storage.models import Cohort, Membership


def cohort_dto(row: Cohort) -> CohortDTO:
    return CohortDTO(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        start_date=row.start_date,
        lesson_time=row.lesson_time,
        status=CohortStatus(row.status),
        created_at=row.created_at,
        curriculum_id=row.curriculum_id,
        rest_days=parse_weekdays(row.rest_days),
        observe_holidays=bool(row.observe_holidays),
        nudge_time=row.nudge_time,
        lessons_planned=row.lessons_planned or 0,
    )


def parse_weekdays(text: str | None) -> frozenset[int]:
    """ "5,6" → {5, 6}: ISO weekdays as stored in cohorts.rest_days."""
    return frozenset(int(part) for part in (text or "").split(",") if part.strip().isdigit())


def format_weekdays(days: frozenset[int] | set[int]) -> str:
    return ",".join(str(day) for day in sorted(days))


class CohortRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        name: str,
        name_key: str,
        timezone: str,
        start_date: dt.date,
        lesson_time: dt.time,
        now: dt.datetime,
        curriculum_id: int | None = None,
        rest_days: frozenset[int] = frozenset({5}),
        observe_holidays: bool = True,
        nudge_time: dt.time | None = None,
    ) -> CohortDTO:
        """A new cohort; AlreadyExists when the name (its normalised key) is taken, also at the same moment."""
        statement = (
            insert_ignoring(self._session, Cohort, ["name_key"])
            .values(
                name=name,
                name_key=name_key,
                timezone=timezone,
                start_date=start_date,
                lesson_time=lesson_time,
                status=CohortStatus.ACTIVE.value,
                created_at=now,
                curriculum_id=curriculum_id,
                rest_days=format_weekdays(rest_days),
                observe_holidays=observe_holidays,
                nudge_time=nudge_time,
                lessons_planned=0,
            )
            .returning(Cohort.id)
        )
        cohort_id = await self._session.scalar(statement)
        if cohort_id is None:
            raise AlreadyExists(name_key)
        row = await self._session.get(Cohort, cohort_id)
        assert row is not None
        return cohort_dto(row)

    async def by_id(self, cohort_id: int) -> CohortDTO | None:
        row = await self._session.get(Cohort, cohort_id)
        return cohort_dto(row) if row else None

    async def lock(self, cohort_id: int) -> CohortDTO | None:
        """The cohort, row-locked until commit (see `storage.atomic`): serialises adding its sessions."""
        row = await self._session.scalar(
            select(Cohort)
            .where(Cohort.id == cohort_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return cohort_dto(row) if row else None

    async def by_name_key(self, name_key: str) -> CohortDTO | None:
        row = await self._session.scalar(select(Cohort).where(Cohort.name_key == name_key))
        return cohort_dto(row) if row else None

    async def by_ids(self, cohort_ids: Sequence[int]) -> list[CohortDTO]:
        if not cohort_ids:
            return []
        rows = await self._session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)).order_by(Cohort.id))
        return [cohort_dto(r) for r in rows]

    async def summaries(self, cohort_ids: Sequence[int] | None = None) -> list[CohortSummary]:
        """Cohorts with member counts per role; all cohorts when `cohort_ids` is None."""
        trainees = func.count(Membership.id).filter(Membership.role == Role.TRAINEE)
        trainers = func.count(Membership.id).filter(Membership.role == Role.TRAINER)
        query = (
            select(Cohort, trainees, trainers)
            .outerjoin(Membership, Membership.cohort_id == Cohort.id)
            .group_by(Cohort.id)
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
        )
        if cohort_ids is not None:
            query = query.where(Cohort.id.in_(cohort_ids))
        rows = await self._session.execute(query)
        return [CohortSummary(cohort_dto(c), int(n_trainees), int(n_trainers)) for c, n_trainees, n_trainers in rows]

    async def set_status(self, cohort_id: int, status: CohortStatus) -> None:
        await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(status=status))

    async def active(self) -> list[CohortDTO]:
        rows = await self._session.scalars(
            select(Cohort).where(Cohort.status == CohortStatus.ACTIVE).order_by(Cohort.id)
        )
        return [cohort_dto(r) for r in rows]

    async def set_curriculum(self, cohort_id: int, curriculum_id: int | None) -> None:
        await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(curriculum_id=curriculum_id))

    async def set_schedule(
        self,
        cohort_id: int,
        *,
        rest_days: frozenset[int] | None = None,
        observe_holidays: bool | None = None,
        nudge_time: dt.time | None = None,
        lesson_time: dt.time | None = None,
        start_date: dt.date | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if start_date is not None:
            values["start_date"] = start_date
        if rest_days is not None:
            values["rest_days"] = format_weekdays(rest_days)
        if observe_holidays is not None:
            values["observe_holidays"] = observe_holidays
        if nudge_time is not None:
            values["nudge_time"] = nudge_time
        if lesson_time is not None:
            values["lesson_time"] = lesson_time
        if values:
            await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(**values))

    async def advance_planned(self, cohort_id: int, planned: int) -> bool:
        """Move the planner's bookmark forward (never back); False if another planner got there first."""
        result = await self._session.execute(
            update(Cohort)
            .where(Cohort.id == cohort_id, Cohort.lessons_planned < planned)
            .values(lessons_planned=planned)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
