"""Curricula: validate a YAML document, import it (all or nothing), load the stored copy for delivery.

No Telegram here: the CLI, start-up and the chat upload all go through this service; importing is for coordinators
(in chat) and the operator (command line, start-up).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.services.access import Actor, require_coordinator
from bot.services.clock import Clock, utc_now
from bot.services.lessons.curriculum import (
    Curriculum,
    CurriculumError,
    Problem,
    load_curriculum,
    missing_images,
    parse_curriculum,
)
from storage.dto import CurriculumDTO
from storage.uow import Database, UnitOfWork

SOURCE_MAX = 255  # the column's length
SUFFIXES = (".yaml", ".yml")


class ImportStatus(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the stored document was identical: nothing written


@dataclass(frozen=True, slots=True)
class ImportResult:
    curriculum: CurriculumDTO
    status: ImportStatus
    previous_version: int | None  # None when it was new

    @property
    def created(self) -> bool:
        return self.status is ImportStatus.CREATED

    @property
    def lesson_count(self) -> int:
        return self.curriculum.lesson_count


def curriculum_files(folder: Path) -> list[Path]:
    """The curriculum files of a folder, in name order (none when the folder does not exist)."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def _parse(content: bytes | str, source: str, image_dir: Path | None) -> Curriculum:
    curriculum = parse_curriculum(content, source)
    if image_dir is not None and (missing := missing_images(curriculum, image_dir, source)):
        raise CurriculumError(missing)
    return curriculum


def _load_folder(folder: Path) -> list[tuple[Path, Curriculum]]:
    """Every curriculum of a folder, or CurriculumError with the problems of all its files."""
    problems: list[Problem] = []
    loaded: list[tuple[Path, Curriculum]] = []
    owners: dict[str, Path] = {}
    for path in curriculum_files(folder):
        try:
            curriculum = load_curriculum(path)
        except CurriculumError as error:
            problems += error.problems
            continue
        if (other := owners.setdefault(curriculum.id, path)) != path:
            message = f'"{curriculum.id}" is also the id of {other}: each curriculum needs its own id'
            problems.append(Problem(str(path), None, "id", message, "duplicate_id"))
        loaded.append((path, curriculum))
    if problems:
        raise CurriculumError(problems)
    return loaded


class CurriculumService:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock
        # id -> (imported_at, parsed curriculum): parsing the JSON once per import, not once per message.
        self._cache: dict[int, tuple[dt.datetime, Curriculum]] = {}

    def validate(self, content: bytes | str, source: str) -> Curriculum:
        """Check a document without storing anything; CurriculumError lists every problem."""
        return parse_curriculum(content, source)

    async def import_document(
        self, actor: Actor, content: bytes | str, source: str, image_dir: Path | None = None
    ) -> ImportResult:
        """Validate and store (a chat upload); on any problem CurriculumError and nothing is stored.

        With `image_dir`, local images must exist there, as they must beside a file that `import_file` reads."""
        await self._may_import(actor)  # before parsing: nobody else makes the bot parse a large document
        # Parsing up to 1 MB of YAML takes a while: off the event loop, so other chats are answered meanwhile.
        curriculum = await asyncio.to_thread(_parse, content, source, image_dir)
        return await self._store(actor, curriculum, source)

    async def import_file(self, actor: Actor, path: Path) -> ImportResult:
        """Like import_document, for a file on disk; its local images must exist beside it."""
        await self._may_import(actor)
        curriculum = await asyncio.to_thread(load_curriculum, path)
        return await self._store(actor, curriculum, str(path))

    async def import_folder(self, actor: Actor, folder: Path) -> list[tuple[Path, ImportResult]]:
        """Import every *.yaml / *.yml of a folder in one transaction, only when all of them are valid."""
        await self._may_import(actor)
        loaded = await asyncio.to_thread(_load_folder, folder)
        results: list[tuple[Path, ImportResult]] = []
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            for path, curriculum in loaded:
                results.append((path, await self._save(uow, curriculum, str(path))))
            await uow.commit()
        for _path, result in results:
            self._forget(result)
        return results

    async def _may_import(self, actor: Actor) -> None:
        async with self._db.reading() as uow:
            await require_coordinator(uow, actor)

    async def _store(self, actor: Actor, curriculum: Curriculum, source: str) -> ImportResult:
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)  # again, in the transaction that stores it
            result = await self._save(uow, curriculum, source)
            await uow.commit()
        self._forget(result)
        return result

    async def _save(self, uow: UnitOfWork, curriculum: Curriculum, source: str) -> ImportResult:
        document = curriculum.model_dump_json()
        previous = await uow.curricula.by_slug(curriculum.id)
        if previous is not None and previous.document == document:
            return ImportResult(previous, ImportStatus.UNCHANGED, previous.version)
        saved, created = await uow.curricula.save(
            slug=curriculum.id,
            version=curriculum.version,
            title_ar=curriculum.title.ar,
            title_en=curriculum.title.en,
            lesson_count=len(curriculum.lessons),
            document=document,
            source=source[:SOURCE_MAX],
            now=self._clock(),
        )
        status = ImportStatus.CREATED if created else ImportStatus.UPDATED
        return ImportResult(saved, status, None if previous is None else previous.version)

    def _forget(self, result: ImportResult) -> None:
        # A clock that does not move (tests) would keep the old imported_at: drop the cached copy explicitly.
        if result.status is not ImportStatus.UNCHANGED:
            self._cache.pop(result.curriculum.id, None)

    async def load(self, curriculum_id: int) -> Curriculum | None:
        """The stored curriculum, parsed; cached until it is imported again (by any process)."""
        async with self._db.unit_of_work() as uow:
            return await self.load_in(uow, curriculum_id)

    async def load_in(self, uow: UnitOfWork, curriculum_id: int) -> Curriculum | None:
        """`load` inside the caller's unit of work (SQLite has one writer: a second session would wait on it)."""
        stamp = await uow.curricula.imported_at(curriculum_id)
        cached = self._cache.get(curriculum_id)
        if stamp is None:
            self._cache.pop(curriculum_id, None)
            return None
        if cached is not None and cached[0] == stamp:
            return cached[1]
        row = await uow.curricula.by_id(curriculum_id)
        if row is None:
            return None
        curriculum = Curriculum.model_validate_json(row.document)
        self._cache[curriculum_id] = (row.imported_at, curriculum)
        return curriculum

    async def by_id(self, curriculum_id: int) -> CurriculumDTO | None:
        async with self._db.unit_of_work() as uow:
            return await uow.curricula.by_id(curriculum_id)

    async def by_slug(self, slug: str) -> CurriculumDTO | None:
        async with self._db.unit_of_work() as uow:
            return await uow.curricula.by_slug(slug)

    async def all(self) -> list[CurriculumDTO]:
        async with self._db.unit_of_work() as uow:
            return await uow.curricula.all()
