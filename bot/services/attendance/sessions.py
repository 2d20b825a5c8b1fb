"""Sessions and their roll: adding sessions, finding the one to act on, marking trainees (audited), and who was
absent from the last session. No Telegram here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.services.access import Actor, authority
from bot.services.attendance.common import (
    NOTE_MAX,
    PLACE_MAX,
    TITLE_MAX,
    AttendanceSettings,
    Roll,
    RollEntry,
    actor_id,
    clean_text,
    load_cohort,
    load_session,
    session_of,
)
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.text import clean_input
from storage.attendance.dto import NOT_ABSENT, AttendanceStatus, ChangeDTO, SessionDTO, Source
from storage.dto import CohortDTO, CohortStatus, Role
from storage.uow import Database, UnitOfWork

NEAR = dt.timedelta(hours=12)  # sessions this close to now can have their check-in opened
SESSION_RANGE = dt.timedelta(days=3 * 366)  # a session starts within three years of now (year 1 would overflow UTC)


async def managed_scope(uow: UnitOfWork, actor: Actor, cohort_ids: frozenset[int] | None) -> frozenset[int] | None:
    """The cohorts to look in: those the actor manages now (None: all), narrowed to `cohort_ids` when given."""
    managed = (await authority(uow, actor)).manageable()
    if cohort_ids is None:
        return managed
    return cohort_ids if managed is None else cohort_ids & managed


class SessionService:
    def __init__(self, db: Database, settings: AttendanceSettings | None = None, clock: Clock = utc_now) -> None:
        self._db = db
        self.settings = settings or AttendanceSettings()
        self._clock = clock

    # ------------------------------------------------------------------------------------------ sessions

    async def add_session(
        self,
        actor: Actor,
        cohort_id: int,
        *,
        title: str,
        starts_at: dt.datetime,
        place: str | None = None,
    ) -> SessionDTO:
        """A session of the cohort, added by a manager of it (or the operator on the command line)."""
        if starts_at.tzinfo is None:
            raise ValueError("naive datetime")
        if not self._clock() - SESSION_RANGE <= starts_at <= self._clock() + SESSION_RANGE:
            raise DomainError(Problem.SESSION_INVALID, field="date", limit=SESSION_RANGE.days)
        clean_title = clean_text(title, TITLE_MAX)
        if clean_title is None:
            raise DomainError(Problem.SESSION_INVALID, field="title", limit=TITLE_MAX)
        clean_place = clean_text(place, PLACE_MAX) if place else None
        if place and clean_place is None:
            raise DomainError(Problem.SESSION_INVALID, field="place", limit=PLACE_MAX)
        async with self._db.unit_of_work() as uow:
            cohort = await load_cohort(uow, cohort_id, actor)
            if cohort.status is CohortStatus.ENDED:
                raise DomainError(Problem.COHORT_OVER, name=cohort.name)
            await uow.cohorts.lock(cohort_id)  # the same session added twice at once: the second sees the first
            if await uow.sessions.exists_at(cohort_id, starts_at, clean_title):
                raise DomainError(Problem.SESSION_EXISTS, title=clean_title)
            session = await uow.sessions.add(
                cohort_id=cohort_id,
                title=clean_title,
                place=clean_place,
                starts_at=starts_at,
                created_by=await actor_id(uow, actor, self._clock()),
                now=self._clock(),
            )
            await uow.commit()
        return session

    async def add_local_session(
        self, actor: Actor, cohort_id: int, *, day: dt.date, start: dt.time, title: str, place: str | None
    ) -> tuple[SessionDTO, CohortDTO] | None:
        """A session starting at a day and time of the cohort's zone (the chat's /session); None when the cohort is
        gone."""
        async with self._db.reading() as uow:
            cohort = await uow.cohorts.by_id(cohort_id)
        if cohort is None:
            return None
        starts_at = dt.datetime.combine(day, start, ZoneInfo(cohort.timezone))
        session = await self.add_session(actor, cohort.id, title=title, starts_at=starts_at, place=place)
        return session, cohort

    async def sessions(self, actor: Actor, cohort_id: int) -> list[SessionDTO]:
        async with self._db.unit_of_work() as uow:
            await load_cohort(uow, cohort_id, actor)
            return await uow.sessions.for_cohort(cohort_id)

    async def session(self, actor: Actor, session_id: int) -> tuple[SessionDTO, CohortDTO]:
        async with self._db.unit_of_work() as uow:
            return await load_session(uow, session_id, actor)

    async def near(self, actor: Actor, cohort_ids: frozenset[int] | None = None) -> list[tuple[SessionDTO, CohortDTO]]:
        """Sessions starting within 12 hours of now, of active cohorts the actor manages (of these if given),
        closest first."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            scope = await managed_scope(uow, actor, cohort_ids)
            found = await uow.sessions.between(None if scope is None else sorted(scope), now - NEAR, now + NEAR)
            cohorts = {c.id: c for c in await uow.cohorts.by_ids(sorted({s.cohort_id for s in found}))}
        pairs = [(s, cohorts[s.cohort_id]) for s in found if cohorts[s.cohort_id].status is CohortStatus.ACTIVE]
        return sorted(pairs, key=lambda pair: abs(pair[0].starts_at - now))

    async def recent(
        self, actor: Actor, cohort_ids: frozenset[int] | None = None, limit: int = 8
    ) -> list[tuple[SessionDTO, CohortDTO]]:
        """Sessions that began (or begin within 12 hours) of cohorts the actor manages (of these if given), most
        recent first: whose roll can be taken."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            scope = await managed_scope(uow, actor, cohort_ids)
            ids = None if scope is None else sorted(scope)
            found = await uow.sessions.between(ids, dt.datetime(2000, 1, 1, tzinfo=dt.UTC), now + NEAR)
            cohorts = {c.id: c for c in await uow.cohorts.by_ids(sorted({s.cohort_id for s in found}))}
        return [(s, cohorts[s.cohort_id]) for s in reversed(found)][:limit]

    # -------------------------------------------------------------------------------------------- roll

    async def roll(self, actor: Actor, session_id: int) -> Roll:
        async with self._db.unit_of_work() as uow:
            session, cohort = await load_session(uow, session_id, actor)
            return await self._roll(uow, session, cohort)

    async def mark(
        self,
        actor: Actor,
        session_id: int,
        person_id: int,
        status: AttendanceStatus,
        note: str | None = None,
    ) -> ChangeDTO | None:
        """Set a trainee's status on the roll, audited; None when nothing changed (same status, no note)."""
        now = self._clock()
        clean_note = clean_input(note)[:NOTE_MAX] if note else None
        async with self._db.unit_of_work() as uow:
            session, cohort = await load_session(uow, session_id, actor)
            await uow.sessions.lock(session_id)  # a check-in (or another mark) at the same moment waits
            membership = await uow.memberships.get(person_id, cohort.id)
            if membership is None or membership.role is not Role.TRAINEE:
                raise DomainError(Problem.NOT_TRAINEE_OF_COHORT, cohort=cohort.name)
            record = await uow.attendance.get(session_id, person_id)
            before = record.status if record else None
            if (before or AttendanceStatus.ABSENT) is status and not clean_note:
                return None
            await uow.attendance.set(session_id, person_id, status, Source.ROLL, now)
            change = await uow.attendance.add_change(
                session_id=session_id,
                person_id=person_id,
                changed_by=await actor_id(uow, actor, self._clock()),
                before=before,
                after=status,
                source=Source.ROLL,
                note=clean_note,
                now=now,
            )
            await uow.sessions.mark_roll_taken(session.id, now)
            await uow.commit()
        return change

    async def finish_roll(self, actor: Actor, session_id: int) -> Roll:
        """The roll is taken: whoever has no mark counts as absent."""
        async with self._db.unit_of_work() as uow:
            session, cohort = await load_session(uow, session_id, actor)
            await uow.sessions.mark_roll_taken(session.id, self._clock())
            await uow.commit()
            session, cohort = await session_of(uow, session_id)
            return await self._roll(uow, session, cohort)

    async def absent_from_last_session(self, cohort_id: int) -> frozenset[int] | None:
        """People ids of the cohort's trainees who were not present, late or excused at its most recent session
        that has begun and had a check-in opened or a roll taken; None when there is no such session."""
        async with self._db.reading() as uow:  # callers may hold a unit of work open (broadcast targeting)
            last = await uow.sessions.last_held(cohort_id, self._clock())
            if last is None:
                return None
            trainees = await uow.attendance.trainees(cohort_id)
            records = await uow.attendance.for_session(last.id)
        return frozenset(
            t.person_id
            for t in trainees
            if (record := records.get(t.person_id)) is None or record.status not in NOT_ABSENT
        )

    async def _roll(self, uow: UnitOfWork, session: SessionDTO, cohort: CohortDTO) -> Roll:
        trainees = await uow.attendance.trainees(cohort.id)
        records = await uow.attendance.for_session(session.id)
        entries = [
            RollEntry(t, records[t.person_id].status if t.person_id in records else AttendanceStatus.ABSENT)
            for t in trainees
        ]
        return Roll(session, cohort, entries)
