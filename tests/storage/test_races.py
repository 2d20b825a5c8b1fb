"""Races on registration, roles and cohorts: each check-then-act runs with real concurrency (separate units of work on
one database) on SQLite and PostgreSQL; the losing side gets the ordinary answer, never a database error."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.access import OPERATOR, Principal
from bot.services.errors import Problem
from bot.services.people import CohortService, Joined, PeopleService, RegistrationService, RoleService
from storage.dto import Role
from storage.uow import Database
from tests.conftest import COORDINATOR_ID
from tests.racing import race

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)


def person(telegram_id: int) -> Principal:
    """Who acts in chat (the services read their role from the database)."""
    return Principal(telegram_id=telegram_id, locale="en")


def clock() -> dt.datetime:
    return NOW


async def new_cohort(db: Database, name: str = "Hit") -> tuple[CohortService, str, int]:
    cohorts = CohortService(db, clock)
    created = await cohorts.create(
        OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    return cohorts, created.invite.token, created.cohort.id


async def members(db: Database, cohort_id: int) -> list[int]:
    async with db.unit_of_work() as uow:
        return [person.telegram_id for _m, person in await uow.memberships.members(cohort_id)]


async def test_a_double_tap_on_consent_registers_once(db: Database) -> None:
    _cohorts, token, cohort_id = await new_cohort(db)
    registration = RegistrationService(db, clock)
    for telegram_id in range(700, 705):  # a few people, each tapping twice
        taps = [
            registration.register(token=token, telegram_id=telegram_id, full_name="Sara Ali", town="هيت", locale="ar")
            for _ in range(2)
        ]
        outcome = await race(db, *taps)
        assert [type(r) for r in outcome.results] == [Joined]
        assert outcome.problems == {Problem.ALREADY_MEMBER: 1}
    assert sorted(await members(db, cohort_id)) == list(range(700, 705))
    async with db.unit_of_work() as uow:
        invite = await uow.invites.by_token(token)
    assert invite is not None and invite.uses == 5


async def test_a_capped_invite_is_never_used_past_its_cap(db: Database) -> None:
    cohorts, _token, cohort_id = await new_cohort(db)
    invite = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINEE, max_uses=3)
    registration = RegistrationService(db, clock)
    outcome = await race(
        db,
        *[
            registration.register(token=invite.token, telegram_id=800 + n, full_name="Ali", town="هيت", locale="en")
            for n in range(10)
        ],
    )
    assert len(outcome.results) == 3
    assert outcome.problems == {Problem.INVITE_USED_UP: 7}
    assert len(await members(db, cohort_id)) == 3


async def test_a_double_tap_on_join_joins_once(db: Database) -> None:
    _c, first, _first_id = await new_cohort(db, "A")
    _c, second, second_id = await new_cohort(db, "B")
    registration = RegistrationService(db, clock)
    await registration.register(token=first, telegram_id=900, full_name="Sara Ali", town="هيت", locale="ar")
    outcome = await race(db, *[registration.join(token=second, telegram_id=900) for _ in range(3)])
    assert len(outcome.results) == 1
    assert outcome.problems == {Problem.ALREADY_MEMBER: 2}
    assert await members(db, second_id) == [900]


async def test_two_coordinators_revoking_each_other_leave_one(db: Database) -> None:
    roles = RoleService(db, clock)
    for other in range(2001, 2006):  # several rounds: the seeded coordinator and another revoke each other
        assert await roles.grant_coordinator(OPERATOR, other)
        remaining = await roles.coordinators()
        assert len(remaining) == 2
        first, second = remaining  # each revokes the other
        outcome = await race(
            db,
            roles.revoke_coordinator(person(second), first, keep_one=True),
            roles.revoke_coordinator(person(first), second, keep_one=True),
        )
        assert outcome.results == [True]
        assert outcome.problems == {Problem.LAST_COORDINATOR: 1}
        assert len(await roles.coordinators()) == 1


async def test_the_last_coordinator_cannot_be_revoked_but_others_can(db: Database) -> None:
    roles = RoleService(db, clock)
    assert await roles.coordinators() == [COORDINATOR_ID]
    outcome = await race(db, roles.revoke_coordinator(person(COORDINATOR_ID), COORDINATOR_ID, keep_one=True))
    assert outcome.problems == {Problem.LAST_COORDINATOR: 1}
    assert not await roles.revoke_coordinator(
        person(COORDINATOR_ID), 55, keep_one=True
    )  # not a coordinator: nothing to refuse
    assert await roles.coordinators() == [COORDINATOR_ID]


async def test_a_role_granted_at_once_by_several_is_granted_once(db: Database) -> None:
    roles = RoleService(db, clock)
    outcome = await race(db, *[roles.grant_coordinator(person(COORDINATOR_ID), 55) for _ in range(5)])
    assert sorted(outcome.results) == [False, False, False, False, True]
    assert await roles.coordinators() == [55, COORDINATOR_ID]


async def test_a_cohort_name_taken_at_the_same_time_makes_one_cohort(db: Database) -> None:
    cohorts = CohortService(db, clock)
    outcome = await race(
        db,
        *[
            cohorts.create(
                OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
            )
            for name in ("Ramadi", "ramadi", " RAMADI ", "Ramadi")
        ],
    )
    assert len(outcome.results) == 1
    assert outcome.problems == {Problem.COHORT_EXISTS: 3}
    assert [s.cohort.name for s in await cohorts.summaries(OPERATOR)] == [outcome.results[0].cohort.name]


@pytest.mark.parametrize("locales", [("ar", "en"), ("en", "en", "en")])
async def test_language_chosen_twice_at_once_by_a_new_coordinator_keeps_one_person(
    db: Database, locales: tuple[str, ...]
) -> None:
    """A coordinator never registered gets a bare row for their language (a stranger gets none: nothing before
    consent); two choices at once make one row."""
    async with db.unit_of_work() as uow:
        await uow.coordinators.grant(4242, clock())
        await uow.commit()
    people = PeopleService(db, clock)
    outcome = await race(db, *[people.set_locale(4242, locale) for locale in locales])
    assert outcome.results == [True] * len(locales)
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(4242)
    assert person is not None and person.locale in locales
    assert await people.set_locale(4343, "en") is False  # a stranger: nothing stored
