"""Repositories for training sessions and their check-ins (with the wrong-code attempts). Flush, never commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.attendance.dto import CheckinDTO, SessionDTO
from storage.attendance.models import CheckIn, CheckinAttempt, TrainingSession


def _has_checkin() -> ColumnElement[bool]:
    return exists().where(CheckIn.session_id == TrainingSession.id)


def _session(row: TrainingSession, has_checkin: bool) -> SessionDTO:
    return SessionDTO(
        id=row.id,
        cohort_id=row.cohort_id,
        title=row.title,
        place=row.place,
        starts_at=row.starts_at,
        created_at=row.created_at,
        roll_taken_at=row.roll_taken_at,
        has_checkin=bool(has_checkin),
    )


def _checkin(row: CheckIn) -> CheckinDTO:
    return CheckinDTO(
        id=row.id,
        session_id=row.session_id,
        code=row.code,
        token=row.token,
        generation=row.generation,
        code_set_at=row.code_set_at,
        rotate_minutes=row.rotate_minutes,
        opened_by=row.opened_by,
        opened_at=row.opened_at,
        closes_at=row.closes_at,
        closed_at=row.closed_at,
        chat_id=row.chat_id,
        message_id=row.message_id,
        previous_code=row.previous_code,
        previous_token=row.previous_token,
    )


class SessionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        cohort_id: int,
        title: str,
        place: str | None,
        starts_at: dt.datetime,
        created_by: int | None,
        now: dt.datetime,
    ) -> SessionDTO:
        row = TrainingSession(
            cohort_id=cohort_id, title=title, place=place, starts_at=starts_at, created_by=created_by, created_at=now
        )
        self._session.add(row)
        await self._session.flush()
        return _session(row, False)

    async def by_id(self, session_id: int) -> SessionDTO | None:
        found = (
            await self._session.execute(select(TrainingSession, _has_checkin()).where(TrainingSession.id == session_id))
        ).first()
        return _session(found[0], found[1]) if found else None

    async def lock(self, session_id: int) -> None:
        """Row-lock the session until commit (see `storage.atomic`): its check-ins and roll marks, and opening its
        check-in, go one at a time, so each reads what the one before wrote."""
        await self._session.execute(
            select(TrainingSession.id).where(TrainingSession.id == session_id).with_for_update(key_share=True)
        )

    async def exists_at(self, cohort_id: int, starts_at: dt.datetime, title: str) -> bool:
        found = await self._session.scalar(
            select(TrainingSession.id).where(
                TrainingSession.cohort_id == cohort_id,
                TrainingSession.starts_at == starts_at,
                TrainingSession.title == title,
            )
        )
        return found is not None

    async def for_cohort(self, cohort_id: int) -> list[SessionDTO]:
        rows = await self._session.execute(
            select(TrainingSession, _has_checkin())
            .where(TrainingSession.cohort_id == cohort_id)
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
        return [_session(row, has) for row, has in rows]

    async def between(self, cohort_ids: Sequence[int] | None, start: dt.datetime, end: dt.datetime) -> list[SessionDTO]:
        """Sessions starting in [start, end] of these cohorts (all cohorts when None), earliest first."""
        query = (
            select(TrainingSession, _has_checkin())
            .where(TrainingSession.starts_at >= start, TrainingSession.starts_at <= end)
            .order_by(TrainingSession.starts_at, TrainingSession.id)
        )
        if cohort_ids is not None:
            query = query.where(TrainingSession.cohort_id.in_(cohort_ids))
        return [_session(row, has) for row, has in await self._session.execute(query)]

    async def last_held(self, cohort_id: int, now: dt.datetime) -> SessionDTO | None:
        """The most recent session that has begun and whose attendance was taken (check-in or roll)."""
        found = (
            await self._session.execute(
                select(TrainingSession, _has_checkin())
                .where(
                    TrainingSession.cohort_id == cohort_id,
                    TrainingSession.starts_at <= now,
                    TrainingSession.roll_taken_at.is_not(None) | _has_checkin(),
                )
                .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
                .limit(1)
            )
        ).first()
        return _session(found[0], found[1]) if found else None

    async def mark_roll_taken(self, session_id: int, now: dt.datetime) -> None:
        await self._session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == session_id, TrainingSession.roll_taken_at.is_(None))
            .values(roll_taken_at=now)
        )


class CheckinRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        session_id: int,
        code: str,
        token: str,
        rotate_minutes: int | None,
        opened_by: int | None,
        now: dt.datetime,
        closes_at: dt.datetime,
    ) -> CheckinDTO:
        row = CheckIn(
            session_id=session_id,
            code=code,
            token=token,
            generation=0,
            code_set_at=now,
            rotate_minutes=rotate_minutes,
            opened_by=opened_by,
            opened_at=now,
            closes_at=closes_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _checkin(row)

    async def by_id(self, checkin_id: int) -> CheckinDTO | None:
        row = await self._session.get(CheckIn, checkin_id, populate_existing=True)
        return _checkin(row) if row else None

    async def by_token(self, token: str) -> CheckinDTO | None:
        """The check-in whose current QR token, or the one it replaced last, this is."""
        row = await self._session.scalar(
            select(CheckIn).where((CheckIn.token == token) | (CheckIn.previous_token == token)).limit(1)
        )
        return _checkin(row) if row else None

    async def open_for_session(self, session_id: int, now: dt.datetime) -> CheckinDTO | None:
        row = await self._session.scalar(
            select(CheckIn)
            .where(CheckIn.session_id == session_id, CheckIn.closed_at.is_(None), CheckIn.closes_at > now)
            .order_by(CheckIn.id.desc())
            .limit(1)
        )
        return _checkin(row) if row else None

    async def open_codes(self, now: dt.datetime) -> set[str]:
        """The codes open check-ins show or showed last (a replaced code must not be handed out again)."""
        rows = await self._session.execute(
            select(CheckIn.code, CheckIn.previous_code).where(CheckIn.closed_at.is_(None), CheckIn.closes_at > now)
        )
        return {code for row in rows for code in row if code is not None}

    async def matching(self, code: str, cohort_ids: Sequence[int], now: dt.datetime) -> list[CheckinDTO]:
        """Open check-ins showing this code or having shown it last, for sessions of these cohorts."""
        if not cohort_ids:
            return []
        rows = await self._session.scalars(
            select(CheckIn)
            .join(TrainingSession, TrainingSession.id == CheckIn.session_id)
            .where(
                (CheckIn.code == code) | (CheckIn.previous_code == code),
                CheckIn.closed_at.is_(None),
                CheckIn.closes_at > now,
                TrainingSession.cohort_id.in_(cohort_ids),
            )
        )
        return [_checkin(r) for r in rows]

    async def open_in(self, cohort_ids: Sequence[int] | None, now: dt.datetime) -> list[CheckinDTO]:
        """Open check-ins of sessions of these cohorts (all cohorts when None), oldest first."""
        query = (
            select(CheckIn)
            .join(TrainingSession, TrainingSession.id == CheckIn.session_id)
            .where(CheckIn.closed_at.is_(None), CheckIn.closes_at > now)
            .order_by(CheckIn.id)
        )
        if cohort_ids is not None:
            query = query.where(TrainingSession.cohort_id.in_(cohort_ids))
        return [_checkin(r) for r in await self._session.scalars(query)]

    async def showing_code(self, code: str, now: dt.datetime) -> list[CheckinDTO]:
        """Open check-ins showing this code, whatever the cohort (a code is unique among open check-ins)."""
        rows = await self._session.scalars(
            select(CheckIn).where(CheckIn.code == code, CheckIn.closed_at.is_(None), CheckIn.closes_at > now)
        )
        return [_checkin(r) for r in rows]

    async def ended_with_code(
        self, code: str, cohort_ids: Sequence[int], since: dt.datetime, now: dt.datetime
    ) -> list[CheckinDTO]:
        """Check-ins of these cohorts opened since `since` that showed this code last and are over (closed, or
        past their window): a code typed too late."""
        if not cohort_ids:
            return []
        rows = await self._session.scalars(
            select(CheckIn)
            .join(TrainingSession, TrainingSession.id == CheckIn.session_id)
            .where(
                (CheckIn.code == code) | (CheckIn.previous_code == code),
                CheckIn.opened_at >= since,
                CheckIn.closed_at.is_not(None) | (CheckIn.closes_at <= now),
                TrainingSession.cohort_id.in_(cohort_ids),
            )
        )
        return [_checkin(r) for r in rows]

    async def unclosed(self) -> list[CheckinDTO]:
        rows = await self._session.scalars(select(CheckIn).where(CheckIn.closed_at.is_(None)).order_by(CheckIn.id))
        return [_checkin(r) for r in rows]

    async def rotate(self, checkin_id: int, code: str, token: str, now: dt.datetime) -> None:
        await self._session.execute(
            update(CheckIn)
            .where(CheckIn.id == checkin_id)
            .values(
                previous_code=CheckIn.code,
                previous_token=CheckIn.token,
                code=code,
                token=token,
                code_set_at=now,
                generation=CheckIn.generation + 1,
            )
        )

    async def set_rotation(self, checkin_id: int, minutes: int | None) -> None:
        await self._session.execute(update(CheckIn).where(CheckIn.id == checkin_id).values(rotate_minutes=minutes))

    async def close(self, checkin_id: int, now: dt.datetime) -> bool:
        """Close it (once); False when it was closed already."""
        result = await self._session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id, CheckIn.closed_at.is_(None)).values(closed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_display(self, checkin_id: int, chat_id: int, message_id: int) -> None:
        await self._session.execute(
            update(CheckIn).where(CheckIn.id == checkin_id).values(chat_id=chat_id, message_id=message_id)
        )

    async def forget_chat(self, chat_id: int) -> None:
        """Someone asked to be forgotten: check-ins no longer point at their chat (their Telegram id)."""
        await self._session.execute(
            update(CheckIn).where(CheckIn.chat_id == chat_id).values(chat_id=None, message_id=None)
        )

    async def for_session(self, session_id: int) -> list[CheckinDTO]:
        rows = await self._session.scalars(select(CheckIn).where(CheckIn.session_id == session_id).order_by(CheckIn.id))
        return [_checkin(r) for r in rows]

    # -------------------------------------------------------------------------------- wrong codes

    async def add_attempt(self, person_id: int, now: dt.datetime) -> None:
        self._session.add(CheckinAttempt(person_id=person_id, at=now))
        await self._session.flush()

    async def attempts_since(self, person_id: int, since: dt.datetime) -> list[dt.datetime]:
        rows = await self._session.scalars(
            select(CheckinAttempt.at)
            .where(CheckinAttempt.person_id == person_id, CheckinAttempt.at > since)
            .order_by(CheckinAttempt.at)
        )
        return list(rows)

    async def attempts_count(self, person_id: int) -> int:
        return int(
            await self._session.scalar(
                select(func.count(CheckinAttempt.id)).where(CheckinAttempt.person_id == person_id)
            )
            or 0
        )

    async def purge_attempts(self, before: dt.datetime) -> None:
        await self._session.execute(delete(CheckinAttempt).where(CheckinAttempt.at <= before))
