"""The one sender for every scheduled or bulk message: it drains the outbox within Telegram's limits.

Each delivery is claimed (pending → sending, committed) before its request goes out and recorded after, so a restart
resends only what was in flight at a hard kill (at most `max_in_flight`) and loses nothing. Replies to people who
just wrote never pass through here: they go straight back from the handlers.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.pacing import Limits, Pacer
from bot.services.clock import Clock, utc_now
from storage.dto import DeliveryDTO, DeliveryState, PersonStatus
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

MISSED = "missed: not sent within the grace window"
BLOCKED_REASON = "blocked the bot"
IDLE_WAIT_S = 30.0
ROUND_S = 1.0  # a round fetches again after this long: a reminder that falls due mid-announcement waits ≤ ~1 s


@dataclass(frozen=True, slots=True)
class Sent:
    """What a kind's send produced: the Telegram message id and anything its `on_sent` needs (a poll id …)."""

    message_id: int | None
    extra: Mapping[str, Any] = field(default_factory=dict)


class Skip(Exception):
    """Raised by a kind when there is nothing (any more) to send: recorded as skipped with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DeliveryKind(Protocol):
    """How one kind of item (lesson, quiz, nudge, broadcast …) is sent and what its sending changes."""

    async def send(self, bot: Bot, delivery: DeliveryDTO) -> Sent: ...

    async def on_sent(self, uow: UnitOfWork, delivery: DeliveryDTO, sent: Sent, now: dt.datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class EngineSettings:
    limits: Limits = field(default_factory=Limits)
    max_in_flight: int = 8
    max_attempts: int = 5
    batch: int = 100  # fetched per round: ~4 s of sending, so newly due personal items wait at most that long
    backoff: float = 2.0  # seconds before the first network retry; doubles each time, at most 5 minutes


Listener = Callable[[DeliveryDTO, DeliveryState], None]


class DeliveryEngine:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        kinds: Mapping[str, DeliveryKind],
        settings: EngineSettings | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self._db = db
        self._bot = bot
        self._kinds = dict(kinds)
        self.settings = settings or EngineSettings()
        self._clock = clock
        self.pacer = Pacer(self.settings.limits)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.max_in_flight)
        self._in_flight: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop: asyncio.Task[None] | None = None
        self.outcomes: Counter[str] = Counter()  # state → count since start; "429" counts flood answers
        self.peak_in_flight = 0
        self.listeners: list[Listener] = []

    # ------------------------------------------------------------------------------------------ lifecycle

    def register(self, kind: str, handler: DeliveryKind) -> None:
        self._kinds[kind] = handler

    async def start(self) -> None:
        """Put back what was in flight when the last process stopped, then start draining."""
        async with self._db.unit_of_work() as uow:
            released = await uow.deliveries.release_in_flight(self._clock())
            await uow.commit()
        if released:
            log.info("%d deliveries were in flight at the last stop; they go out again", released)
        self._loop = asyncio.create_task(self._run(), name="delivery-engine")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop taking new work; let requests in flight finish (they are recorded) for up to `grace` seconds."""
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    def wake(self) -> None:
        """Something may be due now (planned, retried, or an alarm went off)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._loop.done()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    # ------------------------------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        while True:
            try:
                idle = await self._round()
            except asyncio.CancelledError:
                raise
            except Exception:  # the engine must outlive a bad round (database hiccup …)
                log.exception("delivery round failed; trying again shortly")
                idle = 5.0
            if idle > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), idle)
            self._wake.clear()

    async def _round(self) -> float:
        """Dispatch what is due; returns how long to sleep (0: go again at once)."""
        if (paused := self.pacer.paused_for()) > 0:
            return paused  # after a 429 pause, fetch afresh: what was retried is due again, in its place
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            expired = await uow.deliveries.skip_expired(now, MISSED)
            rows = await uow.deliveries.due(now, self.settings.batch, skip_ids=sorted(self._in_flight))
            next_due = None if rows else await uow.deliveries.next_due_at()
            await uow.commit()
        if expired:
            self.outcomes[DeliveryState.SKIPPED] += expired
            log.info("%d deliveries missed their grace window; recorded as skipped", expired)
        if not rows:
            if next_due is None:
                return IDLE_WAIT_S
            return min(max((next_due - self._clock()).total_seconds(), 0.05), IDLE_WAIT_S)
        dispatched, chat_waits, interrupted = 0, [], False
        round_ends = time.monotonic() + ROUND_S
        for row in rows:
            if dispatched and time.monotonic() > round_ends:
                break  # fetch afresh: what fell due meanwhile may come first
            if row.chat_id is None or row.kind not in self._kinds:
                await self._record(row, DeliveryState.FAILED, reason=f"cannot send a {row.kind!r} item")
                continue
            if (wait := self.pacer.chat_wait(row.chat_id)) > 0:
                chat_waits.append(wait)  # this person got a message a moment ago: next round
                continue
            pauses = self.pacer.pauses
            await self._paced()
            if self.pacer.pauses != pauses:
                interrupted = True  # a 429 came in while we waited: fetch again, so retried items keep their order
                break
            await self._slots.acquire()
            if self.pacer.chat_wait(row.chat_id) > 0:  # another task wrote to this chat while we waited
                self._slots.release()
                chat_waits.append(self.settings.limits.chat_interval)
                continue
            self.pacer.take(row.chat_id)
            self._in_flight.add(row.id)
            self.peak_in_flight = max(self.peak_in_flight, len(self._in_flight))
            task = asyncio.create_task(self._deliver(row), name=f"delivery-{row.id}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            dispatched += 1
        if dispatched or interrupted:
            return 0.0
        return min(chat_waits, default=0.05)

    async def _paced(self) -> None:
        """Wait for the overall rate (and any 429 pause) to allow one more message."""
        wait = self.pacer.overall_wait()
        while wait > 0:
            await asyncio.sleep(wait)
            wait = self.pacer.overall_wait()

    # -------------------------------------------------------------------------------------- one delivery

    async def _deliver(self, row: DeliveryDTO) -> None:
        try:
            async with self._db.unit_of_work() as uow:
                claimed = await uow.deliveries.claim(row.id, self._clock())
                await uow.commit()
            if claimed:
                await self._send(row)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("delivery %d (%s) could not be recorded", row.id, row.kind)
        finally:
            self._in_flight.discard(row.id)
            self._slots.release()
            self.wake()

    async def _send(self, row: DeliveryDTO) -> None:
        kind = self._kinds[row.kind]
        attempts = row.attempts + 1
        try:
            sent = await kind.send(self._bot, row)
        except Skip as decision:
            await self._record(row, DeliveryState.SKIPPED, reason=decision.reason)
        except RetryAfter as flood:
            wait = _seconds(flood.retry_after)
            resume = self._clock() + dt.timedelta(seconds=wait)  # before the pause starts: due when it ends
            self.outcomes["429"] += 1
            self.pacer.pause(wait)
            log.warning("Telegram asked to slow down: pausing deliveries for %.0f s", wait)
            await self._retry_at(row, resume, f"429: retry after {wait:.0f} s")
        except Forbidden:
            await self._blocked(row)
        except BadRequest as refused:
            await self._record(row, DeliveryState.FAILED, reason=f"400: {refused.message}"[:200])
        except (TimedOut, NetworkError) as trouble:
            if attempts >= self.settings.max_attempts:
                await self._record(row, DeliveryState.FAILED, reason=f"network: {type(trouble).__name__}")
            else:
                delay = min(self.settings.backoff * 2.0 ** (attempts - 1), 300.0)
                await self._retry(row, delay, f"network: {type(trouble).__name__}")
        except Exception as error:
            log.exception("delivery %d (%s) failed", row.id, row.kind)
            await self._record(row, DeliveryState.FAILED, reason=f"error: {type(error).__name__}")
        else:
            now = self._clock()
            async with self._db.unit_of_work() as uow:
                await uow.deliveries.finish(row.id, DeliveryState.SENT, now, message_id=sent.message_id)
                await kind.on_sent(uow, row, sent, now)
                await uow.commit()
            self._announce(row, DeliveryState.SENT)

    async def _record(self, row: DeliveryDTO, state: DeliveryState, *, reason: str) -> None:
        async with self._db.unit_of_work() as uow:
            await uow.deliveries.finish(row.id, state, self._clock(), reason=reason)
            await uow.commit()
        self._announce(row, state)

    async def _retry(self, row: DeliveryDTO, after: float, reason: str) -> None:
        await self._retry_at(row, self._clock() + dt.timedelta(seconds=after), reason)

    async def _retry_at(self, row: DeliveryDTO, when: dt.datetime, reason: str) -> None:
        async with self._db.unit_of_work() as uow:
            await uow.deliveries.retry(row.id, when, reason, self._clock())
            await uow.commit()

    async def _blocked(self, row: DeliveryDTO) -> None:
        """403: the person blocked the bot. Nothing more goes to them until they come back."""
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            await uow.deliveries.finish(row.id, DeliveryState.BLOCKED, now, reason=BLOCKED_REASON)
            if row.person_id is not None:
                closed = await uow.deliveries.close_pending_for(
                    row.person_id, DeliveryState.BLOCKED, BLOCKED_REASON, now
                )
                self.outcomes[DeliveryState.BLOCKED] += closed
            if row.chat_id is not None and row.chat_id > 0:
                await uow.people.set_status(row.chat_id, PersonStatus.BLOCKED)
            await uow.commit()
        self._announce(row, DeliveryState.BLOCKED)

    def _announce(self, row: DeliveryDTO, state: DeliveryState) -> None:
        self.outcomes[state] += 1
        for listener in self.listeners:
            try:
                listener(row, state)
            except Exception:
                log.exception("delivery listener failed")


def _seconds(value: int | dt.timedelta) -> float:
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return max(1.0, math.ceil(seconds))
