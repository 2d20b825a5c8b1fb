"""`cohortbot cohort create|schedule` with rest days, holidays and the nudge time; weekday parsing."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.cli import main
from bot.parsing import parse_weekdays
from storage.dto import CohortDTO
from storage.uow import Database
from tests.storage.test_cli import env, remember_username

__all__ = ["env"]  # the fixture, shared with test_cli


def stored(database: Path, name_key: str) -> CohortDTO:
    async def read() -> CohortDTO:
        db = Database(f"sqlite+aiosqlite:///{database}")
        async with db.unit_of_work() as uow:
            cohort = await uow.cohorts.by_name_key(name_key)
        await db.dispose()
        assert cohort is not None
        return cohort

    return asyncio.run(read())


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("fri", {5}),
        ("Fri,Sat", {5, 6}),
        ("friday saturday", {5, 6}),
        ("5, 6", {5, 6}),
        ("٥", {5}),  # Arabic-Indic digits
        ("الجمعة،السبت", {5, 6}),
        ("none", set()),
    ],
)
def test_weekdays(text: str, days: set[int]) -> None:
    assert parse_weekdays(text) == frozenset(days)


@pytest.mark.parametrize("text", ["", "funday", "8", "0", "fri,xyz"])
def test_bad_weekdays(text: str) -> None:
    assert parse_weekdays(text) is None


def test_create_and_schedule(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    create = ["cohort", "create", "Hit A", "--start", "2026-12-01", "--lesson-time", "18:30"]
    assert main([*create, "--rest-days", "fri,sat", "--holidays", "off", "--nudge-time", "20:45"]) == 0
    cohort = stored(env, "hit a")
    assert (cohort.rest_days, cohort.observe_holidays, cohort.nudge_time) == (frozenset({5, 6}), False, dt.time(20, 45))
    capsys.readouterr()

    assert (
        main(["cohort", "schedule", "Hit A", "--rest-days", "none", "--holidays", "on", "--lesson-time", "١٩:٠٠"]) == 0
    )
    assert "rest-days=none holidays=on" in capsys.readouterr().out
    cohort = stored(env, "hit a")
    assert (cohort.rest_days, cohort.observe_holidays, cohort.lesson_time) == (frozenset(), True, dt.time(19, 0))


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--rest-days", "funday"], "--rest-days: expected weekday names"),
        (["--rest-days", "mon,tue,wed,thu,fri,sat,sun"], "at least one day"),
        (["--nudge-time", "25:00"], "--nudge-time: expected HH:MM"),
        (["--lesson-time", "7pm-ish"], "--lesson-time: expected HH:MM"),
        ([], "nothing to change"),
    ],
)
def test_bad_schedule_changes_nothing(
    env: Path, capsys: pytest.CaptureFixture[str], flags: list[str], message: str
) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "Hit B", "--start", "2026-12-01", "--lesson-time", "18:30"]) == 0
    capsys.readouterr()
    assert main(["cohort", "schedule", "Hit B", *flags]) == 1
    assert message in capsys.readouterr().err
    cohort = stored(env, "hit b")
    assert (cohort.rest_days, cohort.observe_holidays, cohort.lesson_time) == (frozenset({5}), True, dt.time(18, 30))
