"""Domain services alone (no Telegram): invites, registration, roles, privacy."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.persistence import SqlPersistence
from bot.services.access import OPERATOR, Audience, Principal, resolve_principal
from bot.services.errors import DomainError, Problem
from bot.services.people import CohortService, PeopleService, RegistrationService, RoleService
from storage.conversation_state import USER_DATA
from storage.dto import CohortStatus, Role
from storage.uow import Database
from tests.conftest import COORDINATOR_ID


class MovableClock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


async def make_cohort(db: Database, clock: MovableClock, name: str = "Baghdad") -> tuple[CohortService, str, int]:
    cohorts = CohortService(db, clock)
    created = await cohorts.create(
        OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    return cohorts, created.invite.token, created.cohort.id


async def register(db: Database, clock: MovableClock, token: str, telegram_id: int, name: str = "Sara") -> None:
    await RegistrationService(db, clock).register(
        token=token, telegram_id=telegram_id, full_name=name, town="هيت", locale="ar"
    )


async def test_cohort_names_are_unique_after_normalising(db: Database, clock: MovableClock) -> None:
    await make_cohort(db, clock, "الرمادي")
    with pytest.raises(DomainError) as caught:
        await make_cohort(db, clock, "  الرمادى ")
    assert caught.value.problem is Problem.COHORT_EXISTS


async def test_registration_stores_nothing_until_consent(db: Database, clock: MovableClock) -> None:
    _cohorts, token, cohort_id = await make_cohort(db, clock)
    registration = RegistrationService(db, clock)
    check = await registration.check_invite(token, 501)
    assert check.cohort.id == cohort_id
    assert not check.registered
    assert not check.already_member
    async with db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(501) is None
    await register(db, clock, token, 501, "أحمد")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(501)
        assert person is not None
        assert (person.full_name, person.town, person.locale) == ("أحمد", "هيت", "ar")
        assert person.consent_at == clock.now
        invite = await uow.invites.by_token(token)
        assert invite is not None
        assert invite.uses == 1


@pytest.mark.parametrize("problem", ["unknown", "expired", "revoked", "used_up", "ended"])
async def test_unusable_invites_are_refused_and_store_nothing(db: Database, clock: MovableClock, problem: str) -> None:
    cohorts, token, cohort_id = await make_cohort(db, clock)
    if problem == "unknown":
        token = "nope"
    elif problem == "expired":
        clock.now += dt.timedelta(days=31)
    elif problem == "revoked":
        invite = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINEE)
        await cohorts.revoke_invite(OPERATOR, invite.id)
        token = invite.token
    elif problem == "used_up":
        invite = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINEE, max_uses=1)
        await register(db, clock, invite.token, 600)
        token = invite.token
    else:
        await cohorts.set_status(OPERATOR, cohort_id, CohortStatus.ENDED)
    expected = {
        "unknown": Problem.INVITE_NOT_FOUND,
        "expired": Problem.INVITE_EXPIRED,
        "revoked": Problem.INVITE_REVOKED,
        "used_up": Problem.INVITE_USED_UP,
        "ended": Problem.COHORT_ENDED,
    }[problem]
    with pytest.raises(DomainError) as caught:
        await register(db, clock, token, 601)
    assert caught.value.problem is expected
    async with db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(601) is None


async def test_second_cohort_and_already_member(db: Database, clock: MovableClock) -> None:
    _c, first, _ = await make_cohort(db, clock, "A")
    _c, second, second_id = await make_cohort(db, clock, "B")
    registration = RegistrationService(db, clock)
    await register(db, clock, first, 700)
    with pytest.raises(DomainError) as caught:
        await register(db, clock, first, 700)
    assert caught.value.problem is Problem.ALREADY_MEMBER
    check = await registration.check_invite(second, 700)
    assert check.registered
    assert not check.already_member
    joined = await registration.join(token=second, telegram_id=700)
    assert (joined.cohort.id, joined.role) == (second_id, Role.TRAINEE)
    assert (await registration.check_invite(second, 700)).already_member


async def test_trainer_invite_upgrades_a_trainee(db: Database, clock: MovableClock) -> None:
    cohorts, token, cohort_id = await make_cohort(db, clock)
    await register(db, clock, token, 800)
    trainer_invite = await cohorts.create_invite(OPERATOR, cohort_id, Role.TRAINER)
    joined = await RegistrationService(db, clock).join(token=trainer_invite.token, telegram_id=800)
    assert joined.role is Role.TRAINER
    assert joined.role_upgraded
    async with db.unit_of_work() as uow:
        principal = await resolve_principal(uow, 800, None, "ar")
    assert principal.can_manage(cohort_id)
    assert principal.allows(Audience.TRAINER)
    assert not principal.allows(Audience.COORDINATOR)


async def test_roles_and_principal(db: Database, clock: MovableClock) -> None:
    roles = RoleService(db, clock)
    assert await roles.coordinators() == [COORDINATOR_ID]  # seeded from BOT_COORDINATORS
    coordinator = Principal(telegram_id=COORDINATOR_ID, locale="en")
    assert await roles.grant_coordinator(coordinator, 55)
    assert not await roles.grant_coordinator(coordinator, 55)
    async with db.unit_of_work() as uow:
        principal = await resolve_principal(uow, 55, "en", "ar")
    assert principal.is_coordinator
    assert principal.locale == "en"
    assert principal.manageable() is None
    assert await roles.revoke_coordinator(coordinator, 55)
    assert not await roles.revoke_coordinator(coordinator, 55)


async def test_forget_deletes_person_memberships_and_drafts(db: Database, clock: MovableClock) -> None:
    _c, token, _ = await make_cohort(db, clock)
    await register(db, clock, token, 900)
    persistence = SqlPersistence(db)
    await persistence.update_user_data(900, {"registration": {"name": "x"}})
    await persistence.update_user_data(9000, {"keep": 1})
    await persistence.update_conversation("registration", (900, 900), 1)
    people = PeopleService(db, clock)
    data = await people.my_data(900)
    assert data.stored and data.name is not None
    assert [m.cohort for m in data.memberships] == ["Baghdad"]
    assert await people.forget(900)
    assert (await people.my_data(900)).empty
    assert not await people.forget(900)
    async with db.unit_of_work() as uow:
        assert await uow.state.load(USER_DATA) == {"9000": '{"keep": 1}'}
        assert await uow.state.load("conversation:registration") == {}
        assert (await uow.cohorts.summaries())[0].trainees == 0


async def test_blocked_status(db: Database, clock: MovableClock) -> None:
    _c, token, _ = await make_cohort(db, clock)
    await register(db, clock, token, 950)
    people = PeopleService(db, clock)
    assert await people.set_reachable(950, reachable=False)
    assert (await people.my_data(950)).status == "blocked"
    assert not await people.set_reachable(12345, reachable=False)
