"""`cohortbot curriculum validate|import|list`, and finding the curriculum `--curriculum` names."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import CliError, plural, problems_error
from bot.services.access import OPERATOR
from bot.services.lessons.curricula import CurriculumService, ImportResult, ImportStatus
from bot.services.lessons.curriculum import CurriculumError, load_curriculum
from bot.settings import Settings
from storage.uow import Database


def validate(file: Path) -> None:
    try:
        curriculum = load_curriculum(file)
    except CurriculumError as error:
        raise problems_error(file, error, "fix them, then validate again") from None
    questions = sum(len(lesson.questions) for lesson in curriculum.lessons)
    lessons = plural(len(curriculum.lessons), "lesson")
    print(f"{file}: OK — {curriculum.id} v{curriculum.version}, {lessons}, {plural(questions, 'question')}")


async def curriculum_id(curricula: CurriculumService, slug: str | None) -> int | None:
    """The stored id of `--curriculum`; an unknown one lists the known ids."""
    if slug is None:
        return None
    found = await curricula.by_slug(slug)
    if found is None:
        known = ", ".join(c.slug for c in await curricula.all())
        hint = f"known: {known}" if known else "none is imported yet (cohortbot curriculum import FILE)"
        raise CliError(f"--curriculum: no curriculum {slug!r}; {hint}")
    return found.id


def print_import(result: ImportResult) -> None:
    found, lessons = result.curriculum, plural(result.lesson_count, "lesson")
    if result.status is ImportStatus.CREATED:
        print(f"curriculum {found.slug} v{found.version} created (id {found.id}): {lessons}")
    elif result.status is ImportStatus.UPDATED:
        change = f"v{result.previous_version} -> v{found.version}"
        print(f"curriculum {found.slug} updated in place (id {found.id}, {change}): {lessons}; progress is kept")
    else:
        print(f"curriculum {found.slug} v{found.version} unchanged (id {found.id}): {lessons}")


async def run_curriculum(settings: Settings, db: Database, args: argparse.Namespace) -> None:
    curricula = CurriculumService(db)
    if args.action == "import":
        try:
            print_import(await curricula.import_file(OPERATOR, args.file))
        except CurriculumError as error:
            raise problems_error(args.file, error, "nothing was imported") from None
    elif args.action == "list":
        items = await curricula.all()
        if not items:
            print("no curricula imported (cohortbot curriculum import FILE)")
        for item in items:
            print(
                f"{item.slug}\tv{item.version} lessons={item.lesson_count} "
                f"imported={item.imported_at.isoformat(timespec='minutes')} title={item.title_en!r} "
                f"source={item.source}"
            )
