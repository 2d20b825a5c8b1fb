"""The one sender for every scheduled or bulk message: it drains the outbox within Telegram's limits.

Each delivery is claimed (pending → sending, committed) before its request goes out and recorded after, so a restart
resends only what was in flight at a hard kill (at most `max_in_flight`) and loses nothing. Replies to people who
just wrote never pass through here: they go straight back from the handlers.

When the database refuses an outcome (the message went out, the row could not say so), the engine tries again with
backoff, then keeps the outcome in memory and records it at its next sweeps: the row never stays `sending` until a
restart, and what was sent is never sent again. The sweep (every `sweep_every` seconds) also puts back to pending a
row left `sending` longer than the lease that this engine never sent (a claim whose answer was lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import math
import time
from collections import Counter
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery.outcomes import Outcomes, again, blocked, finish
from bot.delivery.pacing import Limits, Pacer
from bot.services.clock import Clock, utc_now
from storage.dto import DeliveryDTO
from storage.dto import DeliveryState as DeliveryState  # re-exported: the states handlers name for readers
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

MISSED = "missed: not sent within the grace window"
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
    record_attempts: int = 4  # tries to record an outcome before it is kept for the sweep
    record_backoff: float = 0.5  # seconds before the second try; doubles each time
    record_retry: float = 5.0  # how often kept outcomes are tried again
    sweep_every: float = 30.0  # how often rows left `sending` are looked for
    lease: float = 120.0  # a row `sending` this long that this engine never sent goes back to pending


Listener = Callable[[DeliveryDTO, DeliveryState], None]
REQUEUED = "sent again: its claim was never followed by a send"


class DeliveryEngine:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        kinds: Mapping[str, DeliveryKind],
        settings: EngineSettings | None = None,
        clock: Clock = utc_now,
        bulk_kinds: Collection[str] = (),
    ) -> None:
        self._db = db
        self._bot = bot
        self._kinds = dict(kinds)
        self._bulk_kinds = sorted(bulk_kinds)  # sent after every personal item that is due
        self.settings = settings or EngineSettings()
        self._clock = clock
        self.pacer = Pacer(self.settings.limits)
        self._wake = asyncio.Event()
        self._slots = asyncio.Semaphore(self.settings.max_in_flight)
        self._in_flight: set[int] = set()
        self._outcomes = Outcomes(
            db, self._announce, attempts=self.settings.record_attempts, backoff=self.settings.record_backoff
        )
        self._last_sweep = time.monotonic()
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
        if self._outcomes.kept:  # a last try; what still fails goes out again after the restart
            with contextlib.suppress(Exception):
                await self._outcomes.record_kept()

    def wake(self) -> None:
        """Something may be due now (planned, retried, or an alarm went off)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._loop is not None and not self._loop.done()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    @property
    def unrecorded(self) -> int:
        """Outcomes the database has not taken yet (kept in memory, tried again at each sweep)."""
        return len(self._outcomes.kept)

    # ------------------------------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        while True:
            try:
                if self._sweep_in() <= 0:
                    await self._sweep()
                idle = await self._round()
            except asyncio.CancelledError:
                raise
            except Exception:  # the engine must outlive a bad round (database hiccup …)
                log.exception("delivery round failed; trying again shortly")
                idle = 5.0
            if idle > 0:
                idle = max(min(idle, self._sweep_in()), 0.05)
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
            rows = await uow.deliveries.due(
                now, self.settings.batch, skip_ids=sorted(self._in_flight), bulk_kinds=self._bulk_kinds
            )
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

    # ------------------------------------------------------------------------------------------ the sweep

    def _sweep_in(self) -> float:
        every = self.settings.record_retry if self._outcomes.kept else self.settings.sweep_every
        return self._last_sweep + every - time.monotonic()

    async def _sweep(self) -> None:
        """Record the outcomes kept in memory; put back to pending what stayed `sending` past the lease without
        this engine having sent it. What was sent (in flight, or kept) is never put back."""
        self._last_sweep = time.monotonic()
        await self._outcomes.record_kept()
        now = self._clock()
        async with self._db.unit_of_work() as uow:
            requeued = await uow.deliveries.requeue_stale(
                now - dt.timedelta(seconds=self.settings.lease),
                now,
                REQUEUED,
                keep_ids=sorted(self._in_flight | self._outcomes.kept.keys()),
            )
            await uow.commit()
        if requeued:
            log.warning("%d deliveries were left claimed but never sent; they go out now", requeued)

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
        kind, settle = self._kinds[row.kind], self._outcomes.settle
        attempts = row.attempts + 1
        try:
            sent = await kind.send(self._bot, row)
        except Skip as decision:
            await settle(row, DeliveryState.SKIPPED, finish(row, DeliveryState.SKIPPED, self._clock(), decision.reason))
        except RetryAfter as flood:
            wait = _seconds(flood.retry_after)
            resume = self._clock() + dt.timedelta(seconds=wait)  # before the pause starts: due when it ends
            self.outcomes["429"] += 1
            self.pacer.pause(wait)
            log.warning("Telegram asked to slow down: pausing deliveries for %.0f s", wait)
            await settle(row, None, again(row, resume, f"429: retry after {wait:.0f} s", self._clock()))
        except Forbidden:
            await settle(row, DeliveryState.BLOCKED, blocked(row, self._clock()))
        except BadRequest as refused:
            reason = f"400: {refused.message}"[:200]
            await settle(row, DeliveryState.FAILED, finish(row, DeliveryState.FAILED, self._clock(), reason))
        except (TimedOut, NetworkError) as trouble:
            reason, now = f"network: {type(trouble).__name__}", self._clock()
            if attempts >= self.settings.max_attempts:
                await settle(row, DeliveryState.FAILED, finish(row, DeliveryState.FAILED, now, reason))
            else:
                delay = dt.timedelta(seconds=min(self.settings.backoff * 2.0 ** (attempts - 1), 300.0))
                await settle(row, None, again(row, now + delay, reason, now))
        except Exception as error:
            log.exception("delivery %d (%s) failed", row.id, row.kind)
            reason = f"error: {type(error).__name__}"
            await settle(row, DeliveryState.FAILED, finish(row, DeliveryState.FAILED, self._clock(), reason))
        else:
            at = self._clock()

            async def write(uow: UnitOfWork) -> int:
                await uow.deliveries.finish(row.id, DeliveryState.SENT, at, message_id=sent.message_id)
                await kind.on_sent(uow, row, sent, at)
                return 0

            alone = finish(row, DeliveryState.SENT, at, message_id=sent.message_id)
            await settle(row, DeliveryState.SENT, write, fallback=alone)

    async def _record(self, row: DeliveryDTO, state: DeliveryState, *, reason: str) -> None:
        """An item that cannot be sent at all (no chat, unknown kind): recorded by the round itself."""
        async with self._db.unit_of_work() as uow:
            await finish(row, state, self._clock(), reason)(uow)
            await uow.commit()
        self._announce(row, state)

    def _announce(self, row: DeliveryDTO, state: DeliveryState, closed_too: int = 0) -> None:
        self.outcomes[state] += 1 + closed_too
        for listener in self.listeners:
            try:
                listener(row, state)
            except Exception:
                log.exception("delivery listener failed")


def _seconds(value: int | dt.timedelta) -> float:
    seconds = value.total_seconds() if isinstance(value, dt.timedelta) else float(value)
    return max(1.0, math.ceil(seconds))
