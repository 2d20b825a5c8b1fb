"""Repositories for curricula, lesson progress and quiz polls. They flush but never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.dto import CurriculumDTO, LessonProgressDTO, PersonStatus, QuizPollDTO
from storage.models import Curriculum, LessonProgress, Person, QuizPoll


def _curriculum(row: Curriculum) -> CurriculumDTO:
    return CurriculumDTO(
        id=row.id,
        slug=row.slug,
        version=row.version,
        title_ar=row.title_ar,
        title_en=row.title_en,
        lesson_count=row.lesson_count,
        document=row.document,
        source=row.source,
        imported_at=row.imported_at,
    )


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


class CurriculumRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save(
        self,
        *,
        slug: str,
        version: int,
        title_ar: str,
        title_en: str,
        lesson_count: int,
        document: str,
        source: str,
        now: dt.datetime,
    ) -> tuple[CurriculumDTO, bool]:
        """Insert, or update the curriculum with this slug in place (its id, and so cohorts' links, stay).

        Returns the curriculum and whether it was new. The same slug imported twice at once: one row, the later
        import updates it."""
        values = {"version": version, "title_ar": title_ar, "title_en": title_en, "lesson_count": lesson_count,
                  "document": document, "source": source, "imported_at": now}  # fmt: skip
        statement = insert_ignoring(self._session, Curriculum, ["slug"]).values(slug=slug, **values)
        created = bool(await inserted(self._session, statement))
        row = await self._session.scalar(
            select(Curriculum)
            .where(Curriculum.slug == slug)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        assert row is not None
        row.version, row.title_ar, row.title_en = version, title_ar, title_en
        row.lesson_count, row.document, row.source, row.imported_at = lesson_count, document, source, now
        await self._session.flush()
        return _curriculum(row), created

    async def by_id(self, curriculum_id: int) -> CurriculumDTO | None:
        row = await self._session.get(Curriculum, curriculum_id)
        return _curriculum(row) if row else None

    async def by_slug(self, slug: str) -> CurriculumDTO | None:
        row = await self._session.scalar(select(Curriculum).where(Curriculum.slug == slug))
        return _curriculum(row) if row else None

    async def imported_at(self, curriculum_id: int) -> dt.datetime | None:
        """Only the import time (not the document): enough to tell whether a cached copy is current."""
        return await self._session.scalar(select(Curriculum.imported_at).where(Curriculum.id == curriculum_id))

    async def all(self) -> list[CurriculumDTO]:
        rows = await self._session.scalars(select(Curriculum).order_by(Curriculum.slug))
        return [_curriculum(r) for r in rows]


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
