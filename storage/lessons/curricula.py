"""The curricula table: imported curriculum documents, updated in place by slug. Flushes, never commits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.dto import CurriculumDTO
from storage.models import Curriculum


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
