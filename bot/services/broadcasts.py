"""Broadcasts: who an announcement goes to, its draft, the one confirmation that plans it, cancel, progress.

No Telegram here: the announcement is a message the sender already sent the bot, referred to by chat and message id;
the delivery engine copies it to each recipient (one outbox row per recipient: a restart never sends twice).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.services.access import Principal
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

    def check_cohorts(self, principal: Principal, cohort_ids: Sequence[int]) -> None:
        if not cohort_ids:
            raise DomainError(Problem.NO_RECIPIENTS)
        for cohort_id in cohort_ids:
            if not principal.can_manage(cohort_id):
                raise DomainError(Problem.NOT_ALLOWED)

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

    async def towns(self, principal: Principal, cohort_ids: Sequence[int]) -> list[tuple[str, int]]:
        """The towns of these cohorts' trainees, most people first: (town, count)."""
        self.check_cohorts(principal, cohort_ids)
        async with self._db.unit_of_work() as uow:
            people = await self.recipients(uow, Target(tuple(cohort_ids)), {})
        counts = Counter(r.town or "?" for r in people)
        return counts.most_common()

    async def count(self, principal: Principal, target: Target) -> int:
        self.check_cohorts(principal, target.cohort_ids)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
            return len(await self.recipients(uow, target, absentees))

    # -------------------------------------------------------------------------------------------- drafts

    async def draft(
        self,
        principal: Principal,
        target: Target,
        *,
        source_chat_id: int,
        source_message_id: int,
        content: str,
        text: str | None,
    ) -> BroadcastDTO:
        """The announcement as composed, not sent; refuses an empty audience and over-long text."""
        self.check_cohorts(principal, target.cohort_ids)
        limit = TEXT_MAX if content == "text" else CAPTION_MAX
        if text is not None and len(text) > limit:
            raise DomainError(Problem.TEXT_TOO_LONG, length=len(text), limit=limit)
        if principal.person is None:
            raise DomainError(Problem.PERSON_NOT_FOUND)
        text = None if text is None else storable(text)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
            people = await self.recipients(uow, target, absentees)
            if not people:
                raise DomainError(Problem.NO_RECIPIENTS)
            draft = await uow.broadcasts.add(
                sender_id=principal.person.id,
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

    def _may_act(self, principal: Principal, broadcast: BroadcastDTO | None) -> BroadcastDTO:
        mine = broadcast is not None and principal.person is not None and broadcast.sender_id == principal.person.id
        if broadcast is None or not (mine or principal.is_coordinator):
            raise DomainError(Problem.NOT_ALLOWED)
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

    async def confirm(self, principal: Principal, broadcast_id: int, send_at: dt.datetime | None = None) -> int | None:
        """Plan one delivery per recipient, once; returns how many, or None when it was already confirmed."""
        now = self._clock()
        if send_at is not None:
            self._check_send_at(send_at, now)
        async with self._db.unit_of_work() as uow:
            broadcast = self._may_act(principal, await uow.broadcasts.by_id(broadcast_id))
        target = Target(broadcast.cohort_ids, broadcast.towns, broadcast.only_absent)
        absentees = await self.absentees(target)
        async with self._db.unit_of_work() as uow:
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

    async def discard(self, principal: Principal, broadcast_id: int) -> bool:
        """Drop a draft (Cancel before Confirm)."""
        async with self._db.unit_of_work() as uow:
            self._may_act(principal, await uow.broadcasts.by_id(broadcast_id))
            dropped = await uow.broadcasts.finish(
                broadcast_id, BroadcastState.CANCELLED, self._clock(), only_from=[BroadcastState.DRAFT]
            )
            await uow.commit()
        return dropped

    async def cancel(self, principal: Principal, broadcast_id: int) -> bool:
        """Stop a broadcast under way: what has not gone yet is skipped. False when it had already ended."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            self._may_act(principal, await uow.broadcasts.by_id(broadcast_id))
            stopped = await uow.broadcasts.finish(
                broadcast_id, BroadcastState.CANCELLED, now, only_from=[BroadcastState.SENDING]
            )
            if stopped:
                await uow.deliveries.close_pending_of(
                    BROADCAST, str(broadcast_id), DeliveryState.SKIPPED, CANCELLED, now
                )
            await uow.commit()
        return stopped

    async def set_status_message(self, broadcast_id: int, chat_id: int, message_id: int) -> None:
        async with self._db.unit_of_work() as uow:
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

    async def recent(self, principal: Principal) -> list[Progress]:
        """Coordinators see every broadcast; trainers their own."""
        sender = None if principal.is_coordinator else (principal.person.id if principal.person else -1)
        async with self._db.unit_of_work() as uow:
            broadcasts = await uow.broadcasts.recent(sender)
            counts = await uow.broadcasts.counts([b.id for b in broadcasts])
        return [Progress(b, counts[b.id]) for b in broadcasts]

    async def report(self, principal: Principal, broadcast_id: int) -> tuple[BroadcastDTO, list[ReportRow]]:
        async with self._db.unit_of_work() as uow:
            broadcast = self._may_act(principal, await uow.broadcasts.by_id(broadcast_id))
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
