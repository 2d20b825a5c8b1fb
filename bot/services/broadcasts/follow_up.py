"""After the confirmation: what each recipient's copy is (or why it is skipped), how far a broadcast has got, its
report, and the announcements that reached a trainee."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass

from bot.services.access import Actor, authority
from bot.services.clock import Clock
from bot.services.errors import DomainError, Problem
from storage.broadcasts import BroadcastDTO, BroadcastState, ReportRow
from storage.dto import DeliveryDTO, DeliveryState
from storage.uow import Database, UnitOfWork


@dataclass(frozen=True, slots=True)
class Progress:
    broadcast: BroadcastDTO
    states: Counter[DeliveryState]

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def finished(self) -> int:
        return self.total - self.states[DeliveryState.PENDING] - self.states[DeliveryState.SENDING]

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.finished == self.total


@dataclass(frozen=True, slots=True)
class Copy:
    """One recipient's copy: the sender's message, copied as it is (formatting and media kept)."""

    from_chat_id: int
    message_id: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """Nothing to copy to this recipient, and why."""

    reason: str


@dataclass(frozen=True, slots=True)
class SenderView:
    """What the sender's status message is written in: their language and the first target cohort's time zone
    (None when unknown: the bot's defaults apply)."""

    locale: str | None
    zone: str | None


class BroadcastFollowUp:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._sources: dict[int, BroadcastDTO] = {}  # what to copy never changes: read it once

    async def _may_act(self, uow: UnitOfWork, actor: Actor, broadcast_id: int) -> BroadcastDTO:
        """The broadcast, if the actor sent it or is a coordinator (their roles read now)."""
        broadcast = await uow.broadcasts.by_id(broadcast_id)
        found = await authority(uow, actor)
        mine = broadcast is not None and found.person is not None and broadcast.sender_id == found.person.id
        if broadcast is None or not (mine or found.is_coordinator):
            raise DomainError(Problem.NOT_ALLOWED)
        return broadcast

    # ------------------------------------------------------------------------------------- one copy

    async def copy_for(self, delivery: DeliveryDTO) -> Copy | Skipped:
        """What the delivery engine sends to one recipient, or why it sends nothing."""
        broadcast_id = int(json.loads(delivery.payload)["broadcast"])
        if broadcast_id not in self._sources:
            async with self._db.unit_of_work() as uow:
                found = await uow.broadcasts.by_id(broadcast_id)
            if found is None:
                return Skipped("broadcast removed")
            self._sources[broadcast_id] = found
        broadcast = self._sources[broadcast_id]
        if broadcast.source_chat_id is None:
            return Skipped("the sender deleted their data")
        return Copy(broadcast.source_chat_id, broadcast.source_message_id)

    # ------------------------------------------------------------------------------------- progress

    async def sending(self) -> list[Progress]:
        """Broadcasts under way with their delivery states; those with nothing left are marked done."""
        async with self._db.unit_of_work() as uow:
            active = await uow.broadcasts.in_state(BroadcastState.SENDING)
            counts = await uow.broadcasts.counts([b.id for b in active])
            result = []
            for broadcast in active:
                progress = Progress(broadcast, counts.get(broadcast.id, Counter()))
                if progress.complete:
                    await uow.broadcasts.finish(
                        broadcast.id, BroadcastState.DONE, self._clock(), only_from=[BroadcastState.SENDING]
                    )
                    progress = Progress(await uow.broadcasts.by_id(broadcast.id) or broadcast, progress.states)
                result.append(progress)
            await uow.commit()
        return result

    async def progress(self, broadcast_id: int) -> Progress | None:
        async with self._db.unit_of_work() as uow:
            broadcast = await uow.broadcasts.by_id(broadcast_id)
            counts = await uow.broadcasts.counts([broadcast_id])
        return None if broadcast is None else Progress(broadcast, counts[broadcast_id])

    async def sender_view(self, broadcast: BroadcastDTO) -> SenderView:
        async with self._db.unit_of_work() as uow:
            sender = await uow.people.by_id(broadcast.sender_id) if broadcast.sender_id else None
            cohort = await uow.cohorts.by_id(broadcast.cohort_ids[0]) if broadcast.cohort_ids else None
        return SenderView(sender.locale if sender else None, cohort.timezone if cohort else None)

    async def reasons(self, broadcast_id: int) -> Counter[tuple[DeliveryState, str]]:
        async with self._db.unit_of_work() as uow:
            return await uow.broadcasts.reasons(broadcast_id)

    # -------------------------------------------------------------------------------------- reports

    async def recent(self, actor: Actor) -> list[Progress]:
        """Coordinators see every broadcast; trainers their own."""
        async with self._db.unit_of_work() as uow:
            found = await authority(uow, actor)
            sender = None if found.is_coordinator else (found.person.id if found.person else -1)
            broadcasts = await uow.broadcasts.recent(sender)
            counts = await uow.broadcasts.counts([b.id for b in broadcasts])
        return [Progress(b, counts[b.id]) for b in broadcasts]

    async def report(self, actor: Actor, broadcast_id: int) -> tuple[BroadcastDTO, list[ReportRow]]:
        async with self._db.unit_of_work() as uow:
            broadcast = await self._may_act(uow, actor, broadcast_id)
            return broadcast, await uow.broadcasts.report(broadcast_id)

    async def announcements(self, telegram_id: int) -> list[tuple[BroadcastDTO, dt.datetime]]:
        async with self._db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
            return [] if person is None else await uow.broadcasts.delivered_to(person.id)

    async def announcement(self, telegram_id: int, broadcast_id: int) -> BroadcastDTO:
        """One announcement that reached this person (to show it again)."""
        for broadcast, _when in await self.announcements(telegram_id):
            if broadcast.id == broadcast_id:
                return broadcast
        raise DomainError(Problem.NOT_ALLOWED)
