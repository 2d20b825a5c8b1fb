"""Lesson progress per trainee: delivered, opened, done (the first time counts). Flushes, never commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring
from storage.dto import LessonProgressDTO, PersonStatus
from storage.models import LessonProgress, Person, QuizPoll


def _progress(row: LessonProgress) -> LessonProgressDTO:
    return LessonProgressDTO(
        person_id=row.person_id,
        cohort_id=row.cohort_id,
        lesson=row.lesson,
        number=row.number,
        delivered_at=row.delivered_at,
        opened_at=row.opened_at,
        done_at=row.done_at,
    )


class ProgressRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _row(self, person_id: int, cohort_id: int, lesson: str, number: int) -> LessonProgress:
        """The progress row, made when missing and row-locked until commit: the delivery, an open and a Done tap at
        the same moment change one row one at a time, and only the first Done counts."""
        locked = (
            select(LessonProgress)
            .where(
                LessonProgress.person_id == person_id,
                LessonProgress.cohort_id == cohort_id,
                LessonProgress.lesson == lesson,
            )
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        row = await self._session.scalar(locked)
        if row is None:
            values = {"person_id": person_id, "cohort_id": cohort_id, "lesson": lesson, "number": number}
            await self._session.execute(
                insert_ignoring(self._session, LessonProgress, ["person_id", "cohort_id", "lesson"]).values(values)
            )
            row = await self._session.scalar(locked)
        assert row is not None
        return row

    async def delivered(self, person_id: int, cohort_id: int, lesson: str, number: int, now: dt.datetime) -> None:
        row = await self._row(person_id, cohort_id, lesson, number)
        row.delivered_at = row.delivered_at or now
        await self._session.flush()

    async def opened(self, person_id: int, cohort_id: int, lesson: str, number: int, now: dt.datetime) -> bool:
        """Mark opened (the first time counts); True if it was not opened before."""
        row = await self._row(person_id, cohort_id, lesson, number)
        first = row.opened_at is None
        row.opened_at = row.opened_at or now
        row.delivered_at = row.delivered_at or now
        await self._session.flush()
        return first

    async def done(self, person_id: int, cohort_id: int, lesson: str, number: int, now: dt.datetime) -> bool:
        """Mark done (and opened); True if it was not done before."""
        row = await self._row(person_id, cohort_id, lesson, number)
        first = row.done_at is None
        row.done_at = row.done_at or now
        row.opened_at = row.opened_at or now
        row.delivered_at = row.delivered_at or now
        await self._session.flush()
        return first

    async def unengaged(
        self, cohort_id: int, lesson: str, delivered_before: dt.datetime | None = None
    ) -> list[tuple[int, int]]:
        """(person id, Telegram id) of active people who got this lesson but neither opened it nor answered its quiz."""
        answered = (
            select(QuizPoll.poll_id)
            .where(
                QuizPoll.person_id == LessonProgress.person_id,
                QuizPoll.cohort_id == cohort_id,
                QuizPoll.lesson == lesson,
                QuizPoll.answered_at.is_not(None),
            )
            .exists()
        )
        conditions = [
            LessonProgress.cohort_id == cohort_id,
            LessonProgress.lesson == lesson,
            LessonProgress.delivered_at.is_not(None),
            LessonProgress.opened_at.is_(None),
            Person.status == PersonStatus.ACTIVE,
            ~answered,
        ]
        if delivered_before is not None:  # someone who got it a minute ago is not nudged yet
            conditions.append(LessonProgress.delivered_at <= delivered_before)
        rows = await self._session.execute(
            select(Person.id, Person.telegram_id)
            .join(LessonProgress, LessonProgress.person_id == Person.id)
            .where(*conditions)
            .order_by(Person.id)
        )
        return [(person_id, telegram_id) for person_id, telegram_id in rows]

    async def for_person(self, person_id: int, cohort_id: int) -> dict[str, LessonProgressDTO]:
        rows = await self._session.scalars(
            select(LessonProgress).where(LessonProgress.person_id == person_id, LessonProgress.cohort_id == cohort_id)
        )
        return {row.lesson: _progress(row) for row in rows}

    async def for_cohort(self, cohort_id: int) -> list[LessonProgressDTO]:
        rows = await self._session.scalars(select(LessonProgress).where(LessonProgress.cohort_id == cohort_id))
        return [_progress(r) for r in rows]

    async def for_any(self, person_id: int) -> list[LessonProgressDTO]:
        rows = await self._session.scalars(select(LessonProgress).where(LessonProgress.person_id == person_id))
        return [_progress(r) for r in rows]
