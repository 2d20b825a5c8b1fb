"""Attendance figures: the cohorts overview, per session and per town with the trainees absent twice or more (a few
aggregate queries), one session's names by state, the full grid for exports (one row per trainee, one column per
session), and a trainee's own record. No Telegram here.

A trainee is expected at a session if they had joined the cohort when it began, or if they have a record for it.
Attendance % is (present + late) / expected; excused people are shown apart and count as not attended (nor absent).
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TypeVar

from bot.services.access import Actor, authority
from bot.services.attendance.common import load_cohort, load_session
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.attendance.dto import ATTENDED, AttendanceStatus, ChangeDTO, SessionDTO, Source, Trainee
from storage.attendance.records import PersonCounts, RecordCount
from storage.dto import CohortDTO, CohortStatus, Role
from storage.uow import Database, UnitOfWork

T = TypeVar("T")
FLAG_ABSENCES = 2  # trainees absent this often are flagged in /attendance <cohort>


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
class Absentee:
    """A trainee absent (not present, late or excused) from `absences` of the `expected` held sessions."""

    trainee: Trainee
    absences: int
    expected: int


@dataclass(frozen=True, slots=True)
class Summary:
    cohort: CohortDTO
    trainees: int
    held: list[SessionStat]  # sessions that took place, earliest first
    not_taken: list[SessionDTO]  # begun, but no check-in or roll
    upcoming: list[SessionDTO]
    towns: list[TownStat]
    flagged: list[Absentee] = field(default_factory=list)  # FLAG_ABSENCES or more, most absences first

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
    changes: list[ChangeDTO]  # the roll's changes (the check-ins themselves are the grid's cells)
    names: dict[int, str]  # person id → name, for the audit's subjects and authors

    @property
    def sessions(self) -> list[SessionDTO]:
        return [stat.session for stat in self.summary.held]


@dataclass(frozen=True, slots=True)
class CohortOverview:
    cohort: CohortDTO
    trainees: int
    held: int  # sessions held
    percent: int | None  # attendance over all of them (present + late) / expected


@dataclass(frozen=True, slots=True)
class DetailEntry:
    trainee: Trainee
    status: AttendanceStatus | None  # no record: ABSENT once the session was held, None (not marked yet) before
    note: str | None  # the note of the latest change, if it had one


@dataclass(frozen=True, slots=True)
class SessionDetail:
    """One session's expected trainees by state (/attendance <cohort> <session>)."""

    session: SessionDTO
    cohort: CohortDTO
    number: int | None  # its number among the held sessions; None: not held (yet)
    entries: list[DetailEntry]

    def of(self, status: AttendanceStatus | None) -> list[DetailEntry]:
        """The entries in this state (None: not marked yet, for a session not held yet)."""
        return [entry for entry in self.entries if entry.status is status]

    @property
    def attended(self) -> int:
        return sum(1 for entry in self.entries if entry.status in ATTENDED)

    @property
    def percent(self) -> int | None:
        return percent(self.attended, len(self.entries))


@dataclass(frozen=True, slots=True)
class MyCohort:
    cohort: CohortDTO
    sessions: list[tuple[SessionDTO, AttendanceStatus]]  # held sessions they were expected at
    upcoming: list[SessionDTO]


class AttendanceReports:
    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def summary(self, actor: Actor, cohort_id: int) -> Summary:
        """Per session and per town, and who was absent twice or more: five or six queries whatever the cohort's
        size (the /attendance <cohort> answer)."""
        now = self._clock()
        async with self._db.reading() as uow:
            cohort = await load_cohort(uow, cohort_id, actor)
            sessions = await uow.sessions.for_cohort(cohort_id)
            trainees = await uow.attendance.trainees(cohort_id)
        held = [s for s in sessions if s.held(now)]
        latest_join = max((t.joined_at for t in trainees), default=None)
        early = [s.id for s in held if latest_join is not None and s.starts_at < latest_join]
        # The two aggregates scan the same records: side by side on two read-only connections (no write lock).
        counts, per_person = await asyncio.gather(
            self._read(lambda uow: uow.attendance.counts(cohort_id)),
            self._read(lambda uow: uow.attendance.per_person(cohort_id, [s.id for s in held], early)),
        )
        summary = build_summary(cohort, sessions, trainees, counts_by(counts), now)
        return replace(summary, flagged=absentees(summary, trainees, per_person))

    async def _read(self, query: Callable[[UnitOfWork], Awaitable[T]]) -> T:
        async with self._db.reading() as uow:
            return await query(uow)

    async def overview(self, actor: Actor) -> list[CohortOverview]:
        """Every cohort the actor manages (coordinators: all), active ones first: sessions held, attendance."""
        now = self._clock()
        result = []
        async with self._db.reading() as uow:
            manageable = (await authority(uow, actor)).manageable()
            for item in await uow.cohorts.summaries(None if manageable is None else sorted(manageable)):
                sessions = await uow.sessions.for_cohort(item.cohort.id)
                if not any(s.held(now) for s in sessions):
                    result.append(CohortOverview(item.cohort, item.trainees, 0, None))
                    continue
                trainees = await uow.attendance.trainees(item.cohort.id)
                counts = await uow.attendance.counts(item.cohort.id)
                summary = build_summary(item.cohort, sessions, trainees, counts_by(counts), now)
                result.append(CohortOverview(item.cohort, len(trainees), len(summary.held), summary.percent))
        return sorted(result, key=lambda o: o.cohort.status is not CohortStatus.ACTIVE)

    async def sessions_of(self, actor: Actor, cohort_id: int) -> tuple[list[SessionDTO], list[SessionDTO]]:
        """The cohort's sessions and, of them, those held (numbered so in /attendance <cohort>), earliest first."""
        now = self._clock()
        async with self._db.reading() as uow:
            await load_cohort(uow, cohort_id, actor)
            sessions = await uow.sessions.for_cohort(cohort_id)
        return sessions, [s for s in sessions if s.held(now)]

    async def session_detail(self, actor: Actor, session_id: int) -> SessionDetail:
        """The session's expected trainees with their state and the roll's note."""
        now = self._clock()
        async with self._db.reading() as uow:
            session, cohort = await load_session(uow, session_id, actor)
            held = [s.id for s in await uow.sessions.for_cohort(cohort.id) if s.held(now)]
            trainees = await uow.attendance.trainees(cohort.id)
            records = await uow.attendance.for_session(session.id)
            latest = {change.person_id: change for change in await uow.attendance.changes([session.id])}
        unmarked = AttendanceStatus.ABSENT if session.id in held else None
        entries = [
            DetailEntry(
                trainee,
                records[trainee.person_id].status if trainee.person_id in records else unmarked,
                latest[trainee.person_id].note if trainee.person_id in latest else None,
            )
            for trainee in trainees
            if trainee.person_id in records or trainee.joined_at <= session.starts_at
        ]
        number = held.index(session.id) + 1 if session.id in held else None
        return SessionDetail(session, cohort, number, entries)

    async def grid(self, actor: Actor, cohort_id: int) -> Grid:
        """Everything an export shows: the summary, a row per trainee, and the audit trail."""
        now = self._clock()
        async with self._db.reading() as uow:
            cohort = await load_cohort(uow, cohort_id, actor)
            sessions = await uow.sessions.for_cohort(cohort_id)
            trainees = await uow.attendance.trainees(cohort_id)
            counts = await uow.attendance.counts(cohort_id)
            held_ids = [s.id for s in sessions if s.held(now)]
            statuses = await uow.attendance.statuses(held_ids)
            changes = await uow.attendance.changes(held_ids, Source.ROLL)  # check-ins show in the grid
            names = {t.person_id: t.name for t in trainees}
            for person_id in {c.changed_by for c in changes if c.changed_by is not None} - names.keys():
                person = await uow.people.by_id(person_id)
                if person is not None:
                    names[person_id] = person.full_name or str(person.telegram_id)
        summary = build_summary(cohort, sessions, trainees, counts_by(counts), now)
        rows = trainee_rows(summary, trainees, statuses)
        flagged = [
            Absentee(row.trainee, row.counts[AttendanceStatus.ABSENT], row.expected)
            for row in rows
            if row.counts[AttendanceStatus.ABSENT] >= FLAG_ABSENCES
        ]
        flagged.sort(key=lambda a: -a.absences)
        return Grid(replace(summary, flagged=flagged), rows, changes, names)

    async def mine(self, telegram_id: int) -> list[MyCohort]:
        """A trainee's own attendance in each of their cohorts."""
        now = self._clock()
        async with self._db.reading() as uow:
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


def absentees(summary: Summary, trainees: list[Trainee], counts: PersonCounts) -> list[Absentee]:
    """Trainees absent from FLAG_ABSENCES or more of the held sessions they were expected at, most absent first
    (then by name): expected = held sessions since they joined + those before with a record of them."""
    starts = [stat.session.starts_at for stat in summary.held]  # earliest first
    not_absent, later = counts.not_absent, counts.joined_later
    flagged = []
    for trainee in trainees:
        person = trainee.person_id
        expected = len(starts) - bisect.bisect_left(starts, trainee.joined_at) + later.get(person, 0)
        absences = expected - not_absent.get(person, 0)
        if absences >= FLAG_ABSENCES:
            flagged.append(Absentee(trainee, absences, expected))
    flagged.sort(key=lambda a: -a.absences)  # stable: trainees come sorted by name
    return flagged


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
