"""Quiz polls sent to trainees and their first answers. Flushes, never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dto import QuizPollDTO
from storage.models import QuizPoll


def _options(text: str | None) -> tuple[int, ...] | None:
    if text is None:
        return None
    return tuple(int(part) for part in text.split(",") if part != "")


def options_text(options: Sequence[int]) -> str:
    return ",".join(str(option) for option in options)


def _poll(row: QuizPoll) -> QuizPollDTO:
    return QuizPollDTO(
        poll_id=row.poll_id,
        person_id=row.person_id,
        cohort_id=row.cohort_id,
        lesson=row.lesson,
        question=row.question,
        correct_options=_options(row.correct_options) or (),
        sent_at=row.sent_at,
        answered_options=_options(row.answered_options),
        answered_at=row.answered_at,
        correct=row.correct,
    )


class QuizRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        poll_id: str,
        person_id: int,
        cohort_id: int,
        lesson: str,
        question: int,
        correct_options: Sequence[int],
        now: dt.datetime,
    ) -> None:
        self._session.add(
            QuizPoll(
                poll_id=poll_id,
                person_id=person_id,
                cohort_id=cohort_id,
                lesson=lesson,
                question=question,
                correct_options=options_text(correct_options),
                sent_at=now,
            )
        )
        await self._session.flush()

    async def by_poll_id(self, poll_id: str) -> QuizPollDTO | None:
        row = await self._session.get(QuizPoll, poll_id)
        return _poll(row) if row else None

    async def answer(self, poll_id: str, options: Sequence[int], correct: bool, now: dt.datetime) -> bool:
        """Record the first answer only; False if the poll was answered before (or is unknown)."""
        result = await self._session.execute(
            update(QuizPoll)
            .where(QuizPoll.poll_id == poll_id, QuizPoll.answered_at.is_(None))
            .values(answered_options=options_text(options), answered_at=now, correct=correct)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def sent_questions(self, person_id: int, cohort_id: int, lesson: str) -> set[int]:
        rows = await self._session.scalars(
            select(QuizPoll.question).where(
                QuizPoll.person_id == person_id, QuizPoll.cohort_id == cohort_id, QuizPoll.lesson == lesson
            )
        )
        return set(rows)

    async def for_person(self, person_id: int, cohort_id: int) -> list[QuizPollDTO]:
        rows = await self._session.scalars(
            select(QuizPoll).where(QuizPoll.person_id == person_id, QuizPoll.cohort_id == cohort_id)
        )
        return [_poll(r) for r in rows]

    async def for_cohort(self, cohort_id: int) -> list[QuizPollDTO]:
        rows = await self._session.scalars(select(QuizPoll).where(QuizPoll.cohort_id == cohort_id))
        return [_poll(r) for r in rows]
