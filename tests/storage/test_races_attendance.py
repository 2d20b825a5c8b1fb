"""Races on attendance, on SQLite and PostgreSQL: wrong codes past the limit, the roll against a check-in, the same
check-in twice, a check-in opened twice, a session added twice. Each racing call has its own unit of work."""

from __future__ import annotations

import datetime as dt

from bot.services.access import OPERATOR, Principal
from bot.services.attendance import AttendanceService, AttendanceSettings
from bot.services.errors import Problem
from bot.services.people import CohortService
from storage.attendance.dto import AttendanceStatus, CheckinDTO, SessionDTO
from storage.uow import Database
from tests.crowd import enrol
from tests.racing import race

T0 = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)
COORDINATOR = Principal(telegram_id=1000, locale="en", is_coordinator=True)  # never registered: a bare row is made


def clock() -> dt.datetime:
    return T0 - dt.timedelta(minutes=5)


async def checkin_for(
    db: Database, trainees: int, **settings: object
) -> tuple[AttendanceService, list[int], CheckinDTO]:
    """A cohort with trainees (Telegram ids from 100), a session at T0 and its open check-in."""
    attendance = AttendanceService(db, AttendanceSettings(**settings), clock)  # type: ignore[arg-type]
    created = await CohortService(db, clock).create(
        OPERATOR, name="Hit", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    ids = await enrol(db, created.cohort.id, 100, trainees, joined=T0 - dt.timedelta(days=7), locale="en")
    session = await attendance.add_session(OPERATOR, created.cohort.id, title="Day 1", starts_at=T0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    return attendance, ids, view.checkin


async def person_ids(db: Database, telegram_ids: list[int]) -> list[int]:
    async with db.unit_of_work() as uow:
        people = [await uow.people.by_telegram_id(telegram_id) for telegram_id in telegram_ids]
    return [person.id for person in people if person is not None]


async def test_thirty_wrong_codes_at_once_count_exactly_the_limit(db: Database) -> None:
    attendance, (amal,), checkin = await checkin_for(db, 1, max_wrong=5)
    wrong = "0000" if checkin.code != "0000" else "1111"
    outcome = await race(db, *[attendance.check_in_code(amal, wrong) for _ in range(30)])
    assert outcome.problems == {Problem.CHECKIN_WRONG_CODE: 5, Problem.CHECKIN_TOO_MANY_TRIES: 25}
    lefts = sorted(e.details["left"] for e in outcome.refusals if e.problem is Problem.CHECKIN_WRONG_CODE)
    assert lefts == [0, 1, 2, 3, 4]
    (person,) = await person_ids(db, [amal])
    async with db.unit_of_work() as uow:
        assert await uow.checkins.attempts_count(person) == 5


async def test_the_roll_and_check_ins_at_the_same_time_make_one_audited_record_each(db: Database) -> None:
    attendance, ids, checkin = await checkin_for(db, 12)
    people = await person_ids(db, ids)
    calls = []
    for index, (telegram_id, person) in enumerate(zip(ids, people, strict=True)):
        mark = attendance.mark(COORDINATOR, checkin.session_id, person, AttendanceStatus.EXCUSED)
        scan = attendance.check_in_code(telegram_id, checkin.code)
        calls += [mark, scan] if index % 2 else [scan, mark]  # either may start first
    outcome = await race(db, *calls)
    assert not outcome.refusals
    async with db.unit_of_work() as uow:
        records = await uow.attendance.for_session(checkin.session_id)
        changes = await uow.attendance.changes([checkin.session_id])
    assert sorted(records) == sorted(people)
    for person in people:  # the audit trail is a chain: each change starts from what the one before left
        trail = [c for c in changes if c.person_id == person]
        assert len(trail) == 2
        assert trail[0].before is None
        assert trail[1].before is trail[0].after
        assert records[person].status is trail[1].after


async def test_a_double_scan_records_one_check_in(db: Database) -> None:
    attendance, (amal, _badr), checkin = await checkin_for(db, 2)
    outcome = await race(db, *[attendance.check_in_code(amal, checkin.code) for _ in range(4)])
    assert sorted(result.already for result in outcome.results) == [False, True, True, True]
    view = await attendance.view(COORDINATOR, checkin.id)
    assert view.checked_in == 1
    async with db.unit_of_work() as uow:
        assert len(await uow.attendance.changes([checkin.session_id])) == 1


async def test_a_check_in_opened_twice_at_once_is_one_check_in(db: Database) -> None:
    attendance, _ids, first = await checkin_for(db, 1)
    _first, cohort = await attendance.session(COORDINATOR, first.session_id)
    session = await attendance.add_session(OPERATOR, cohort.id, title="Day 2", starts_at=T0 + dt.timedelta(hours=1))
    outcome = await race(db, *[attendance.open_checkin(COORDINATOR, session.id) for _ in range(4)])
    assert sorted(new for _view, new in outcome.results) == [False, False, False, True]
    assert len({view.checkin.id for view, _new in outcome.results}) == 1
    async with db.unit_of_work() as uow:
        assert len(await uow.checkins.for_session(session.id)) == 1


async def test_a_session_added_twice_at_once_is_one_session(db: Database) -> None:
    attendance, _ids, checkin = await checkin_for(db, 1)
    _session, cohort = await attendance.session(COORDINATOR, checkin.session_id)
    titles = [f"Day {day}" for day in range(2, 7)]
    for day, title in enumerate(titles, start=1):  # several rounds: the window between check and insert is small
        later = T0 + dt.timedelta(days=day)
        outcome = await race(
            db, *[attendance.add_session(OPERATOR, cohort.id, title=title, starts_at=later) for _ in range(4)]
        )
        assert [type(r) for r in outcome.results] == [SessionDTO]
        assert outcome.problems == {Problem.SESSION_EXISTS: 3}
    assert [s.title for s in await attendance.sessions(OPERATOR, cohort.id)] == ["Day 1", *titles]
