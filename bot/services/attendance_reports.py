"""Attendance figures: per session and per town (a few aggregate queries), the full grid for exports (one row per
trainee, one column per session), and a trainee's own record. No Telegram here.

A trainee is expected at a session if they had joined the cohort when it began, or if they have a record for it.
Attendance % is (present + late) / expected; excused people are shown apart and count as not attended.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from bot.services.access import Principal
from bot.services.attendance_common import load_cohort
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.attendance_records import RecordCount
from storage.dto import CohortDTO, Role
from storage.dto_attendance import ATTENDED, AttendanceStatus, ChangeDTO, SessionDTO, Trainee
from storage.uow import Database


def percent(part: int, whole: int) -> int | None:
    return None if whole <= 0 else round(100 * part / whole)


@dataclass(frozen=True, slots=True)
class SessionStat:
    session: SessionDTO
    expected: int
    counts: Counter[AttendanceStatus] = field(default_factory=Counter)

    @property
    def attended(self) -> int:
        return self.counts[AttendanceStatus.PRESENT] + self.counts[AttendanceStatus.LATE]

    @property
    def absent(self) -> int:
        return max(0, self.expected - self.attended - self.counts[AttendanceStatus.EXCUSED])

    @property
    def percent(self) -> int | None:
        return percent(self.attended, self.expected)


@dataclass(frozen=True, slots=True)
class TownStat:
    town: str | None
    trainees: int
    expected: int
    attended: int

    @property
    def percent(self) -> int | None:
        return percent(self.attended, self.expected)


@dataclass(frozen=True, slots=True)
class Summary:
    cohort: CohortDTO
    trainees: int
    held: list[SessionStat]  # sessions that took place, earliest first
    not_taken: list[SessionDTO]  # begun, but no check-in or roll
    upcoming: list[SessionDTO]
    towns: list[TownStat]

    @property
    def percent(self) -> int | None:
        return percent(sum(s.attended for s in self.held), sum(s.expected for s in self.held))


@dataclass(frozen=True, slots=True)
class TraineeRow:
    trainee: Trainee
    cells: list[AttendanceStatus | None]  # per held session; None: not expected (joined later)
    counts: Counter[AttendanceStatus]

    @property
    def expected(self) -> int:
        return sum(1 for cell in self.cells if cell is not None)

    @property
    def attended(self) -> int:
        return self.counts[AttendanceStatus.PRESENT] + self.counts[AttendanceStatus.LATE]

    @property
    def percent(self) -> int | None:
        return percent(self.attended, self.expected)


@dataclass(frozen=True, slots=True)
class Grid:
    summary: Summary
    rows: list[TraineeRow]
    changes: list[ChangeDTO]
    names: dict[int, str]  # person id → name, for the audit's subjects and authors

    @property
    def sessions(self) -> list[SessionDTO]:
        return [stat.session for stat in self.summary.held]


@dataclass(frozen=True, slots=True)
class MyCohort:
    cohort: CohortDTO
    sessions: list[tuple[SessionDTO, AttendanceStatus]]  # held sessions they were expected at
    upcoming: list[SessionDTO]


class AttendanceReports:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def summary(self, cohort_id: int, principal: Principal | None = None) -> Summary:
        """Per session and per town, from four queries whatever the cohort's size (the /attendance answer)."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            cohort = await load_cohort(uow, cohort_id, principal)
            sessions = await uow.sessions.for_cohort(cohort_id)
            trainees = await uow.attendance.trainees(cohort_id)
            counts = await uow.attendance.counts(cohort_id)
        return build_summary(cohort, sessions, trainees, counts_by(counts), now)

    async def grid(self, cohort_id: int, principal: Principal | None = None) -> Grid:
        """Everything an export shows: the summary, a row per trainee, and the audit trail."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            cohort = await load_cohort(uow, cohort_id, principal)
            sessions = await uow.sessions.for_cohort(cohort_id)
            trainees = await uow.attendance.trainees(cohort_id)
            counts = await uow.attendance.counts(cohort_id)
            held_ids = [s.id for s in sessions if s.held(now)]
            statuses = await uow.attendance.statuses(held_ids)
            changes = await uow.attendance.changes(held_ids)
            names = {t.person_id: t.name for t in trainees}
            for person_id in {c.changed_by for c in changes if c.changed_by is not None} - names.keys():
                person = await uow.people.by_id(person_id)
                if person is not None:
                    names[person_id] = person.full_name or str(person.telegram_id)
        summary = build_summary(cohort, sessions, trainees, counts_by(counts), now)
        return Grid(summary, trainee_rows(summary, trainees, statuses), changes, names)

    async def mine(self, telegram_id: int) -> list[MyCohort]:
        """A trainee's own attendance in each of their cohorts."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            if person is None or not person.is_registered:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            memberships = [m for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
            records = {r.session_id: r for r in await uow.attendance.for_person(person.id)}
            result = []
            for membership in memberships:
                cohort = await uow.cohorts.by_id(membership.cohort_id)
                if cohort is None:
                    continue
                sessions = await uow.sessions.for_cohort(cohort.id)
                mine = [
                    (s, records[s.id].status if s.id in records else AttendanceStatus.ABSENT)
                    for s in sessions
                    if s.held(now) and (s.id in records or membership.joined_at <= s.starts_at)
                ]
                upcoming = [s for s in sessions if s.starts_at > now]
                result.append(MyCohort(cohort, mine, upcoming))
        return result


Counts = dict[int, dict[tuple[str | None, bool], Counter[AttendanceStatus]]]


def counts_by(rows: list[RecordCount]) -> Counts:
    """session id → (town, joined later) → status counts."""
    grouped: Counts = defaultdict(lambda: defaultdict(Counter))
    for row in rows:
        grouped[row.session_id][(row.town, row.joined_later)][row.status] += row.count
    return grouped


def build_summary(
    cohort: CohortDTO, sessions: list[SessionDTO], trainees: list[Trainee], counts: Counts, now: dt.datetime
) -> Summary:
    joined = sorted(t.joined_at for t in trainees)
    joined_by_town: dict[str | None, list[dt.datetime]] = defaultdict(list)
    for trainee in trainees:
        joined_by_town[trainee.town].append(trainee.joined_at)
    for values in joined_by_town.values():
        values.sort()
    held: list[SessionStat] = []
    town_expected: Counter[str | None] = Counter()
    town_attended: Counter[str | None] = Counter()
    for session in sessions:
        if not session.held(now):
            continue
        groups = counts.get(session.id, {})
        statuses: Counter[AttendanceStatus] = Counter()
        late_records = 0
        for (town, later), by_status in groups.items():
            statuses.update(by_status)
            town_attended[town] += sum(n for status, n in by_status.items() if status in ATTENDED)
            if later:  # joined after it began, yet has a record: expected after all
                late_records += sum(by_status.values())
                town_expected[town] += sum(by_status.values())
        held.append(SessionStat(session, bisect.bisect_right(joined, session.starts_at) + late_records, statuses))
        for town, values in joined_by_town.items():
            town_expected[town] += bisect.bisect_right(values, session.starts_at)
    towns = [
        TownStat(town, len(values), town_expected[town], town_attended[town])
        for town, values in sorted(joined_by_town.items(), key=lambda item: (-len(item[1]), item[0] or ""))
    ]
    begun = [s for s in sessions if s.starts_at <= now and not s.held(now)]
    upcoming = [s for s in sessions if s.starts_at > now]
    return Summary(cohort, len(trainees), held, begun, upcoming, towns)


def trainee_rows(
    summary: Summary, trainees: list[Trainee], statuses: list[tuple[int, int, AttendanceStatus]]
) -> list[TraineeRow]:
    by_person: dict[int, dict[int, AttendanceStatus]] = defaultdict(dict)
    for session_id, person_id, status in statuses:
        by_person[person_id][session_id] = status
    sessions = [stat.session for stat in summary.held]
    rows = []
    for trainee in trainees:
        mine = by_person.get(trainee.person_id, {})
        cells: list[AttendanceStatus | None] = []
        for session in sessions:
            if session.id in mine:
                cells.append(mine[session.id])
            elif trainee.joined_at <= session.starts_at:
                cells.append(AttendanceStatus.ABSENT)
            else:
                cells.append(None)
        rows.append(TraineeRow(trainee, cells, Counter(cell for cell in cells if cell is not None)))
    return rows
