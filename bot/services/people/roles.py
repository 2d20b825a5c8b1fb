"""The organisation-wide coordinator role: granted and revoked by coordinators, seeded from the settings."""

from __future__ import annotations

from bot.services.access import Actor, require_coordinator
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from storage.uow import Database


class RoleService:
    """The org-wide coordinator role, keyed by numeric Telegram id."""

    def __init__(self, db: Database, clock: Clock = utc_now) -> None:
        self._db = db
        self._clock = clock

    async def grant_coordinator(self, actor: Actor, telegram_id: int) -> bool:
        async with self._db.unit_of_work() as uow:
            await require_coordinator(uow, actor)
            changed = await uow.coordinators.grant(telegram_id, self._clock())
            await uow.commit()
        return changed

    async def revoke_coordinator(self, actor: Actor, telegram_id: int, *, keep_one: bool = False) -> bool:
        """Revoke the role; False when it was not held. With `keep_one` (in chat) the last coordinator stays:
        DomainError LAST_COORDINATOR, also when two revoke each other at the same moment."""
        async with self._db.unit_of_work() as uow:
            # Every coordinator row locked before the actor's own is read: two revoking each other wait in turn.
            if keep_one and await uow.coordinators.lock_all() == [telegram_id]:
                raise DomainError(Problem.LAST_COORDINATOR)
            await require_coordinator(uow, actor)
            changed = await uow.coordinators.revoke(telegram_id)
            await uow.commit()
        return changed

    async def seed_coordinators(self, telegram_ids: tuple[int, ...]) -> list[int]:
        """Make the configured ids coordinators; returns the ids that were new."""
        added = []
        async with self._db.unit_of_work() as uow:
            for telegram_id in telegram_ids:
                if await uow.coordinators.grant(telegram_id, self._clock()):
                    added.append(telegram_id)
            await uow.commit()
        return added

    async def coordinators(self) -> list[int]:
        async with self._db.unit_of_work() as uow:
            return await uow.coordinators.all_ids()

    async def trainers(self) -> list[int]:
        async with self._db.unit_of_work() as uow:
            return await uow.memberships.trainer_telegram_ids()
