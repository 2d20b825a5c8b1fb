"""Recording what became of each delivery, even when the database refuses for a while.

An outcome is a `Write`: what to change in one unit of work. `Outcomes.settle` commits it, trying again with backoff;
if the database keeps refusing, the outcome is kept in memory (the row stays `sending`: claimed by this engine, so
never sent again) and `record_kept` retries it at the engine's next sweeps. A message that went out is therefore
recorded as sent once, while the bot runs, without a restart and without a second send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from storage.dto import DeliveryDTO, DeliveryState, PersonStatus
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

BLOCKED_REASON = "blocked the bot"
# Changes one outcome in a unit of work (the caller commits); returns how many other rows it closed too.
Write = Callable[[UnitOfWork], Awaitable[int]]
Announce = Callable[[DeliveryDTO, DeliveryState, int], None]


@dataclass(slots=True)
class Kept:
    """An outcome the database refused: recorded at the next sweeps, never sent again meanwhile."""

    row: DeliveryDTO
    state: DeliveryState | None  # None: back to pending (a retry), nothing to announce
    write: Write
    fallback: Write | None = None  # the state alone, for when `write` keeps failing (a kind's on_sent that fails)
    tries: int = 0


FALLBACK_AFTER = 3  # sweeps before a kept outcome is recorded without its kind's side effects


def finish(
    row: DeliveryDTO, state: DeliveryState, at: dt.datetime, reason: str | None = None, message_id: int | None = None
) -> Write:
    async def write(uow: UnitOfWork) -> int:
        await uow.deliveries.finish(row.id, state, at, reason=reason, message_id=message_id)
        return 0

    return write


def again(row: DeliveryDTO, when: dt.datetime, reason: str, at: dt.datetime) -> Write:
    """Back to pending, to be tried again from `when`."""

    async def write(uow: UnitOfWork) -> int:
        await uow.deliveries.retry(row.id, when, reason, at)
        return 0

    return write


def blocked(row: DeliveryDTO, at: dt.datetime) -> Write:
    """403: the person blocked the bot. Nothing more goes to them until they come back."""

    async def write(uow: UnitOfWork) -> int:
        await uow.deliveries.finish(row.id, DeliveryState.BLOCKED, at, reason=BLOCKED_REASON)
        closed = 0
        if row.person_id is not None:
            closed = await uow.deliveries.close_pending_for(row.person_id, DeliveryState.BLOCKED, BLOCKED_REASON, at)
        if row.chat_id is not None and row.chat_id > 0:
            await uow.people.set_status(row.chat_id, PersonStatus.BLOCKED)
        return closed

    return write


class Outcomes:
    def __init__(self, db: Database, announce: Announce, *, attempts: int = 4, backoff: float = 0.5) -> None:
        self._db = db
        self._announce = announce
        self._attempts = attempts
        self._backoff = backoff
        self.kept: dict[int, Kept] = {}  # by delivery id

    async def settle(
        self, row: DeliveryDTO, state: DeliveryState | None, write: Write, fallback: Write | None = None
    ) -> None:
        """Record an outcome; when the database refuses, try again with backoff, then keep it for the sweep."""
        delay = self._backoff
        for attempt in range(self._attempts):
            if attempt:
                try:
                    await asyncio.sleep(delay)
                except asyncio.CancelledError:  # stopping: the engine's last try at stop may still record it
                    self.kept[row.id] = Kept(row, state, write, fallback)
                    raise
                delay *= 2
            if await self._try(row, state, write):
                return
        self.kept[row.id] = Kept(row, state, write, fallback)
        log.error("delivery %d (%s): outcome not recorded yet; the sweep tries again", row.id, row.kind)

    async def record_kept(self) -> None:
        for delivery_id, kept in list(self.kept.items()):
            kept.tries += 1
            done = await self._try(kept.row, kept.state, kept.write)
            if not done and kept.fallback is not None and kept.tries >= FALLBACK_AFTER:
                done = await self._try(kept.row, kept.state, kept.fallback)
            if done:
                del self.kept[delivery_id]
                log.info("delivery %d (%s): its outcome is recorded at last", kept.row.id, kept.row.kind)

    async def _try(self, row: DeliveryDTO, state: DeliveryState | None, write: Write) -> bool:
        try:
            async with self._db.unit_of_work() as uow:
                closed = await write(uow)
                await uow.commit()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("delivery %d (%s): recording its outcome failed", row.id, row.kind, exc_info=True)
            return False
        if state is not None:
            self._announce(row, state, closed)
        return True
