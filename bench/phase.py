"""One measured phase: simulated people launched at once against a bot, and the figures they produce."""

from __future__ import annotations

import asyncio
import sys
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from bench.common import BenchTelegram, LogCounter, Percentiles, TimedUser, percentiles, run_all

Script = Callable[[TimedUser, str, int], Coroutine[Any, Any, None]]

# Stopping the updater abandons its long poll; PTB's final getUpdates then ends it with this 409 (the answer
# goes to a request nobody waits for any more). Any other error during shutdown counts.
ABANDONED_POLL = "getUpdates: 409 Conflict: terminated by other getUpdates request"


def plain(text: str | None) -> str:
    """Message text without the bidi marks the bot adds (for reports)."""
    return "".join(c for c in (text or "") if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


@dataclass
class Phase:
    label: str
    users: int
    failures: list[str] = field(default_factory=list)
    failed_at: Counter[str] = field(default_factory=Counter)  # step → people who gave up there
    updates: int = 0
    wall: float = 0.0
    first: Percentiles = field(default_factory=lambda: percentiles([]))
    done: Percentiles = field(default_factory=lambda: percentiles([]))
    by_step: dict[str, Percentiles] = field(default_factory=dict)
    sent: int = 0  # flood-limited messages the bot got through
    rate_limited: int = 0
    api_errors: list[str] = field(default_factory=list)
    shutdown_api_errors: list[str] = field(default_factory=list)  # after the people finished
    log_errors: int = 0
    log_warnings: int = 0
    log_kinds: dict[str, int] = field(default_factory=dict)
    log_samples: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    unanswered: int = 0
    db_check: str = "n/a"
    db_ok: bool = True

    @property
    def completed(self) -> int:
        return self.users - len(self.failures)

    @property
    def errors(self) -> int:
        return len(self.api_errors) + self.log_errors + len(self.failures)

    @property
    def ok(self) -> bool:
        return self.completed == self.users and self.errors == 0 and self.db_ok

    @property
    def updates_per_s(self) -> float:
        return self.updates / self.wall if self.wall else 0.0


def progress(label: str, users: list[TimedUser], steps: int) -> asyncio.Task[None]:
    """A line on stderr every 10 s, so a stuck run is visible while it runs."""

    async def tick() -> None:
        start = time.monotonic()
        while True:
            await asyncio.sleep(10)
            done = sum(1 for u in users if len(u.steps) == steps)
            taken = sum(len(u.steps) for u in users)
            elapsed = time.monotonic() - start
            print(f"  {label} {elapsed:5.0f}s: {done}/{len(users)} done, {taken} steps", file=sys.stderr)

    return asyncio.create_task(tick())


@dataclass(frozen=True, slots=True)
class Crowd:
    """Who takes part: ``size`` people with ids from ``first_id``, alternating Arabic and English clients."""

    size: int
    first_id: int
    steps: int  # steps each script takes (for progress lines)
    step_timeout: float


async def drive(phase: Phase, fake: BenchTelegram, crowd: Crowd, script: Script, token: str, budget: float) -> None:
    """Launch every person at once (each runs ``script``) and fill in the phase's figures from what they saw."""
    fake.reset_limits()
    users = []
    for index in range(crowd.size):
        person = fake.user(crowd.first_id + index, f"U{index}", language_code="ar" if index % 2 == 0 else "en")
        users.append(TimedUser(fake, person, step_timeout=crowd.step_timeout))
    sent_before, limited_before = len(fake.sent), fake.rate_limited
    ticker = progress(phase.label, users, crowd.steps)
    try:
        phase.wall, outcomes = await run_all([script(u, token, i) for i, u in enumerate(users)], budget)
    finally:
        ticker.cancel()
    failed = [(u, o) for u, o in zip(users, outcomes, strict=True) if o is not None]
    phase.failures = [f"user {u.id}: {o}" for u, o in failed]
    phase.failed_at = Counter(u.current for u, _ in failed)
    phase.updates = sum(u.updates for u in users)
    steps = [s for u in users for s in u.steps]
    phase.first = percentiles([s.first for s in steps])
    phase.done = percentiles([s.done for s in steps])
    names = dict.fromkeys(s.name for s in steps)
    phase.by_step = {name: percentiles([s.done for s in steps if s.name == name]) for name in names}
    phase.sent = len(fake.sent) - sent_before
    phase.rate_limited = fake.rate_limited - limited_before
    phase.unexpected = [plain(m.text) for u in users for m in u.unexpected]
    phase.unanswered = sum(1 for u in users for q in u.queries if q not in fake.callback_answers)


def collect_logs(phase: Phase, counter: LogCounter, fake: BenchTelegram, errors_before: int, errors_run: int) -> None:
    """``errors_before``/``errors_run``: len(fake.errors) before start-up and when the people had finished."""
    shutdown = fake.api_errors(errors_run)
    phase.shutdown_api_errors = shutdown
    phase.api_errors = fake.api_errors(errors_before, errors_run)
    phase.api_errors += [e for e in shutdown if not e.startswith(ABANDONED_POLL)]
    phase.log_errors = counter.errors
    phase.log_warnings = counter.levels["WARNING"]
    phase.log_kinds = dict(counter.kinds)
    phase.log_samples = list(counter.samples)
