"""Importing curricula: the service (all or nothing, updates in place, the load cache) and the start-up import."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import re
import shutil
from pathlib import Path

import pytest

from bot.i18n import set_locale
from bot.runtime import prepare_database
from bot.services.access import OPERATOR, Principal
from bot.services.errors import DomainError, Problem
from bot.services.lessons.curricula import CurriculumService, ImportStatus
from bot.services.lessons.curriculum import CurriculumError
from bot.services.lessons.curriculum import Problem as CurriculumProblem
from bot.services.people import CohortService
from bot.settings import SettingsError
from handlers.lessons.curricula import problem_line, problem_sentence
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, make_settings
from tests.curriculum_samples import SHIPPED, broken, sample

CURRICULUM_README = SHIPPED.parent / "README.md"
COORDINATOR = Principal(telegram_id=COORDINATOR_ID, locale="en")  # seeded by the `db` fixture


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)  # every import gets its own time, as in real life
        return self.now


@pytest.fixture
def service(db: Database) -> CurriculumService:
    return CurriculumService(db, Clock())


async def count_curricula(db: Database) -> int:
    async with db.unit_of_work() as uow:
        return len(await uow.curricula.all())


async def test_import_creates_and_load_is_cached(db: Database, service: CurriculumService) -> None:
    result = await service.import_document(COORDINATOR, sample(), "chat:test.yaml")
    assert result.status is ImportStatus.CREATED
    assert result.created
    assert (result.curriculum.slug, result.lesson_count, result.previous_version) == ("test-course", 2, None)
    assert result.curriculum.title("ar") == "دورة تجريبية"
    loaded = await service.load(result.curriculum.id)
    assert loaded is not None
    assert [lesson.id for lesson in loaded.lessons] == ["first", "second"]
    assert await service.load(result.curriculum.id) is loaded  # parsed once, not per call
    assert await service.load(999) is None
    assert [c.slug for c in await service.all()] == ["test-course"]


async def test_reimport_updates_in_place_and_keeps_progress(db: Database, service: CurriculumService) -> None:
    first = await service.import_document(COORDINATOR, sample(version=1, lessons=2), "chat:test.yaml")
    cohort = (
        await CohortService(db).create(
            OPERATOR,
            name="Hit",
            start_date=dt.date(2026, 12, 1),
            lesson_time=dt.time(18, 0),
            timezone="Asia/Baghdad",
            curriculum_id=first.curriculum.id,
        )
    ).cohort
    async with db.unit_of_work() as uow:
        person = await uow.people.add(4242, dt.datetime(2026, 11, 25, tzinfo=dt.UTC), "ar")
        await uow.progress.done(person.id, cohort.id, "first", 1, dt.datetime(2026, 12, 1, 15, tzinfo=dt.UTC))
        await uow.commit()
    assert (await service.load(first.curriculum.id)) is not None  # cached: the update must replace it

    second = await service.import_document(COORDINATOR, sample(version=2, lessons=3), "chat:test-v2.yaml")
    assert second.status is ImportStatus.UPDATED
    assert (second.curriculum.id, second.previous_version, second.lesson_count) == (first.curriculum.id, 1, 3)
    async with db.unit_of_work() as uow:
        progress = await uow.progress.for_person(person.id, cohort.id)
        linked = await uow.cohorts.by_id(cohort.id)
    assert progress["first"].done_at is not None
    assert linked is not None
    assert linked.curriculum_id == first.curriculum.id
    loaded = await service.load(first.curriculum.id)
    assert loaded is not None
    assert (loaded.version, len(loaded.lessons)) == (2, 3)
    assert await count_curricula(db) == 1


async def test_identical_reimport_changes_nothing(db: Database, service: CurriculumService) -> None:
    first = await service.import_document(COORDINATOR, sample(), "chat:a.yaml")
    again = await service.import_document(COORDINATOR, sample(), "chat:b.yaml")
    assert again.status is ImportStatus.UNCHANGED
    assert again.curriculum.imported_at == first.curriculum.imported_at
    assert again.curriculum.source == "chat:a.yaml"


async def test_invalid_document_imports_nothing_and_keeps_the_previous(
    db: Database, service: CurriculumService
) -> None:
    with pytest.raises(CurriculumError) as caught:
        await service.import_document(COORDINATOR, broken(), "chat:broken.yaml")
    assert {(p.lesson_number, p.field, p.code) for p in caught.value.problems} == {
        (1, "questions[0].options[1].en", "too_long"),
        (2, "title.ar", "empty"),
    }
    assert await count_curricula(db) == 0

    kept = await service.import_document(COORDINATOR, sample(version=1), "chat:test.yaml")
    with pytest.raises(CurriculumError):
        await service.import_document(COORDINATOR, broken().replace("version: 1", "version: 2"), "chat:broken.yaml")
    stored = await service.by_id(kept.curriculum.id)
    assert stored == kept.curriculum  # same version, document, source and time


async def test_local_images_of_an_upload_must_be_in_the_image_folder(
    db: Database, service: CurriculumService, tmp_path: Path
) -> None:
    with_image = sample().replace("  task:", "  image: images/day1.png\n  task:", 1)
    with pytest.raises(CurriculumError) as caught:
        await service.import_document(COORDINATOR, with_image, "chat:x.yaml", image_dir=tmp_path)
    assert [(p.lesson, p.field, p.code) for p in caught.value.problems] == [("first", "image", "not_found")]
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "day1.png").write_bytes(b"png")
    assert (await service.import_document(COORDINATOR, with_image, "chat:x.yaml", image_dir=tmp_path)).created


async def test_cohort_with_an_unknown_curriculum_is_refused(db: Database) -> None:
    with pytest.raises(DomainError) as caught:
        await CohortService(db).create(
            OPERATOR,
            name="Ramadi",
            start_date=dt.date(2026, 12, 1),
            lesson_time=dt.time(18, 0),
            timezone="Asia/Baghdad",
            curriculum_id=77,
        )
    assert caught.value.problem is Problem.CURRICULUM_NOT_FOUND
    async with db.unit_of_work() as uow:
        assert await uow.cohorts.summaries() == []


async def test_load_sees_an_import_by_another_process(db: Database) -> None:
    bot_side, cli_side = CurriculumService(db, Clock()), CurriculumService(db, Clock())
    first = await cli_side.import_document(COORDINATOR, sample(version=1), "a.yaml")
    before = await bot_side.load(first.curriculum.id)
    await cli_side.import_document(COORDINATOR, sample(version=2), "a.yaml")
    after = await bot_side.load(first.curriculum.id)
    assert before is not None
    assert after is not None
    assert (before.version, after.version) == (1, 2)  # the bot's cache notices the new import time


# --------------------------------------------------------------------------- start-up


async def test_startup_import_is_idempotent(
    database_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "curriculum"
    folder.mkdir()
    shutil.copy(SHIPPED, folder / "digital-campaigns.yaml")
    (folder / "test.yml").write_text(sample(), encoding="utf-8")
    (folder / "README.md").write_text("not a curriculum", encoding="utf-8")
    settings = make_settings(database_url, curriculum_dir=folder)
    with caplog.at_level(logging.INFO, logger="bot.runtime"):
        await prepare_database(settings)
    assert "curriculum digital-campaigns v1 from" in caplog.text
    assert caplog.text.count(": created") == 2
    db = Database(database_url)
    try:
        before = {c.slug: c for c in await CurriculumService(db).all()}
        assert {slug: c.lesson_count for slug, c in before.items()} == {"digital-campaigns": 14, "test-course": 2}
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="bot.runtime"):
            await prepare_database(settings)
        assert caplog.text.count(": unchanged") == 2
        assert {c.slug: c for c in await CurriculumService(db).all()} == before  # nothing rewritten

        (folder / "test.yml").write_text(sample(version=2, lessons=3), encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="bot.runtime"):
            await prepare_database(settings)
        assert "curriculum test-course v2 from" in caplog.text
        assert ": updated" in caplog.text
        after = {c.slug: c for c in await CurriculumService(db).all()}
        assert after["test-course"].id == before["test-course"].id
        assert after["test-course"].lesson_count == 3
    finally:
        await db.dispose()


async def test_an_invalid_file_stops_startup_and_imports_nothing(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "curriculum"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(sample(), encoding="utf-8")
    (folder / "b-broken.yaml").write_text(broken(), encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        await prepare_database(make_settings(database_url, curriculum_dir=folder))
    lines = str(caught.value).splitlines()
    assert lines[0].startswith(f"CURRICULUM_DIR {folder}: nothing was imported")
    broken_file = folder / "b-broken.yaml"
    assert lines[1:] == [
        f'{broken_file}: lesson "first" (#1): questions[0].options[1].en: 101 characters, the limit is 100',
        f'{broken_file}: lesson "second" (#2): title.ar: must not be empty',
    ]
    db = Database(database_url)
    try:
        assert await count_curricula(db) == 0  # not even the good file
    finally:
        await db.dispose()


async def test_two_files_with_one_id_stop_startup(database_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "curriculum"
    folder.mkdir()
    (folder / "one.yaml").write_text(sample(), encoding="utf-8")
    (folder / "two.yaml").write_text(sample(version=2), encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        await prepare_database(make_settings(database_url, curriculum_dir=folder))
    assert f'{folder / "two.yaml"}: id: "test-course" is also the id of {folder / "one.yaml"}' in str(caught.value)


def test_curriculum_dir_must_be_a_folder(tmp_path: Path) -> None:
    file = tmp_path / "x.yaml"
    file.write_text(sample(), encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        make_settings("sqlite+aiosqlite:///x.db", curriculum_dir=file)
    assert str(caught.value).startswith("CURRICULUM_DIR is invalid: expected a folder path")


# --------------------------------------------------------------------------- problems in chat


README_CODES = re.compile(r"Problem codes: (.*?)\.\n\n", re.S)
BIDI = re.compile("[\u2066-\u2069]")


def test_every_problem_code_has_its_own_sentence() -> None:
    """Each code that curriculum/README.md lists is translated from its numbers, not shown in English."""
    listed = README_CODES.search(CURRICULUM_README.read_text(encoding="utf-8"))
    assert listed is not None
    codes = re.findall(r"`([a-z_]+)`", listed.group(1))
    assert len(codes) >= 20

    def check() -> None:
        set_locale("en")  # inside a copied context: other tests keep the default locale
        for code in codes:
            problem = CurriculumProblem("x.yaml", "first", "questions[0].correct", "detail", code, 1, 2, 1, 3, 4)
            assert not problem_sentence(problem).startswith("not accepted"), code
        odd = CurriculumProblem("x.yaml", None, "", "odd", "string_too_short")
        assert problem_sentence(odd) == "not accepted: \u2066odd\u2069"
        line = problem_line(CurriculumProblem("x.yaml", "first", "title.en", "", "too_long", 100, 120, 1))
        assert BIDI.sub("", line) == "• Lesson 1 (first), title.en: too long: 120 characters, the limit is 100"
        assert "\u2066title.en\u2069" in line

    contextvars.copy_context().run(check)
