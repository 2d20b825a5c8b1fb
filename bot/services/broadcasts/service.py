"""Broadcasts: who an announcement goes to, its draft, the one confirmation that plans it, cancel.

No Telegram here: the announcement is a message the sender already sent the bot, referred to by chat and message id;
the delivery engine copies it to each recipient (one outbox row per recipient: a restart never sends twice).
Who acts is checked against the database in each operation: a sender must manage every target cohort when drafting
and again when confirming. What follows the confirmation (progress, reports) is in `follow_up`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from bot.services.access import Actor
from bot.services.broadcasts.audience import AbsentLookup, Target, absentees, check_cohorts, recipients
from bot.services.broadcasts.follow_up import BroadcastFollowUp
from bot.services.clock import Clock, utc_now
from bot.services.errors import DomainError, Problem
from bot.text import storable
from storage.broadcasts import BROADCAST, BroadcastDTO, BroadcastState
from storage.dto import DeliveryState, NewDelivery, PersonStatus
from storage.uow import Database, UnitOfWork

VALID_FOR = dt.timedelta(hours=24)  # an announcement still goes out this long after its time (after downtime)
SEND_AHEAD_MAX = dt.timedelta(days=366)  # "Send at a time…": in the future, at most a year ahead
CANCELLED = "broadcast cancelled"
CAPTION_MAX = 1024
TEXT_MAX = 4096


class BroadcastService(BroadcastFollowUp):
    def __init__(self, db: Database, clock: Clock = utc_now, absent: AbsentLookup | None = None) -> None:
        super().__init__(db, clock)
        self.absent = absent  # set when attendance exists
        self.on_planned: Callable[[], None] = lambda: None

    # ------------------------------------------------------------------------------------------ audience

    async def towns(self, actor: Actor, cohort_ids: Sequence[int]) -> list[tuple[str, int]]:
        """The towns of these cohorts' trainees, most people first: (town, count)."""
        async with self._db.unit_of_work() as uow:
            await check_cohorts(uow, actor, cohort_ids)
            people = await recipients(uow, Target(tuple(cohort_ids)), {})
        counts = Counter(r.town or "?" for r in people)
        return counts.most_common()

    async def count(self, actor: Actor, target: Target) -> int:
        if not target.cohort_ids:
            raise DomainError(Problem.NO_RECIPIENTS)
        absent = await absentees(self.absent, target)
        async with self._db.unit_of_work() as uow:
            await check_cohorts(uow, actor, target.cohort_ids)
            return len(await recipients(uow, target, absent))

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
        absent = await absentees(self.absent, target)
        async with self._db.unit_of_work() as uow:
            sender = (await check_cohorts(uow, actor, target.cohort_ids)).person
            if sender is None:
                raise DomainError(Problem.PERSON_NOT_FOUND)
            people = await recipients(uow, target, absent)
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

    async def _may_send(self, uow: UnitOfWork, actor: Actor, broadcast_id: int) -> BroadcastDTO:
        """As `_may_act`, and the actor still manages every target cohort (a trainer removed from one since the
        draft may not send to it)."""
        broadcast = await self._may_act(uow, actor, broadcast_id)
        await check_cohorts(uow, actor, broadcast.cohort_ids)
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
        absent = await absentees(self.absent, target)
        async with self._db.unit_of_work() as uow:
            await self._may_send(uow, actor, broadcast_id)  # again, in the transaction that plans the deliveries
            people = await recipients(uow, target, absent)
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
