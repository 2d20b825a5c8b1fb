"""Attendance queries without Telegram: reading "/attendance <cohort> <session or date>" (cohort names with spaces,
any digits), the cohorts overview, who is absent twice or more (excused people are not absent), one session's names
by state, closing open check-ins, and the late, capacity and excused rules."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.services.access import OPERATOR, Principal
from bot.services.attendance import AttendanceReports, AttendanceService, AttendanceSettings, CheckinView
from bot.services.attendance.lookup import By, find_sessions, split_cohort
from bot.services.errors import DomainError, Problem
from bot.services.people import CohortService
from storage.attendance.dto import AttendanceStatus, SessionDTO
from storage.dto import CohortDTO, CohortStatus
from storage.uow import Database
from tests.crowd import add_trainer
from tests.storage.test_attendance_exports import people

T0 = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)  # Thursday 3 December 2026, 18:00 in Baghdad
NOW = T0 + dt.timedelta(days=10)
COORDINATOR = Principal(telegram_id=1000, locale="en", is_coordinator=True)
P, L, E, A = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT


def clock() -> dt.datetime:
    return NOW


def cohort_named(name: str, cohort_id: int) -> CohortDTO:
    return CohortDTO(
        id=cohort_id,
        name=name,
        timezone="Asia/Baghdad",
        start_date=dt.date(2026, 12, 1),
        lesson_time=dt.time(18),
        status=CohortStatus.ACTIVE,
        created_at=T0,
    )


def session_at(session_id: int, title: str, starts: dt.datetime, held: bool = True) -> SessionDTO:
    return SessionDTO(
        id=session_id,
        cohort_id=1,
        title=title,
        place=None,
        starts_at=starts,
        created_at=T0,
        roll_taken_at=starts if held else None,
    )


def test_the_longest_leading_run_of_words_names_the_cohort() -> None:
    hit, hit_youth, arabic = cohort_named("Hit", 1), cohort_named("Hit Youth 2026", 2), cohort_named("دفعة أهل هيت", 3)
    cohorts = [hit, hit_youth, arabic]
    assert split_cohort("Hit", cohorts) == (hit, "")
    assert split_cohort("hit  youth 2026", cohorts) == (hit_youth, "")
    assert split_cohort("Hit Youth 2026 3", cohorts) == (hit_youth, "3")
    assert split_cohort("Hit Youth 3/12/2026", cohorts) == (hit, "Youth 3/12/2026")
    assert split_cohort("HIT YOUTH ٢٠٢٦ Day 1", cohorts) == (hit_youth, "Day 1")  # Arabic-Indic digits in the name
    assert split_cohort("دفعه اهل هيت ٢", cohorts) == (arabic, "٢")  # alef and ta marbuta forms fold
    assert split_cohort("Ramadi", cohorts) is None
    assert split_cohort("", cohorts) is None


def test_a_session_by_number_date_in_any_digits_or_title() -> None:
    zone = "Asia/Baghdad"
    first = session_at(1, "Day 1: storytelling", T0)
    morning = session_at(2, "Day 2 — morning", T0 + dt.timedelta(days=1, hours=-8))  # 10:00 on 4 December
    evening = session_at(3, "Day 2 — evening", T0 + dt.timedelta(days=1))
    upcoming = session_at(4, "Day 3", T0 + dt.timedelta(days=30), held=False)
    sessions, held = [first, morning, evening, upcoming], [first, morning, evening]

    def found(text: str) -> list[int]:
        return [s.id for s in find_sessions(text, sessions, held, zone).sessions]

    assert found("2") == [2] and found("٣") == [3] and found("#1") == [1]  # numbers count the held sessions
    number = find_sessions("4", sessions, held, zone)
    assert (number.by, number.number, number.sessions) == (By.NUMBER, 4, [])  # Day 3 is not held
    assert found("2026-12-03") == [1] and found("٢٠٢٦-١٢-٠٣") == [1] and found("3/12/2026") == [1]
    assert found("4/12/2026") == [2, 3]  # a date with two sessions: both, to choose from
    on_a_day = find_sessions("۱۰/۱۲/۲۰۲۶", sessions, held, zone)  # Persian digits
    assert (on_a_day.by, on_a_day.day, on_a_day.sessions) == (By.DATE, dt.date(2026, 12, 10), [])
    assert found("day 1: storytelling") == [1] and found("Day 3") == [4]
    assert found("Day 2") == [2, 3] and found("evening") == [3]  # no exact title: those containing it
    unknown = find_sessions("Graduation", sessions, held, zone)
    assert (unknown.by, unknown.text, unknown.sessions) == (By.TITLE, "Graduation", [])
    # A date is the cohort's own day: in Auckland (UTC+13 in December) the same sessions fall a day later.
    auckland = [s.id for s in find_sessions("4/12/2026", sessions, held, "Pacific/Auckland").sessions]
    assert auckland == [1, 2] and [
        s.id for s in find_sessions("5/12/2026", sessions, held, "Pacific/Auckland").sessions
    ] == [3]


Made = tuple[int, dict[int, int], list[int]]


@pytest.fixture
async def cohort(db: Database) -> Made:
    """Four trainees, three sessions held (3, 5 and 7 December) and one upcoming. Zaid joined after the first.

    Amal P P P · Badr L - A · Chadi E - P · Dana E E - · Zaid (not expected) P -    ("-": no record: absent)
    """
    created = await CohortService(db, clock).create(
        OPERATOR,
        name="Hit Youth 2026",
        start_date=dt.date(2026, 12, 1),
        lesson_time=dt.time(18),
        timezone="Asia/Baghdad",
    )
    cohort_id = created.cohort.id
    early = T0 - dt.timedelta(days=5)
    ids = await people(
        db,
        cohort_id,
        [
            (1, "Amal", "هيت", early),
            (2, "Badr", "هيت", early),
            (3, "Chadi", "الرمادي", early),
            (4, "Dana", "الرمادي", early),
            (5, "Zaid", "الفلوجة", T0 + dt.timedelta(hours=12)),
        ],
    )
    attendance = AttendanceService(db, clock=clock)
    sessions = []
    for day, title in enumerate(["Day 1", "Day 2", "Day 3", "Day 4"]):
        starts = T0 + dt.timedelta(days=2 * day if day < 3 else 30)
        sessions.append((await attendance.add_session(OPERATOR, cohort_id, title=title, starts_at=starts)).id)
    marks = {
        0: {1: P, 2: L, 3: E, 4: E},
        1: {1: P, 4: E, 5: P},
        2: {1: P, 2: A, 3: P},
    }
    for index, by_person in marks.items():
        for telegram_id, status in by_person.items():
            note = "bus broke down" if status is E else None
            await attendance.mark(COORDINATOR, sessions[index], ids[telegram_id], status, note)
    return cohort_id, ids, sessions


async def test_absent_twice_or_more_are_flagged_and_excused_is_not_absent(db: Database, cohort: Made) -> None:
    cohort_id, _ids, _sessions = cohort
    reports = AttendanceReports(db, clock)
    summary = await reports.summary(COORDINATOR, cohort_id)
    flagged = [(a.trainee.name, a.absences, a.expected) for a in summary.flagged]
    assert flagged == [("Badr", 2, 3)]  # Dana: excused twice and absent once; Zaid: expected at two only
    first = summary.held[0]
    assert (first.counts[E], first.attended, first.absent, first.percent) == (2, 2, 0, 50)
    grid = await reports.grid(COORDINATOR, cohort_id)
    assert [(a.trainee.name, a.absences, a.expected) for a in grid.summary.flagged] == flagged  # the same rule
    rows = {row.trainee.name: row for row in grid.rows}
    assert (rows["Dana"].counts[E], rows["Dana"].counts[A], rows["Dana"].percent) == (2, 1, 0)


async def test_a_late_joiner_with_a_record_before_joining_is_expected_there(db: Database, cohort: Made) -> None:
    cohort_id, ids, sessions = cohort
    attendance = AttendanceService(db, clock=clock)
    await attendance.mark(COORDINATOR, sessions[0], ids[5], A, "invited, did not come")  # before he joined
    summary = await AttendanceReports(db, clock).summary(COORDINATOR, cohort_id)
    assert [(a.trainee.name, a.absences, a.expected) for a in summary.flagged] == [("Badr", 2, 3), ("Zaid", 2, 3)]


async def test_overview_of_the_cohorts_one_manages(db: Database, cohort: Made) -> None:
    cohort_id, _ids, _sessions = cohort
    other = await CohortService(db, clock).create(
        OPERATOR, name="Ramadi Group", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    reports = AttendanceReports(db, clock)
    everything = {o.cohort.name: (o.trainees, o.held, o.percent) for o in await reports.overview(COORDINATOR)}
    assert everything == {"Hit Youth 2026": (5, 3, round(100 * 6 / 14)), "Ramadi Group": (0, 0, None)}
    trainer = Principal(telegram_id=77, locale="en", trainer_of=frozenset({other.cohort.id}))
    await add_trainer(db, 77, other.cohort.id, joined=T0)
    assert [o.cohort.name for o in await reports.overview(trainer)] == ["Ramadi Group"]
    await CohortService(db, clock).set_status(OPERATOR, other.cohort.id, CohortStatus.ENDED)
    assert [o.cohort.name for o in await reports.overview(COORDINATOR)] == ["Hit Youth 2026", "Ramadi Group"]
    with pytest.raises(DomainError) as caught:
        await reports.summary(trainer, cohort_id)
    assert caught.value.problem is Problem.NOT_ALLOWED


async def test_one_sessions_names_by_state_with_the_notes(db: Database, cohort: Made) -> None:
    cohort_id, _ids, sessions = cohort
    reports = AttendanceReports(db, clock)
    detail = await reports.session_detail(COORDINATOR, sessions[0])
    assert detail.number == 1 and [e.trainee.name for e in detail.entries] == ["Amal", "Badr", "Chadi", "Dana"]
    assert [(e.trainee.name, e.note) for e in detail.of(E)] == [("Chadi", "bus broke down"), ("Dana", "bus broke down")]
    assert [e.trainee.name for e in detail.of(L)] == ["Badr"] and detail.of(A) == []
    assert (detail.attended, detail.percent) == (2, 50)
    second = await reports.session_detail(COORDINATOR, sessions[1])
    assert [e.trainee.name for e in second.of(A)] == ["Badr", "Chadi"]  # no record: absent; Zaid had joined
    upcoming = await reports.session_detail(COORDINATOR, sessions[3])
    assert upcoming.number is None and len(upcoming.entries) == 5
    assert len(upcoming.of(None)) == 5 and upcoming.of(A) == []  # not held yet: nobody is absent from it
    all_sessions, held = await reports.sessions_of(COORDINATOR, cohort_id)
    assert [s.id for s in all_sessions] == sessions and [s.id for s in held] == sessions[:3]
    trainer = Principal(telegram_id=77, locale="en", trainer_of=frozenset({cohort_id + 1}))
    for call in (reports.session_detail(trainer, sessions[0]), reports.sessions_of(trainer, cohort_id)):
        with pytest.raises(DomainError) as caught:
            await call
        assert caught.value.problem is Problem.NOT_ALLOWED


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


async def two_cohorts(db: Database, now: Clock) -> tuple[int, int, list[int]]:
    cohorts = CohortService(db, now)
    first = await cohorts.create(
        OPERATOR, name="North", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    second = await cohorts.create(
        OPERATOR, name="South", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    ids = await people(db, first.cohort.id, [(21, "Amal", "هيت", T0 - dt.timedelta(days=1))])
    await people(db, second.cohort.id, [(22, "Badr", "هيت", T0 - dt.timedelta(days=1))])
    return first.cohort.id, second.cohort.id, [ids[21]]


async def test_open_check_ins_to_close_are_those_of_ones_own_cohorts(db: Database) -> None:
    now = Clock(T0)
    attendance = AttendanceService(db, AttendanceSettings(), now)
    north, south, _ids = await two_cohorts(db, now)
    views: list[CheckinView] = []
    for cohort_id in (north, north, south):
        session = await attendance.add_session(OPERATOR, cohort_id, title=f"S{len(views)}", starts_at=T0)
        views.append((await attendance.open_checkin(COORDINATOR, session.id))[0])
    trainer = Principal(telegram_id=77, locale="en", trainer_of=frozenset({north}))
    await add_trainer(db, 77, north, joined=T0)
    assert [v.checkin.id for v in await attendance.open_checkins(trainer)] == [v.checkin.id for v in views[:2]]
    assert [v.checkin.id for v in await attendance.open_checkins(COORDINATOR, south)] == [views[2].checkin.id]
    with pytest.raises(DomainError) as caught:
        await attendance.open_checkins(trainer, south)
    assert caught.value.problem is Problem.NOT_ALLOWED
    closed = await attendance.close(trainer, views[0].checkin.id)
    assert closed.checkin.closed_at == T0
    assert [v.checkin.id for v in await attendance.open_checkins(trainer)] == [views[1].checkin.id]
    now.now = T0 + dt.timedelta(minutes=15)  # the window is over: no longer open, whatever the alarms did
    assert await attendance.open_checkins(COORDINATOR) == []


async def test_excused_on_the_roll_then_checking_in_after_all(db: Database) -> None:
    """Excused is kept apart: not absent (no broadcast to the absent), not attended; a check-in still counts."""
    now = Clock(T0 + dt.timedelta(minutes=12))
    attendance = AttendanceService(db, AttendanceSettings(late_after=dt.timedelta(minutes=10)), now)
    north, _south, (amal,) = await two_cohorts(db, now)
    session = await attendance.add_session(OPERATOR, north, title="Day 1", starts_at=T0)
    await attendance.mark(COORDINATOR, session.id, amal, E, "exam at school")
    assert await attendance.absent_from_last_session(north) == frozenset()
    summary = await AttendanceReports(db, now).summary(COORDINATOR, north)
    assert (summary.held[0].counts[E], summary.held[0].attended, summary.held[0].absent) == (1, 0, 0)
    view, _new = await attendance.open_checkin(COORDINATOR, session.id)
    result = await attendance.check_in_code(21, view.checkin.code)
    assert (result.status, result.already) == (L, False)  # 12 minutes after the start: late
    async with db.unit_of_work() as uow:
        changes = await uow.attendance.changes([session.id])
    assert [(c.before, c.after) for c in changes] == [(None, E), (E, L)]
