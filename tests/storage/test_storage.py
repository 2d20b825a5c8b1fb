"""Storage on a real database (SQLite file; PostgreSQL too when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from bot.persistence import SqlPersistence
from storage import migrate
from storage.dto import PersonStatus, Role
from storage.uow import Database

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


async def test_every_migration_upgrades_and_downgrades(empty_database_url: str) -> None:
    database = Database(empty_database_url)
    try:
        revisions = migrate.revisions()
        assert revisions, "no migrations found"
        for revision in revisions:
            await migrate.upgrade(database.engine, revision)
            assert await migrate.current_revision(database.engine) == revision
        async with database.engine.connect() as conn:
            tables = set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))
        assert {"people", "cohorts", "memberships", "coordinators", "invites", "bot_state"} <= tables
        for previous in [*reversed(revisions[:-1]), "base"]:
            await migrate.downgrade(database.engine, "-1")
            assert await migrate.current_revision(database.engine) == (None if previous == "base" else previous)
        await migrate.upgrade(database.engine)
        assert await migrate.current_revision(database.engine) == revisions[-1]
    finally:
        await database.dispose()


async def test_migrations_match_the_models(empty_database_url: str) -> None:
    """What autogenerate would write after `upgrade head` is nothing: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import storage.attendance.models
    import storage.campaigns.models  # noqa: F401  (their tables join Base.metadata)
    from storage.models import Base

    database = Database(empty_database_url)
    try:
        await migrate.upgrade(database.engine)
        async with database.engine.connect() as conn:
            diff = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
        assert diff == []
    finally:
        await database.dispose()


async def test_sqlite_connection_pragmas(db: Database) -> None:
    if not db.url.startswith("sqlite"):
        pytest.skip("SQLite only")
    async with db.engine.connect() as conn:
        journal = (await conn.exec_driver_sql("PRAGMA journal_mode")).scalar()
        keys = (await conn.exec_driver_sql("PRAGMA foreign_keys")).scalar()
        busy = (await conn.exec_driver_sql("PRAGMA busy_timeout")).scalar()
    assert (journal, keys) == ("wal", 1)
    assert busy and busy >= 5000


async def test_repositories_return_dataclasses_and_commit_only_via_uow(db: Database) -> None:
    async with db.unit_of_work() as uow:
        person = await uow.people.add(42, NOW, "en")
        cohort = await uow.cohorts.add(
            name="Baghdad",
            name_key="baghdad",
            timezone="Asia/Baghdad",
            start_date=dt.date(2026, 12, 1),
            lesson_time=dt.time(18, 0),
            now=NOW,
        )
        await uow.memberships.add(person.id, cohort.id, Role.TRAINEE, NOW)
        # no commit: leaving the block rolls everything back
    async with db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(42) is None

    async with db.unit_of_work() as uow:
        person = await uow.people.add(42, NOW, "en")
        cohort = await uow.cohorts.add(
            name="Baghdad",
            name_key="baghdad",
            timezone="Asia/Baghdad",
            start_date=dt.date(2026, 12, 1),
            lesson_time=dt.time(18, 0),
            now=NOW,
        )
        await uow.memberships.add(person.id, cohort.id, Role.TRAINEE, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        stored = await uow.people.by_telegram_id(42)
        assert stored is not None
        assert stored.status is PersonStatus.ACTIVE
        assert stored.created_at == NOW and stored.created_at.tzinfo is not None
        summaries = await uow.cohorts.summaries()
        assert [(s.cohort.name, s.trainees, s.trainers) for s in summaries] == [("Baghdad", 1, 0)]
        members = await uow.memberships.members(cohort.id)
        assert [p.telegram_id for _m, p in members] == [42]


async def test_deleting_a_person_cascades_to_memberships(db: Database) -> None:
    async with db.unit_of_work() as uow:
        person = await uow.people.add(7, NOW)
        cohort = await uow.cohorts.add(
            name="X", name_key="x", timezone="UTC", start_date=dt.date(2026, 1, 1), lesson_time=dt.time(9), now=NOW
        )
        await uow.memberships.add(person.id, cohort.id, Role.TRAINEE, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        await uow.people.delete(person.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert (await uow.cohorts.summaries())[0].trainees == 0


async def test_invite_use_is_capped_atomically(db: Database) -> None:
    async with db.unit_of_work() as uow:
        cohort = await uow.cohorts.add(
            name="X", name_key="x", timezone="UTC", start_date=dt.date(2026, 1, 1), lesson_time=dt.time(9), now=NOW
        )
        invite = await uow.invites.add(
            token="tok", cohort_id=cohort.id, role=Role.TRAINEE, expires_at=None, max_uses=2, now=NOW
        )
        assert await uow.invites.use(invite.id)
        assert await uow.invites.use(invite.id)
        assert not await uow.invites.use(invite.id)
        await uow.commit()
    async with db.unit_of_work() as uow:
        stored = await uow.invites.by_token("tok")
        assert stored is not None
        assert stored.uses == 2
        assert stored.problem(NOW) == "used_up"


async def test_unique_telegram_id_and_errors_hide_parameters(db: Database) -> None:
    async with db.unit_of_work() as uow:
        await uow.people.add(5, NOW, "qzx")  # fits the column on PostgreSQL too (locale is varchar(8))
        with pytest.raises(IntegrityError) as caught:
            await uow.people.add(5, NOW, "qzx")
    assert "qzx" not in str(caught.value)  # SQL parameters never reach logs


async def test_naive_datetimes_are_refused(db: Database) -> None:
    async with db.unit_of_work() as uow:
        with pytest.raises(Exception, match="naive"):
            await uow.people.add(9, dt.datetime(2026, 1, 1))


async def test_persistence_round_trip(db: Database) -> None:
    persistence = SqlPersistence(db)
    await persistence.update_conversation("registration", (5, 5), 2)
    await persistence.update_user_data(5, {"registration": {"name": "سارة"}})
    assert await persistence.get_conversations("registration") == {(5, 5): 2}
    assert await persistence.get_user_data() == {5: {"registration": {"name": "سارة"}}}
    await persistence.update_conversation("registration", (5, 5), None)
    await persistence.update_user_data(5, {})
    assert await persistence.get_conversations("registration") == {}
    assert await persistence.get_user_data() == {}
