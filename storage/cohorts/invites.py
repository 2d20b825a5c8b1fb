"""Invites: the links that admit trainees or trainers to a cohort, with their limits."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dto import InviteDTO, Role
from storage.models import Invite


def _invite(row: Invite) -> InviteDTO:
    return InviteDTO(
        id=row.id,
        token=row.token,
        cohort_id=row.cohort_id,
        role=Role(row.role),
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
        revoked_at=row.revoked_at,
        created_at=row.created_at,
    )


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        token: str,
        cohort_id: int,
        role: Role,
        expires_at: dt.datetime | None,
        max_uses: int | None,
        now: dt.datetime,
    ) -> InviteDTO:
        row = Invite(
            token=token,
            cohort_id=cohort_id,
            role=role,
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _invite(row)

    async def by_token(self, token: str) -> InviteDTO | None:
        row = await self._session.scalar(select(Invite).where(Invite.token == token))
        return _invite(row) if row else None

    async def by_id(self, invite_id: int) -> InviteDTO | None:
        row = await self._session.get(Invite, invite_id)
        return _invite(row) if row else None

    async def for_cohort(self, cohort_id: int) -> list[InviteDTO]:
        rows = await self._session.scalars(
            select(Invite).where(Invite.cohort_id == cohort_id).order_by(Invite.created_at.desc())
        )
        return [_invite(r) for r in rows]

    async def use(self, invite_id: int) -> bool:
        """Count one use, atomically refusing when the cap is reached; False when it was."""
        result = await self._session.execute(
            update(Invite)
            .where(Invite.id == invite_id, (Invite.max_uses.is_(None)) | (Invite.uses < Invite.max_uses))
            .values(uses=Invite.uses + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke(self, invite_id: int, now: dt.datetime) -> None:
        await self._session.execute(
            update(Invite).where(Invite.id == invite_id, Invite.revoked_at.is_(None)).values(revoked_at=now)
        )
