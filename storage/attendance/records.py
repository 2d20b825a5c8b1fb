"""Repository of attendance records and the roll's audit trail, with the aggregates reports need. Never commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.attendance.dto import AttendanceStatus, ChangeDTO, RecordDTO, Source, Trainee
from storage.attendance.models import AttendanceChange, AttendanceRecord, TrainingSession
from storage.dto import Role
from storage.models import Membership, Person


def _record(row: AttendanceRecord) -> RecordDTO:
    return RecordDTO(
        session_id=row.session_id,
        person_id=row.person_id,
        status=AttendanceStatus(row.status),
        source=Source(row.source),
        checked_in_at=row.checked_in_at,
        updated_at=row.updated_at,
    )


def _change(row: AttendanceChange | Row[Any]) -> ChangeDTO:
    """From an ORM object or a plain row of the same table (exports read tens of thousands: no ORM objects)."""
    return ChangeDTO(
        id=row.id,
        session_id=row.session_id,
        person_id=row.person_id,
        changed_by=row.changed_by,
        changed_at=row.changed_at,
        before=AttendanceStatus(row.before) if row.before else None,
        after=AttendanceStatus(row.after),
        source=Source(row.source),
        note=row.note,
    )


@dataclass(frozen=True, slots=True)
class RecordCount:
    """How many current trainees of one town had one status at one session; `joined_later`: they joined the
    cohort after the session began (so they count as expected only because they have a record)."""

    session_id: int
    town: str | None
    status: AttendanceStatus
    joined_later: bool
    count: int


@dataclass(frozen=True, slots=True)
class PersonCounts:
    """Per person (id → count) at some sessions: `not_absent` records present, late or excused; `joined_later`
    records at sessions that began before they joined (expected there only because of the record). Two dicts, not an
    object per person: a cohort of thousands is asked on every /attendance."""

    not_absent: dict[int, int]
    joined_later: dict[int, int]


class AttendanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # ------------------------------------------------------------------------------------ trainees

    async def trainees(self, cohort_id: int) -> list[Trainee]:
        rows = await self._session.execute(
            select(Person.id, Person.full_name, Person.town, Membership.joined_at)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE)
            .order_by(Person.name_key, Person.id)
        )
        return [Trainee(person_id, name or "?", town, joined) for person_id, name, town, joined in rows]

    async def trainee_count(self, cohort_id: int) -> int:
        count = await self._session.scalar(
            select(func.count(Membership.id)).where(Membership.cohort_id == cohort_id, Membership.role == Role.TRAINEE)
        )
        return int(count or 0)

    # ------------------------------------------------------------------------------------- records

    async def get(self, session_id: int, person_id: int) -> RecordDTO | None:
        row = await self._session.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.session_id == session_id, AttendanceRecord.person_id == person_id
            )
        )
        return _record(row) if row else None

    async def insert_checkin(self, session_id: int, person_id: int, status: AttendanceStatus, now: dt.datetime) -> bool:
        """A check-in record unless one exists (two scans at once insert one row); True when it was new."""
        statement = insert_ignoring(self._session, AttendanceRecord, ["session_id", "person_id"]).values(
            session_id=session_id,
            person_id=person_id,
            status=status.value,
            source=Source.CHECKIN.value,
            checked_in_at=now,
            updated_at=now,
        )
        return bool(await inserted(self._session, statement))

    async def set(
        self,
        session_id: int,
        person_id: int,
        status: AttendanceStatus,
        source: Source,
        now: dt.datetime,
        *,
        checked_in: bool = False,
    ) -> None:
        row = await self._session.scalar(
            select(AttendanceRecord).where(
                AttendanceRecord.session_id == session_id, AttendanceRecord.person_id == person_id
            )
        )
        if row is None:
            row = AttendanceRecord(session_id=session_id, person_id=person_id)
            self._session.add(row)
        row.status, row.source, row.updated_at = status.value, source.value, now
        if checked_in:
            row.checked_in_at = now
        await self._session.flush()

    async def for_session(self, session_id: int) -> dict[int, RecordDTO]:
        rows = await self._session.scalars(select(AttendanceRecord).where(AttendanceRecord.session_id == session_id))
        return {row.person_id: _record(row) for row in rows}

    async def statuses(self, session_ids: Sequence[int]) -> list[tuple[int, int, AttendanceStatus]]:
        """(session id, person id, status) of every record of these sessions: the export grid."""
        if not session_ids:
            return []
        rows = await self._session.execute(
            select(AttendanceRecord.session_id, AttendanceRecord.person_id, AttendanceRecord.status).where(
                AttendanceRecord.session_id.in_(session_ids)
            )
        )
        return [(session_id, person_id, AttendanceStatus(status)) for session_id, person_id, status in rows]

    async def counts(self, cohort_id: int) -> list[RecordCount]:
        """Records of the cohort's current trainees counted by session, town, status and late joining (one query)."""
        joined_later = Membership.joined_at > TrainingSession.starts_at
        count = func.count()
        rows = await self._session.execute(
            select(AttendanceRecord.session_id, Person.town, AttendanceRecord.status, joined_later, count)
            .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
            .join(
                Membership,
                (Membership.person_id == AttendanceRecord.person_id)
                & (Membership.cohort_id == TrainingSession.cohort_id),
            )
            .join(Person, Person.id == AttendanceRecord.person_id)
            .where(TrainingSession.cohort_id == cohort_id, Membership.role == Role.TRAINEE)
            .group_by(AttendanceRecord.session_id, Person.town, AttendanceRecord.status, joined_later)
        )
        return [
            RecordCount(session_id, town, AttendanceStatus(status), bool(later), int(n))
            for session_id, town, status, later, n in rows
        ]

    async def per_person(
        self, cohort_id: int, session_ids: Sequence[int], early_ids: Sequence[int] = ()
    ) -> PersonCounts:
        """Per person with records at these sessions: how many are not "absent" (one GROUP BY on the covering index,
        no join); and, at `early_ids` (those some trainee joined after), how many are at sessions that began before
        the person joined the cohort."""
        if not session_ids:
            return PersonCounts({}, {})
        kept = await self._session.execute(
            select(AttendanceRecord.person_id, func.count())
            .where(
                AttendanceRecord.session_id.in_(session_ids),
                AttendanceRecord.status != AttendanceStatus.ABSENT.value,
            )
            .group_by(AttendanceRecord.person_id)
        )
        not_absent: dict[int, int] = {person: int(n) for person, n in kept}
        later: dict[int, int] = {}
        if early_ids:
            rows = await self._session.execute(
                select(AttendanceRecord.person_id, func.count())
                .join(TrainingSession, TrainingSession.id == AttendanceRecord.session_id)
                .join(
                    Membership,
                    (Membership.person_id == AttendanceRecord.person_id) & (Membership.cohort_id == cohort_id),
                )
                .where(
                    AttendanceRecord.session_id.in_(early_ids),
                    Membership.role == Role.TRAINEE,
                    Membership.joined_at > TrainingSession.starts_at,
                )
                .group_by(AttendanceRecord.person_id)
            )
            later = {person: int(n) for person, n in rows}
        return PersonCounts(not_absent, later)

    async def checked_in(self, session_id: int) -> int:
        """Records made by check-in at this session: at most the cohort's size."""
        count = await self._session.scalar(
            select(func.count(AttendanceRecord.id)).where(
                AttendanceRecord.session_id == session_id, AttendanceRecord.source == Source.CHECKIN
            )
        )
        return int(count or 0)

    async def for_person(self, person_id: int) -> list[RecordDTO]:
        rows = await self._session.scalars(select(AttendanceRecord).where(AttendanceRecord.person_id == person_id))
        return [_record(r) for r in rows]

    # --------------------------------------------------------------------------------------- audit

    async def add_change(
        self,
        *,
        session_id: int,
        person_id: int,
        changed_by: int | None,
        before: AttendanceStatus | None,
        after: AttendanceStatus,
        source: Source,
        note: str | None,
        now: dt.datetime,
    ) -> ChangeDTO:
        row = AttendanceChange(
            session_id=session_id,
            person_id=person_id,
            changed_by=changed_by,
            changed_at=now,
            before=before.value if before else None,
            after=after.value,
            source=source.value,
            note=note,
        )
        self._session.add(row)
        await self._session.flush()
        return _change(row)

    async def changes(self, session_ids: Sequence[int], source: Source | None = None) -> list[ChangeDTO]:
        """The audit rows of these sessions (only those of one source if given), oldest first; plain rows, not ORM
        objects: an export reads tens of thousands."""
        if not session_ids:
            return []
        table = AttendanceChange.__table__
        query = select(table).where(table.c.session_id.in_(session_ids)).order_by(table.c.changed_at, table.c.id)
        if source is not None:
            query = query.where(table.c.source == source.value)
        rows = await self._session.execute(query)
        return [_change(row) for row in rows]

    async def changes_about(self, person_id: int) -> list[ChangeDTO]:
        rows = await self._session.scalars(
            select(AttendanceChange).where(AttendanceChange.person_id == person_id).order_by(AttendanceChange.id)
        )
        return [_change(r) for r in rows]
