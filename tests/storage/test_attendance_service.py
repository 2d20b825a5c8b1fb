"""Attendance services alone (no Telegram): sessions, check-in codes and links, rotation, the wrong-code limit,
the roll's audit, and who was absent from the last session."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest

from bot.services.access import OPERATOR, Principal
from bot.services.attendance import CLOSED_KIND, CODE_KIND, AttendanceService, AttendanceSettings
from bot.services.errors import DomainError, Problem
from bot.services.people import CohortService, PeopleService, RoleService
from storage.attendance.dto import AttendanceStatus, Source
from storage.dto import CohortStatus, Role
from storage.uow import Database
from tests.crowd import enrol

T0 = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)  # 18:00 in Baghdad
COORDINATOR = Principal(telegram_id=1000, locale="en", is_coordinator=True)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0 - dt.timedelta(minutes=5))


def service(db: Database, clock: Clock, **settings: object) -> AttendanceService:
    return AttendanceService(db, AttendanceSettings(**settings), clock)  # type: ignore[arg-type]


async def cohort_with(db: Database, clock: Clock, name: str, first_id: int, count: int) -> tuple[int, list[int]]:
    """A cohort with `count` trainees (Telegram ids from first_id) who joined a week earlier; (cohort id, ids)."""
    created = await CohortService(db, clock).create(
        OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    ids = await enrol(db, created.cohort.id, first_id, count, joined=T0 - dt.timedelta(days=7), locale="en")
    return created.cohort.id, ids


async def person_id(db: Database, telegram_id: int) -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id


def problem(caught: pytest.ExceptionInfo[DomainError]) -> Problem:
    return caught.value.problem


async def test_sessions_are_validated_and_unique(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, _ids = await cohort_with(db, clock, "Hit", 100, 1)
    session = await attendance.add_session(
        OPERATOR, cohort_id, title="  Day 1:  storytelling ", starts_at=T0, place="Hall"
    )
    assert (session.title, session.place, session.starts_at) == ("Day 1: storytelling", "Hall", T0)
    with pytest.raises(DomainError) as caught:
        await attendance.add_session(OPERATOR, cohort_id, title="Day 1: storytelling", starts_at=T0)
    assert problem(caught) is Problem.SESSION_EXISTS
    with pytest.raises(DomainError) as caught:
        await attendance.add_session(OPERATOR, cohort_id, title="x" * 121, starts_at=T0)
    assert problem(caught) is Problem.SESSION_INVALID
    stranger = Principal(telegram_id=5, locale="en", trainer_of=frozenset({cohort_id + 1}))
    with pytest.raises(DomainError) as caught:
        await attendance.add_session(stranger, cohort_id, title="Day 2", starts_at=T0)
    assert problem(caught) is Problem.NOT_ALLOWED
    assert [s.title for s in await attendance.sessions(OPERATOR, cohort_id)] == ["Day 1: storytelling"]


async def test_check_in_opens_only_near_the_session_and_not_once_the_cohort_ended(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, _ids = await cohort_with(db, clock, "Hit Far", 150, 1)
    far = await attendance.add_session(OPERATOR, cohort_id, title="Next month", starts_at=T0 + dt.timedelta(days=30))
    with pytest.raises(DomainError) as caught:  # an old "which session?" button pressed weeks later
        await attendance.open_checkin(COORDINATOR, far.id)
    assert problem(caught) is Problem.CHECKIN_NOT_NEAR
    near = await attendance.add_session(OPERATOR, cohort_id, title="Tonight", starts_at=T0 + dt.timedelta(hours=11))
    assert (await attendance.open_checkin(COORDINATOR, near.id))[1]
    await CohortService(db, clock).set_status(OPERATOR, cohort_id, CohortStatus.ENDED)
    for attempt in (
        attendance.open_checkin(COORDINATOR, far.id),
        attendance.add_session(OPERATOR, cohort_id, title="After the end", starts_at=T0),
    ):
        with pytest.raises(DomainError) as caught:
            await attempt
        assert problem(caught) is Problem.COHORT_OVER
    async with db.unit_of_work() as uow:
        assert len(await uow.checkins.for_session(far.id)) == 0
    assert [s.title for s in await attendance.sessions(OPERATOR, cohort_id)] == ["Tonight", "Next month"]


async def test_code_check_in_present_late_and_once(db: Database, clock: Clock) -> None:
    attendance = service(db, clock, code_digits=5)
    cohort_id, (amal, badr) = await cohort_with(db, clock, "Ramadi", 200, 2)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, new = await attendance.open_checkin(COORDINATOR, session.id)
    assert new and len(view.checkin.code) == 5 and view.checkin.code.isdigit()
    assert view.checkin.closes_at == clock.now + dt.timedelta(minutes=15)
    again, new = await attendance.open_checkin(COORDINATOR, session.id)
    assert not new and again.checkin.id == view.checkin.id  # one open check-in per session

    arabic = view.checkin.code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    first = await attendance.check_in_code(amal, f" {arabic} ")  # Arabic-Indic digits are accepted
    assert (first.status, first.already) == (AttendanceStatus.PRESENT, False)
    repeat = await attendance.check_in_code(amal, view.checkin.code)
    assert (repeat.status, repeat.already) == (AttendanceStatus.PRESENT, True)
    clock.advance(minutes=16)  # 11 minutes after the start: late (the window is 15 minutes from opening)
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_code(badr, view.checkin.code)
    assert problem(caught) is Problem.CHECKIN_ENDED  # closed by time: "closed", not "wrong"
    assert caught.value.details["session"] == "Day 1"
    badr_id = await person_id(db, badr)
    async with db.unit_of_work() as uow:  # nothing recorded, and not counted as a guess
        assert await uow.attendance.get(session.id, badr_id) is None
        assert await uow.checkins.attempts_count(badr_id) == 0


async def test_late_after_the_threshold(db: Database, clock: Clock) -> None:
    attendance = service(db, clock, late_after=dt.timedelta(minutes=10))
    cohort_id, (amal, badr) = await cohort_with(db, clock, "Late", 250, 2)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    clock.now = T0 + dt.timedelta(minutes=9)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    assert (await attendance.check_in_code(amal, view.checkin.code)).status is AttendanceStatus.PRESENT
    clock.now = T0 + dt.timedelta(minutes=11)
    assert (await attendance.check_in_code(badr, view.checkin.code)).status is AttendanceStatus.LATE


async def test_codes_are_unique_among_open_check_ins(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, _ids = await cohort_with(db, clock, "Many", 300, 1)
    codes = set()
    for number in range(40):
        session = await attendance.add_session(OPERATOR, cohort_id, title=f"S{number}", starts_at=T0)
        view, _new = await attendance.open_checkin(COORDINATOR, session.id)
        codes.add(view.checkin.code)
    assert len(codes) == 40


async def test_wrong_codes_are_limited_and_the_limit_survives_a_restart(db: Database, clock: Clock) -> None:
    attendance = service(db, clock, max_wrong=5, wrong_window=dt.timedelta(minutes=10))
    cohort_id, (amal,) = await cohort_with(db, clock, "Falluja", 400, 1)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    wrong = "0000" if view.checkin.code != "0000" else "1111"
    lefts = []
    for _ in range(5):
        with pytest.raises(DomainError) as caught:
            await attendance.check_in_code(amal, wrong)
        lefts.append(caught.value.details["left"])
    assert lefts == [4, 3, 2, 1, 0]
    restarted = service(db, clock)  # a new process: the attempts are in the database
    with pytest.raises(DomainError) as caught:
        await restarted.check_in_code(amal, view.checkin.code)  # even the right code waits
    assert problem(caught) is Problem.CHECKIN_TOO_MANY_TRIES
    assert caught.value.details["minutes"] == 10
    clock.advance(minutes=10, seconds=1)
    view, _new = await restarted.open_checkin(COORDINATOR, session.id)
    assert (await restarted.check_in_code(amal, view.checkin.code)).status is not None


async def test_link_check_in_needs_membership_and_an_open_check_in(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, (amal,) = await cohort_with(db, clock, "Diyala", 500, 1)
    _other, (zaid,) = await cohort_with(db, clock, "Baghdad", 510, 1)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_link(zaid, view.checkin.token)
    assert problem(caught) is Problem.CHECKIN_NOT_MEMBER
    with pytest.raises(DomainError) as caught:  # a code of another cohort's check-in: said so, counted as wrong
        await attendance.check_in_code(zaid, view.checkin.code)
    assert problem(caught) is Problem.CHECKIN_NOT_MEMBER and caught.value.details["cohort"] == "Diyala"
    zaid_id = await person_id(db, zaid)
    async with db.unit_of_work() as uow:
        assert await uow.attendance.for_session(session.id) == {}
        assert await uow.checkins.attempts_count(zaid_id) == 1
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_link(1_234_567, view.checkin.token)  # never registered
    assert problem(caught) is Problem.PERSON_NOT_FOUND
    await attendance.close(COORDINATOR, view.checkin.id)
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_link(amal, view.checkin.token)
    assert problem(caught) is Problem.CHECKIN_CLOSED


async def test_rotation_replaces_code_and_link_and_plans_the_new_display(db: Database, clock: Clock) -> None:
    attendance = service(db, clock, rotate_every=dt.timedelta(minutes=2))
    planned: list[int] = []
    attendance.on_planned = lambda: planned.append(1)
    cohort_id, (amal, badr, carim) = await cohort_with(db, clock, "Rotating", 600, 3)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id, rotate=True)
    old = view.checkin
    assert old.rotate_minutes == 2
    await attendance.set_display(COORDINATOR, old.id, 1000, 77)
    assert not await attendance.rotate_due(old.id)  # not due yet
    assert [a.what for a in await attendance.alarms()] == ["close", "rotate"]
    clock.advance(minutes=2)
    assert await attendance.rotate_due(old.id)
    new = (await attendance.view(COORDINATOR, old.id)).checkin
    assert (new.generation, new.code != old.code, new.token != old.token) == (1, True, True)
    assert (new.previous_code, new.previous_token) == (old.code, old.token)
    async with db.unit_of_work() as uow:
        rows = await uow.deliveries.of_kind(CODE_KIND)
    assert [(r.chat_id, r.key, json.loads(r.payload)["generation"]) for r in rows] == [(1000, f"ci_code:{old.id}:1", 1)]
    assert planned == [1]

    clock.advance(seconds=30)  # the replaced code still works for a short grace: it was on the screen a moment ago
    assert (await attendance.check_in_code(amal, old.code)).status is AttendanceStatus.PRESENT
    clock.advance(seconds=40)  # past the grace: "expired", and not counted against the wrong-code limit
    for attempt in (attendance.check_in_code(badr, old.code), attendance.check_in_link(badr, old.token)):
        with pytest.raises(DomainError) as caught:
            await attempt
        assert problem(caught) is Problem.CHECKIN_CODE_EXPIRED
    async with db.unit_of_work() as uow:
        assert await uow.checkins.attempts_count(await person_id(db, badr)) == 0
    assert (await attendance.check_in_link(badr, new.token)).status is AttendanceStatus.PRESENT

    clock.advance(minutes=3)  # the bot was down over a rotation: the code expired, nothing works until rotated
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_code(carim, new.code)
    assert problem(caught) is Problem.CHECKIN_CODE_EXPIRED
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_link(carim, new.token)
    assert problem(caught) is Problem.CHECKIN_CODE_EXPIRED
    carim_id = await person_id(db, carim)
    async with db.unit_of_work() as uow:
        assert await uow.attendance.get(session.id, carim_id) is None
        assert await uow.checkins.attempts_count(carim_id) == 0


async def test_closing_alarm_plans_a_summary_once(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, _ids = await cohort_with(db, clock, "Closing", 700, 1)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    await attendance.set_display(COORDINATOR, view.checkin.id, 1000, 5)
    assert not await attendance.close_due(view.checkin.id)
    clock.advance(minutes=15)
    assert await attendance.close_due(view.checkin.id)
    assert not await attendance.close_due(view.checkin.id)
    async with db.unit_of_work() as uow:
        assert len(await uow.deliveries.of_kind(CLOSED_KIND)) == 1
    assert await attendance.alarms() == []


async def test_check_ins_are_capped_at_the_cohort_size(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, (amal, badr, chadi) = await cohort_with(db, clock, "Capped", 800, 3)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    await attendance.check_in_code(amal, view.checkin.code)
    await attendance.check_in_code(badr, view.checkin.code)
    people = [await person_id(db, telegram_id) for telegram_id in (amal, badr)]
    async with db.unit_of_work() as uow:  # two of them became trainers meanwhile: one trainee left
        for person in people:
            membership = await uow.memberships.get(person, cohort_id)
            assert membership is not None
            await uow.memberships.set_role(membership.id, Role.TRAINER)
        await uow.commit()
    with pytest.raises(DomainError) as caught:
        await attendance.check_in_code(chadi, view.checkin.code)
    assert problem(caught) is Problem.CHECKIN_FULL


async def test_roll_changes_are_audited_with_who_when_before_after_and_note(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, (amal, badr) = await cohort_with(db, clock, "Roll", 900, 2)
    trainer_id = 950
    async with db.unit_of_work() as uow:
        trainer = await uow.people.add(trainer_id, T0, "en")
        await uow.memberships.add(trainer.id, cohort_id, Role.TRAINER, T0)
        await uow.commit()
    trainer_principal = Principal(
        telegram_id=trainer_id, locale="en", person=trainer, trainer_of=frozenset({cohort_id})
    )
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(trainer_principal, session.id)
    await attendance.check_in_code(amal, view.checkin.code)
    amal_id, badr_id = await person_id(db, amal), await person_id(db, badr)

    clock.advance(minutes=30)
    change = await attendance.mark(trainer_principal, session.id, badr_id, AttendanceStatus.EXCUSED, "sick  today")
    assert change is not None
    assert (change.before, change.after, change.changed_by, change.note) == (
        None,
        AttendanceStatus.EXCUSED,
        trainer.id,
        "sick today",
    )
    assert change.changed_at == clock.now
    assert await attendance.mark(trainer_principal, session.id, badr_id, AttendanceStatus.EXCUSED) is None
    change = await attendance.mark(trainer_principal, session.id, amal_id, AttendanceStatus.LATE)
    assert change is not None and (change.before, change.after) == (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
    with pytest.raises(DomainError) as caught:
        await attendance.mark(trainer_principal, session.id, trainer.id, AttendanceStatus.PRESENT)
    assert problem(caught) is Problem.NOT_TRAINEE_OF_COHORT  # trainers are not on the roll

    roll = await attendance.roll(trainer_principal, session.id)
    assert {e.trainee.person_id: e.status for e in roll.entries} == {
        amal_id: AttendanceStatus.LATE,
        badr_id: AttendanceStatus.EXCUSED,
    }
    async with db.unit_of_work() as uow:
        changes = await uow.attendance.changes([session.id])
    assert [(c.person_id, c.source, c.before, c.after) for c in changes] == [
        (amal_id, Source.CHECKIN, None, AttendanceStatus.PRESENT),
        (badr_id, Source.ROLL, None, AttendanceStatus.EXCUSED),
        (amal_id, Source.ROLL, AttendanceStatus.PRESENT, AttendanceStatus.LATE),
    ]


async def test_absent_from_last_session(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, ids = await cohort_with(db, clock, "Absent", 1100, 4)
    amal, badr, chadi, dana = [await person_id(db, i) for i in ids]
    assert await attendance.absent_from_last_session(cohort_id) is None  # no session at all

    first = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0 - dt.timedelta(days=1))
    await attendance.add_session(OPERATOR, cohort_id, title="Day 3", starts_at=T0 + dt.timedelta(days=1))  # not yet
    assert await attendance.absent_from_last_session(cohort_id) is None  # begun, but no check-in nor roll

    await attendance.mark(COORDINATOR, first.id, amal, AttendanceStatus.PRESENT)
    assert await attendance.absent_from_last_session(cohort_id) == frozenset({badr, chadi, dana})

    second = await attendance.add_session(OPERATOR, cohort_id, title="Day 2", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, second.id)  # a check-in opened before it began
    assert await attendance.absent_from_last_session(cohort_id) == frozenset({badr, chadi, dana})  # not begun
    clock.now = T0 + dt.timedelta(minutes=1)
    await attendance.check_in_code(ids[1], view.checkin.code)
    await attendance.mark(COORDINATOR, second.id, chadi, AttendanceStatus.EXCUSED)
    await attendance.mark(COORDINATOR, second.id, dana, AttendanceStatus.ABSENT)
    assert await attendance.absent_from_last_session(cohort_id) == frozenset({amal, dana})


async def test_absent_from_last_session_works_inside_an_open_unit_of_work(db: Database, clock: Clock) -> None:
    """Broadcast targeting asks while its own unit of work (holding SQLite's write lock) is open."""
    attendance = service(db, clock)
    cohort_id, ids = await cohort_with(db, clock, "Nested", 1200, 2)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0 - dt.timedelta(hours=1))
    await attendance.mark(COORDINATOR, session.id, await person_id(db, ids[0]), AttendanceStatus.LATE)
    absent = await person_id(db, ids[1])
    async with db.unit_of_work() as uow:
        await uow.people.set_locale(absent, "ar")  # a write: this task now holds the lock
        assert await asyncio.wait_for(attendance.absent_from_last_session(cohort_id), 5) == frozenset({absent})
        await uow.commit()


async def test_forgetting_the_opener_drops_the_chat_of_the_check_in_message(db: Database, clock: Clock) -> None:
    attendance = service(db, clock)
    cohort_id, _ids = await cohort_with(db, clock, "Forget", 1300, 1)
    session = await attendance.add_session(OPERATOR, cohort_id, title="Day 1", starts_at=T0)
    opener = Principal(telegram_id=1301, locale="en", is_coordinator=True)
    assert await RoleService(db, clock).grant_coordinator(
        OPERATOR, 1301
    )  # the services read the role from the database
    view, _new = await attendance.open_checkin(opener, session.id)
    await attendance.set_display(opener, view.checkin.id, 1301, 9)
    assert await PeopleService(db, clock).forget(1301)
    after = (await attendance.view(COORDINATOR, view.checkin.id)).checkin
    assert (after.chat_id, after.message_id, after.opened_by) == (None, None, None)
