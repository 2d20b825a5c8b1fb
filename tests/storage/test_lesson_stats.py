"""Progress figures alone: streaks, and /progress for a cohort without lessons but with campaign posts done."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import set_locale
from bot.services.access import OPERATOR
from bot.services.lessons import LessonService
from bot.services.lessons.curricula import CurriculumService
from bot.services.lessons.stats import LessonStatsService, streak_of
from bot.services.people import CohortService
from handlers.lessons.trainee import progress_text
from storage.uow import Database, UnitOfWork
from tests.crowd import enrol

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("released", "engaged", "streak"),
    [
        (0, set(), 0),
        (3, {1, 2, 3}, 3),
        (3, {1, 2}, 2),  # today's lesson can still be done: the streak is not broken yet
        (3, {1, 3}, 1),
        (4, {1, 2}, 0),  # yesterday's was missed
    ],
)
def test_streak(released: int, engaged: set[int], streak: int) -> None:
    assert streak_of(released, engaged) == streak


async def test_posts_done_show_without_a_curriculum_and_count_in_the_rank(db: Database) -> None:
    cohort = (
        await CohortService(db, lambda: NOW).create(
            OPERATOR,
            name="No lessons",
            start_date=dt.date(2026, 11, 1),
            lesson_time=dt.time(18),
            timezone="Asia/Baghdad",
        )
    ).cohort
    ids = await enrol(db, cohort.id, 100, 3, joined=NOW, locale="en")
    async with db.unit_of_work() as uow:
        people = {i: (await uow.people.by_telegram_id(i)) for i in ids}
    done = {people[100].id: 2, people[101].id: 5}  # type: ignore[union-attr]

    async def posts_done(uow: UnitOfWork, cohort_id: int) -> dict[int, int]:
        return done if cohort_id == cohort.id else {}

    stats = LessonStatsService(db, LessonService(db, CurriculumService(db)), lambda: NOW)
    assert await stats.progress(100) == []  # without the campaign feature: nothing to show
    stats.extra_done = posts_done
    [report] = await stats.progress(100)
    assert (report.total, report.extra_done, report.rank, report.ranked) == (0, 2, 2, 3)
    set_locale("en")
    text = progress_text(report)
    assert "Campaign posts done" in text and "lessons done" not in text and "Quiz score" not in text
    assert await stats.progress(102) == []  # nothing done yet, no lessons: nothing to show
