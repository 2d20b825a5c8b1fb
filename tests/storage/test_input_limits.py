"""Length and range limits on what people type, checked on the normalised value: the services' own checks
(invites, session dates), the CLI flags, and migration 0008 on a database with data. The parsers and the checks
that need no database are in tests/unit/test_input_limits.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from bot.cli import main
from bot.cli.common import CliError, parse_expiry
from bot.parsing import (
    NAME_KEY_MAX,
)
from bot.services.access import OPERATOR
from bot.services.attendance import AttendanceService
from bot.services.errors import DomainError, Problem
from bot.services.people import INVITE_DAYS_MAX, INVITE_USES_MAX, CohortService, RegistrationService
from storage import migrate
from storage.dto import Role
from storage.uow import Database
from tests.crowd import enrol
from tests.storage.test_cli import env, remember_username  # noqa: F401  (the CLI's database fixture)

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
BAGHDAD = "Asia/Baghdad"


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


# -------------------------------------------------------------------------------------------------- names


async def test_services_refuse_names_whose_key_would_not_fit(db: Database) -> None:
    cohorts = CohortService(db, Clock())
    with pytest.raises(DomainError) as caught:
        await cohorts.create(
            OPERATOR,
            name=" ".join(["ﷺ"] * 32),
            start_date=dt.date(2026, 12, 1),
            lesson_time=dt.time(18),
            timezone=BAGHDAD,
        )
    assert caught.value.problem is Problem.NAME_INVALID
    created = await cohorts.create(
        OPERATOR, name="ﷺ " * 10 + "Hit", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone=BAGHDAD
    )
    registration = RegistrationService(db, Clock())
    with pytest.raises(DomainError) as caught:
        await registration.register(
            token=created.invite.token, telegram_id=77, full_name="ﷺ" * 20, town="هيت", locale="ar"
        )
    assert caught.value.problem is Problem.NAME_INVALID
    await registration.register(token=created.invite.token, telegram_id=77, full_name="ﷺ" * 13, town="هيت", locale="ar")


async def test_cohort_start_dates_stay_within_three_years(db: Database) -> None:
    cohorts = CohortService(db, Clock())
    for start in (dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2031, 1, 1)):
        with pytest.raises(DomainError) as caught:
            await cohorts.create(
                OPERATOR, name=f"C{start.year}", start_date=start, lesson_time=dt.time(18), timezone=BAGHDAD
            )
        assert caught.value.problem is Problem.START_DATE_RANGE


# ---------------------------------------------------------------------------------------- moments and dates


async def test_session_dates_stay_within_three_years(db: Database) -> None:
    cohorts = CohortService(db, Clock())
    created = await cohorts.create(
        OPERATOR, name="Sessions", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone=BAGHDAD
    )
    attendance = AttendanceService(db, clock=Clock())
    for year in (1, 9999):
        starts = dt.datetime(year, 1 if year == 1 else 12, 1 if year == 1 else 31, 0, 30, tzinfo=ZoneInfo(BAGHDAD))
        with pytest.raises(DomainError) as caught:
            await attendance.add_session(OPERATOR, created.cohort.id, title="Day 1", starts_at=starts)
        assert (caught.value.problem, caught.value.details.get("field")) == (Problem.SESSION_INVALID, "date")


async def test_an_over_long_check_in_code_is_a_wrong_code(db: Database) -> None:
    cohorts = CohortService(db, Clock())
    created = await cohorts.create(
        OPERATOR, name="Codes", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone=BAGHDAD
    )
    await enrol(db, created.cohort.id, 7801, 1, joined=NOW, locale="en")
    with pytest.raises(DomainError) as caught:
        await AttendanceService(db, clock=Clock()).check_in_code(7801, "٩" * 5000)
    assert caught.value.problem is Problem.CHECKIN_WRONG_CODE


# ------------------------------------------------------------------------------------------------- invites


async def test_invite_defaults_and_limits(db: Database) -> None:
    clock = Clock()
    cohorts = CohortService(db, clock)
    created = await cohorts.create(
        OPERATOR, name="Invites", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone=BAGHDAD
    )
    cohort_id = created.cohort.id
    assert (created.invite.max_uses, created.invite.expires_at) == (None, NOW + dt.timedelta(days=30))
    trainer = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINER)
    assert (trainer.max_uses, trainer.expires_at) == (1, NOW + dt.timedelta(days=7))
    trainee = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINEE)
    assert (trainee.max_uses, trainee.expires_at) == (None, NOW + dt.timedelta(days=30))
    chosen = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINER, days=14, max_uses=3)
    assert (chosen.max_uses, chosen.expires_at) == (3, NOW + dt.timedelta(days=14))
    for options in (
        {"days": 0},
        {"days": INVITE_DAYS_MAX + 1},
        {"max_uses": 0},
        {"max_uses": INVITE_USES_MAX + 1},
        {"expires_at": NOW - dt.timedelta(minutes=1)},
        {"expires_at": NOW + dt.timedelta(days=INVITE_DAYS_MAX, minutes=1)},
    ):
        with pytest.raises(DomainError) as caught:
            await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINER, **options)  # type: ignore[arg-type]
        assert caught.value.problem is Problem.INVITE_LIMITS
    assert len(await cohorts.invites(OPERATOR, cohort_id)) == 4


# --------------------------------------------------------------------------------------------------- CLI


def test_cli_expiry_and_ids_are_bounded(env: Path, capsys: pytest.CaptureFixture[str]) -> None:  # noqa: F811
    zone, now = ZoneInfo(BAGHDAD), dt.datetime.now(dt.UTC)
    assert parse_expiry("٧d", zone, now) == now + dt.timedelta(days=7)
    for bad in ("99999999999d", "366d", "0d", "9999-12-31", "0001-01-01"):
        with pytest.raises(CliError):
            parse_expiry(bad, zone, now)
    assert main(["migrate"]) == 0
    remember_username(env)
    start = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    assert main(["cohort", "create", "Hit CLI", "--start", start, "--lesson-time", "18:30"]) == 0
    capsys.readouterr()
    assert main(["invite", "create", "--cohort", "hit cli", "--role", "trainer"]) == 0
    assert "max_uses=1" in capsys.readouterr().out
    assert main(["invite", "create", "--cohort", "hit cli", "--max-uses", "99999999999999999999"]) == 1
    assert main(["invite", "create", "--cohort", "hit cli", "--max-uses", "٣"]) == 0
    assert "max_uses=3" in capsys.readouterr().out
    assert main(["role", "grant", "12345678901234567890123", "coordinator"]) == 1
    assert "USER_ID" in capsys.readouterr().err
    assert main(["cohort", "create", "Y2", "--start", "9999-01-01", "--lesson-time", "18:30"]) == 1
    assert main(["cohort", "create", "ﷺ " * 31 + "ﷺ", "--start", start, "--lesson-time", "18:30"]) == 1
    assert main(["cohort", "schedule", "Hit CLI", "--rest-days", "²"]) == 1
    assert "--rest-days" in capsys.readouterr().err
    session = ["session", "add", "--cohort", "Hit CLI", "--time", "00:30", "--title", "Day 1"]
    assert main([*session, "--date", "0001-01-01"]) == 1
    assert "--date: expected a date within" in capsys.readouterr().err
    assert main([*session, "--date", start]) == 0


# ---------------------------------------------------------------------------------------------- migration


async def test_migration_0008_keeps_every_row_and_widens_the_keys(empty_database_url: str) -> None:
    """On SQLite a table rebuild would drop `people` with foreign keys on, and cascade into memberships."""
    database = Database(empty_database_url)
    try:
        await migrate.upgrade(database.engine, "0007")
        async with database.engine.begin() as conn:
            await conn.execute(text(
                "INSERT INTO people (id, telegram_id, full_name, name_key, status, created_at) "
                "VALUES (1, 42, 'Sara', 'sara', 'active', '2026-11-25 09:00:00+00')"
            ))  # fmt: skip
            await conn.execute(text(
                "INSERT INTO cohorts (id, name, name_key, timezone, start_date, lesson_time, status, created_at, "
                "rest_days, observe_holidays, lessons_planned) VALUES (1, 'Hit', 'hit', 'Asia/Baghdad', '2026-12-01', "
                "'18:00:00', 'active', '2026-11-25 09:00:00+00', '5', true, 0)"
            ))  # fmt: skip
            await conn.execute(text(
                "INSERT INTO memberships (id, person_id, cohort_id, role, joined_at) "
                "VALUES (1, 1, 1, 'trainee', '2026-11-25 09:00:00+00')"
            ))  # fmt: skip
        await migrate.upgrade(database.engine, "0008")
        long_key = "ﷺ" * NAME_KEY_MAX
        async with database.engine.begin() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM memberships"))).scalar_one() == 1
            await conn.execute(text("UPDATE people SET name_key = :key"), {"key": long_key})
            await conn.execute(text("UPDATE cohorts SET name_key = :key"), {"key": long_key})
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SELECT name_key FROM people"))).scalar_one() == long_key
            if empty_database_url.startswith("sqlite"):
                assert (await conn.execute(text("PRAGMA integrity_check"))).scalar_one() == "ok"
                assert (await conn.execute(text("PRAGMA foreign_key_check"))).all() == []
        async with database.engine.begin() as conn:
            await conn.execute(text("UPDATE people SET name_key = 'sara'"))
            await conn.execute(text("UPDATE cohorts SET name_key = 'hit'"))
        await migrate.downgrade(database.engine, "0007")
        async with database.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM memberships"))).scalar_one() == 1
    finally:
        await database.dispose()
