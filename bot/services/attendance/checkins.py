"""Check-ins: a short code or the QR's deep link, for a window (CHECKIN_WINDOW_MINUTES). No Telegram here.

A code is unique among open check-ins and, when rotating, replaced every few minutes (the old one stops working at
once). Wrong codes are counted in the database per person, so a restart does not reset the limit. Every change to a
trainee's status, check-ins included, is audited. Sessions and the roll: `bot.services.attendance.sessions`; the
alarms and what they send: `bot.services.attendance.checkin_alarms`.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets

from bot.services.access import Actor
from bot.services.attendance.common import (
    CheckinResult,
    CheckinView,
    actor_id,
    load_cohort,
    load_session,
    session_of,
)
from bot.services.attendance.sessions import NEAR, SessionService, managed_scope
from bot.services.errors import DomainError, Problem
from bot.text import clean_input, normalize_digits
from storage.attendance.dto import AttendanceStatus, CheckinDTO, SessionDTO, Source
from storage.dto import CohortDTO, CohortStatus, Role
from storage.uow import UnitOfWork

TOKEN_BYTES = 9  # 12 URL-safe characters
CODE_TRIES = 100
# A replaced code (or QR) still works this long: the new one reaches the trainer's screen through the outbox, and
# people copy what they see. After it, the old code gets "expired" and is not counted as a wrong guess.
ROTATION_GRACE = dt.timedelta(seconds=60)
ENDED_LOOKBACK = dt.timedelta(hours=12)  # a code of a check-in that ended this recently gets "closed", not "wrong"


class CheckinService(SessionService):
    """Sessions and the roll (inherited) and check-ins; `AttendanceService` adds their alarms."""

    # ------------------------------------------------------------------------------------------ check-in

    async def open_checkin(
        self, actor: Actor, session_id: int, *, rotate: bool | None = None
    ) -> tuple[CheckinView, bool]:
        """Open the session's check-in, or return the one already open; (view, whether it is new)."""
        now = self._clock()
        rotating = self.settings.rotate_by_default if rotate is None else rotate
        async with self._db.unit_of_work() as uow:
            session, cohort = await load_session(uow, session_id, actor)
            if cohort.status is CohortStatus.ENDED:
                raise DomainError(Problem.COHORT_OVER, name=cohort.name)
            await uow.sessions.lock(session_id)  # two trainers opening it at once get the same check-in
            current = await uow.checkins.open_for_session(session_id, now)
            if current is not None:
                return await self._view(uow, current, session, cohort), False
            if abs(session.starts_at - now) > NEAR:  # what /checkin_open offers; an old "which session?" button
                raise DomainError(Problem.CHECKIN_NOT_NEAR, title=session.title)
            code = await self._new_code(uow, now)
            checkin = await uow.checkins.add(
                session_id=session_id,
                code=code,
                token=secrets.token_urlsafe(TOKEN_BYTES),
                rotate_minutes=self._rotate_minutes() if rotating else None,
                opened_by=await actor_id(uow, actor, self._clock()),
                now=now,
                closes_at=now + self.settings.window,
            )
            view = await self._view(uow, checkin, session, cohort)
            await uow.commit()
        return view, True

    async def view(self, actor: Actor, checkin_id: int) -> CheckinView:
        """The check-in and its count now, for a manager of its cohort."""
        async with self._db.unit_of_work() as uow:
            checkin = await self._guard_checkin(uow, checkin_id, actor)
            session, cohort = await session_of(uow, checkin.session_id)
            return await self._view(uow, checkin, session, cohort)

    async def display(self, checkin_id: int) -> CheckinView:
        """What the opener's check-in message shows, for the delivery engine's renderer (nobody acts)."""
        async with self._db.unit_of_work() as uow:
            checkin = await uow.checkins.by_id(checkin_id)
            if checkin is None:
                raise DomainError(Problem.CHECKIN_CLOSED)
            session, cohort = await session_of(uow, checkin.session_id)
            return await self._view(uow, checkin, session, cohort)

    async def set_display(self, actor: Actor, checkin_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.unit_of_work() as uow:
            await self._guard_checkin(uow, checkin_id, actor)
            await uow.checkins.set_display(checkin_id, chat_id, message_id)
            await uow.commit()

    async def close(self, actor: Actor, checkin_id: int) -> CheckinView:
        async with self._db.unit_of_work() as uow:
            await self._guard_checkin(uow, checkin_id, actor)
            await uow.checkins.close(checkin_id, self._clock())
            await uow.commit()
        return await self.display(checkin_id)

    async def set_rotation(self, actor: Actor, checkin_id: int, on: bool) -> CheckinView:
        """Rotation on: a new code at once, then every CHECKIN_ROTATE_MINUTES. Off: the current code stays."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            checkin = await self._guard_checkin(uow, checkin_id, actor)
            if not checkin.is_open(now):
                raise DomainError(Problem.CHECKIN_CLOSED)
            await uow.checkins.set_rotation(checkin_id, self._rotate_minutes() if on else None)
            if on:
                await uow.checkins.rotate(checkin_id, await self._new_code(uow, now), self._token(), now)
            await uow.commit()
        return await self.display(checkin_id)

    async def check_in_code(self, telegram_id: int, typed: str) -> CheckinResult:
        """A typed code: the open check-in showing it, among the person's cohorts; a wrong one is counted."""
        now = self._clock()
        code = normalize_digits(clean_input(typed))
        async with self._db.unit_of_work() as uow:
            # Locked: one person's codes are counted one at a time, so parallel guesses cannot pass the limit.
            person_id, cohort_ids = await self._trainee(uow, telegram_id, lock=True)
            since = now - self.settings.wrong_window
            wrong = await uow.checkins.attempts_since(person_id, since)
            if len(wrong) >= self.settings.max_wrong:
                free_at = wrong[-self.settings.max_wrong] + self.settings.wrong_window
                minutes = max(1, math.ceil((free_at - now).total_seconds() / 60))
                raise DomainError(Problem.CHECKIN_TOO_MANY_TRIES, minutes=minutes)
            found = await uow.checkins.matching(code, cohort_ids, now)
            current = [c for c in found if _accepts_code(c, code, now)]
            if current:
                result = await self._record_checkin(uow, current[0], person_id, now)
                await uow.commit()
                return result
            if found:  # their check-in's code changed (or was due to, the bot being down): not a guess
                raise DomainError(Problem.CHECKIN_CODE_EXPIRED)
            ended = await uow.checkins.ended_with_code(code, cohort_ids, now - ENDED_LOOKBACK, now)
            if ended:  # the code of their cohort's check-in, typed after it closed: not a guess either
                session = await uow.sessions.by_id(ended[-1].session_id)
                raise DomainError(Problem.CHECKIN_ENDED, session=session.title if session else "")
            await uow.checkins.add_attempt(person_id, now)
            await uow.checkins.purge_attempts(now - self.settings.wrong_window * 2)
            elsewhere = await uow.checkins.showing_code(code, now)
            other = await uow.cohorts.by_id(await self._cohort_of(uow, elsewhere[0])) if elsewhere else None
            await uow.commit()
        if other is not None:  # counted as a wrong code all the same: no way round the limit
            raise DomainError(Problem.CHECKIN_NOT_MEMBER, cohort=other.name)
        raise DomainError(Problem.CHECKIN_WRONG_CODE, left=self.settings.max_wrong - len(wrong) - 1)

    async def open_checkins(self, actor: Actor, cohort_id: int | None = None) -> list[CheckinView]:
        """The open check-ins the actor may close (of one cohort if given), oldest first."""
        now = self._clock()
        async with self._db.reading() as uow:
            if cohort_id is not None:
                await load_cohort(uow, cohort_id, actor)
            manageable = await managed_scope(uow, actor, None if cohort_id is None else frozenset({cohort_id}))
            checkins = await uow.checkins.open_in(None if manageable is None else sorted(manageable), now)
            views = []
            for checkin in checkins:
                session, cohort = await session_of(uow, checkin.session_id)
                views.append(await self._view(uow, checkin, session, cohort))
        return views

    async def check_in_link(self, telegram_id: int, token: str) -> CheckinResult:
        """The QR's deep link: unguessable, so it is not rate-limited; it must be the current one."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            person_id, cohort_ids = await self._trainee(uow, telegram_id)
            checkin = await uow.checkins.by_token(token)
            if checkin is None or not checkin.is_open(now):
                raise DomainError(Problem.CHECKIN_CLOSED)
            if not _accepts_token(checkin, token, now):
                raise DomainError(Problem.CHECKIN_CODE_EXPIRED)
            session = await uow.sessions.by_id(checkin.session_id)
            assert session is not None
            if session.cohort_id not in cohort_ids:
                cohort = await uow.cohorts.by_id(session.cohort_id)
                raise DomainError(Problem.CHECKIN_NOT_MEMBER, cohort=cohort.name if cohort else "")
            result = await self._record_checkin(uow, checkin, person_id, now)
            await uow.commit()
        return result

    # ----------------------------------------------------------------------------------------- helpers

    async def _guard_checkin(self, uow: UnitOfWork, checkin_id: int, actor: Actor) -> CheckinDTO:
        """The check-in, if the actor manages its session's cohort now."""
        checkin = await uow.checkins.by_id(checkin_id)
        if checkin is None:
            raise DomainError(Problem.CHECKIN_CLOSED)
        await load_session(uow, checkin.session_id, actor)
        return checkin

    async def _cohort_of(self, uow: UnitOfWork, checkin: CheckinDTO) -> int:
        session = await uow.sessions.by_id(checkin.session_id)
        assert session is not None
        return session.cohort_id

    async def _trainee(self, uow: UnitOfWork, telegram_id: int, *, lock: bool = False) -> tuple[int, list[int]]:
        """The person id and the cohorts they are a trainee of; refused when they are not registered in any."""
        person = await (uow.people.lock if lock else uow.people.by_telegram_id)(telegram_id)
        if person is None or not person.is_registered:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        cohorts = [m.cohort_id for m in await uow.memberships.for_person(person.id) if m.role is Role.TRAINEE]
        if not cohorts:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        return person.id, cohorts

    async def _record_checkin(
        self, uow: UnitOfWork, checkin: CheckinDTO, person_id: int, now: dt.datetime
    ) -> CheckinResult:
        await uow.sessions.lock(checkin.session_id)  # against the roll and other check-ins (the cap) at once
        session, cohort = await session_of(uow, checkin.session_id)
        status = (
            AttendanceStatus.LATE if now > session.starts_at + self.settings.late_after else AttendanceStatus.PRESENT
        )
        record = await uow.attendance.get(session.id, person_id)
        if record is not None and record.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE):
            return CheckinResult(session, cohort, record.status, already=True)
        if await uow.attendance.checked_in(session.id) >= await uow.attendance.trainee_count(cohort.id):
            raise DomainError(Problem.CHECKIN_FULL)
        if record is None:
            if not await uow.attendance.insert_checkin(session.id, person_id, status, now):
                raced = await uow.attendance.get(session.id, person_id)  # a second scan at the same moment
                return CheckinResult(session, cohort, raced.status if raced else status, already=True)
        else:  # marked absent or excused on the roll, and came after all
            await uow.attendance.set(session.id, person_id, status, Source.CHECKIN, now, checked_in=True)
        await uow.attendance.add_change(
            session_id=session.id,
            person_id=person_id,
            changed_by=person_id,
            before=record.status if record else None,
            after=status,
            source=Source.CHECKIN,
            note=None,
            now=now,
        )
        return CheckinResult(session, cohort, status, already=False)

    async def _view(self, uow: UnitOfWork, checkin: CheckinDTO, session: SessionDTO, cohort: CohortDTO) -> CheckinView:
        records = await uow.attendance.for_session(session.id)
        late = sum(1 for r in records.values() if r.status is AttendanceStatus.LATE)
        present = sum(1 for r in records.values() if r.status is AttendanceStatus.PRESENT)
        trainees = await uow.attendance.trainee_count(cohort.id)
        late_from = session.starts_at + self.settings.late_after
        return CheckinView(checkin, session, cohort, present + late, late, trainees, late_from)

    async def _new_code(self, uow: UnitOfWork, now: dt.datetime) -> str:
        """A code no open check-in shows (the one being replaced included)."""
        taken = await uow.checkins.open_codes(now)
        digits = self.settings.code_digits
        for _ in range(CODE_TRIES):
            code = f"{secrets.randbelow(10**digits):0{digits}d}"
            if code not in taken:
                return code
        raise RuntimeError("no free check-in code: too many check-ins open at once")

    def _token(self) -> str:
        return secrets.token_urlsafe(TOKEN_BYTES)

    def _rotate_minutes(self) -> int:
        return max(1, round(self.settings.rotate_every.total_seconds() / 60))


def _accepts_code(checkin: CheckinDTO, code: str, now: dt.datetime) -> bool:
    return _accepts(checkin, code, checkin.code, checkin.previous_code, now)


def _accepts_token(checkin: CheckinDTO, token: str, now: dt.datetime) -> bool:
    return _accepts(checkin, token, checkin.token, checkin.previous_token, now)


def _accepts(checkin: CheckinDTO, given: str, current: str, previous: str | None, now: dt.datetime) -> bool:
    """The current code (or QR) until it is due to change; the one it replaced for a short grace."""
    if given == current:
        return now < checkin.code_expires_at
    return given == previous and now < checkin.code_set_at + ROTATION_GRACE
