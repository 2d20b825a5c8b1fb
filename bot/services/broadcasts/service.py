"""Broadcasts: who an announcement goes to, its draft, the one confirmation that plans it, cancel, progress.

No Telegram here: the announcement is a message the sender already sent the bot, referred to by chat and message id;
the delivery engine copies it to each recipient (one outbox row per recipient: a restart never sends twice).
Who acts is checked against the database in each operation: a sender must manage every target cohort when drafting
and again when confirming.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.access import Actor, Authority, authority, require_managers
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.text import storable
from storage.broadcasts import BROADCAST, BroadcastDTO, BroadcastState, ReportRow
from storage.dto import CohortStatus, DeliveryState, NewDelivery, PersonStatus, Recipient
from storage.uow import Database, UnitOfWork

VALID_FOR = dt.timedelta(hours=24)  # an announcement still goes out this long after its time (after downtime)
SEND_AHEAD_MAX = dt.timedelta(days=366)  # "Send at a time…": in the future, at most a year ahead
CANCELLED = "broadcast cancelled"
CAPTION_MAX = 1024
TEXT_MAX = 4096
# Absent from the last session, per cohort: person ids, or None when the cohort has had no session yet.
AbsentLookup = Callable[[int], Awaitable[frozenset[int] | None]]


@dataclass(frozen=True, slots=True)
class Target:
    cohort_ids: tuple[int, ...]
    towns: tuple[str, ...] | None = None  # None: every town
    only_absent: bool = False


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


class BroadcastService:
    def __init__(self, db: Database, clock: Clock = utc_now, absent: AbsentLookup | None = None) -> None:
        self._db = db
        self._clock = clock
        self.absent = absent  # set when attendance exists
        self.on_planned: Callable[[], None] = lambda: None

    # ------------------------------------------------------------------------------------------ audience

    async def check_cohorts(self, uow: UnitOfWork, actor: Actor, cohort_ids: Sequence[int]) -> Authority:
        """The actor manages every one of these cohorts now (read in the caller's unit of work)."""
        if not cohort_ids:
            raise DomainError(Problem.NO_RECIPIENTS)
        return await require_managers(uow, actor, cohort_ids)

    async def absentees(self, target: Target) -> dict[int, frozenset[int] | None]:
        """Per cohort, who missed its last session (asked before any unit of work opens: never nest them)."""
        if not target.only_absent or self.absent is None:
            return {}
        return {cohort_id: await self.absent(cohort_id) for cohort_id in target.cohort_ids}

    async def recipients(
        self, uow: UnitOfWork, target: Target, absentees: dict[int, frozenset[int] | None]
    ) -> list[Recipient]:
        """Registered trainees of the target cohorts (once each), filtered by town and attendance."""
        chosen: dict[int, Recipient] = {}
        for cohort_id in target.cohort_ids:
            cohort = await uow.cohorts.by_id(cohort_id)
            if cohort is None or cohort.status is not CohortStatus.ACTIVE:
                continue
            absent = absentees.get(cohort_id)
            for recipient in await uow.memberships.recipients(cohort_id, include_blocked=True):
                if target.towns is not None and recipient.town not in target.towns:
                    continue
                if target.only_absent and (absent is None or recipient.person_id not in absent):
                    continue
                chosen.setdefault(recipient.person_id, recipient)
        return list(chosen.values())

    async def towns(self, actor: Actor, cohort_ids: Sequence[int]) -> list[tuple[str, int]]:
        """The towns of these cohorts' trainees, most people first: (town, count)."""
        async with self._db.unit_of_work() as uow:
            await self.check_cohorts(uow, actor, cohort_ids)
            people = await self.recipients(uow, Target(tuple(cohort_ids)), {})
        counts = Counter(r.town or "?" for r in people)
        return counts.most_common()

    async def count(self, actor: Actor, target: Target) -> int:
        if not target.cohort_ids:
            raise DomainError(Problem.NO_RECIPIENTS)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
            await self.check_cohorts(uow, actor, target.cohort_ids)
            return len(await self.recipients(uow, target, absentees))

    # -------------------------------------------------------------------------------------------- drafts

    async def draft(
        self,
        actor: Actor,
        target: Target,
        *,
        source_chat_id: int,
        source_message_id: int,
        content: str,
        text: str | None,
    ) -> BroadcastDTO:
        """The announcement as composed, not sent; refuses an empty audience and over-long text."""
        if not target.cohort_ids:
            raise DomainError(Problem.NO_RECIPIENTS)
        limit = TEXT_MAX if content == "text" else CAPTION_MAX
        if text is not None and len(text) > limit:
            raise DomainError(Problem.TEXT_TOO_LONG, length=len(text), limit=limit)
        text = None if text is None else storable(text)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
            sender = (await self.check_cohorts(uow, actor, target.cohort_ids)).person
            if sender is None:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            people = await self.recipients(uow, target, absentees)
            if not people:
                raise DomainError(Problem.NO_RECIPIENTS)
            draft = await uow.broadcasts.add(
                sender_id=sender.id,
                source_chat_id=source_chat_id,
                source_message_id=source_message_id,
                content=content,
                text=text,
                cohort_ids=target.cohort_ids,
                towns=target.towns,
                only_absent=target.only_absent,
                recipients=len(people),
                now=self._clock(),
            )
            await uow.commit()
        return draft

    async def _may_act(self, uow: UnitOfWork, actor: Actor, broadcast_id: int) -> BroadcastDTO:
        """The broadcast, if the actor sent it or is a coordinator (their roles read now)."""
        broadcast = await uow.broadcasts.by_id(broadcast_id)
        found = await authority(uow, actor)
        mine = broadcast is not None and found.person is not None and broadcast.sender_id == found.person.id
        if broadcast is None or not (mine or found.is_coordinator):
            raise DomainError(Problem.NOT_ALLOWED)
        return broadcast

    async def _may_send(self, uow: UnitOfWork, actor: Actor, broadcast_id: int) -> BroadcastDTO:
        """As `_may_act`, and the actor still manages every target cohort (a trainer removed from one since the
        draft may not send to it)."""
        broadcast = await self._may_act(uow, actor, broadcast_id)
        await self.check_cohorts(uow, actor, broadcast.cohort_ids)
        return broadcast

    def send_moment(self, day: dt.date, time: dt.time, zone: str) -> dt.datetime:
        """A typed day and time in the cohort's zone → UTC, refused unless ahead and within SEND_AHEAD_MAX. The day
        is checked before the conversion: year 1 or 9999 would overflow it."""
        now = self._clock()
        today = now.astimezone(ZoneInfo(zone)).date()
        if day < today - dt.timedelta(days=1):
            raise DomainError(Problem.TIME_IN_PAST)
        if day > today + SEND_AHEAD_MAX + dt.timedelta(days=1):
            raise DomainError(Problem.TIME_TOO_FAR)
        moment = dt.datetime.combine(day, time, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
        self._check_send_at(moment, now)
        return moment

    @staticmethod
    def _check_send_at(send_at: dt.datetime, now: dt.datetime) -> None:
        if send_at <= now:
            raise DomainError(Problem.TIME_IN_PAST)
        if send_at > now + SEND_AHEAD_MAX:
            raise DomainError(Problem.TIME_TOO_FAR)

    async def confirm(self, actor: Actor, broadcast_id: int, send_at: dt.datetime | None = None) -> int | None:
        """Plan one delivery per recipient, once; returns how many, or None when it was already confirmed."""
        now = self._clock()
        if send_at is not None:
            self._check_send_at(send_at, now)
        async with self._db.unit_of_work() as uow:
            broadcast = await self._may_send(uow, actor, broadcast_id)
        target = Target(broadcast.cohort_ids, broadcast.towns, broadcast.only_absent)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
            await self._may_send(uow, actor, broadcast_id)  # again, in the transaction that plans the deliveries
            people = await self.recipients(uow, target, absentees)
            if not people:
                raise DomainError(Problem.NO_RECIPIENTS)
            if not await uow.broadcasts.confirm(broadcast_id, send_at=send_at, recipients=len(people), now=now):
                return None
            due = send_at or now
            items = [
                NewDelivery(
                    key=f"{BROADCAST}:{broadcast_id}:{r.person_id}",
                    kind=BROADCAST,
                    person_id=r.person_id,
                    chat_id=r.telegram_id,
                    cohort_id=broadcast.cohort_ids[0],
                    due_at=due,
                    expires_at=due + VALID_FOR,
                    ref=str(broadcast_id),
                    payload=json.dumps({"broadcast": broadcast_id}),
                )
                for r in people
            ]
            await uow.deliveries.plan(items, now)
            for r in people:  # who blocked the bot is counted, not tried
                if r.status is PersonStatus.BLOCKED:
                    await uow.deliveries.close_pending_for(r.person_id, DeliveryState.BLOCKED, "blocked the bot", now)
            await uow.commit()
        self.on_planned()
        return len(people)

    async def discard(self, actor: Actor, broadcast_id: int) -> bool:
        """Drop a draft (Cancel before Confirm)."""
        async with self._db.unit_of_work() as uow:
            await self._may_act(uow, actor, broadcast_id)
            dropped = await uow.broadcasts.finish(
                broadcast_id, BroadcastState.CANCELLED, self._clock(), only_from=[BroadcastState.DRAFT]
            )
            await uow.commit()
        return dropped

    async def cancel(self, actor: Actor, broadcast_id: int) -> bool:
        """Stop a broadcast under way (its sender or a coordinator): what has not gone yet is skipped. False when it
        had already ended."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            await self._may_act(uow, actor, broadcast_id)
            stopped = await uow.broadcasts.finish(
                broadcast_id, BroadcastState.CANCELLED, now, only_from=[BroadcastState.SENDING]
            )
            if stopped:
                await uow.deliveries.close_pending_of(
                    BROADCAST, str(broadcast_id), DeliveryState.SKIPPED, CANCELLED, now
                )
            await uow.commit()
        return stopped

    async def set_status_message(self, actor: Actor, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.unit_of_work() as uow:
            await self._may_act(uow, actor, broadcast_id)
            await uow.broadcasts.set_status_message(broadcast_id, chat_id, message_id)
            await uow.commit()

    # ------------------------------------------------------------------------------------- follow-up

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

    async def reasons(self, broadcast_id: int) -> Counter[tuple[DeliveryState, str]]:
        async with self._db.unit_of_work() as uow:
            return await uow.broadcasts.reasons(broadcast_id)

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
