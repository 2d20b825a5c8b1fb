"""Shared by the benchmarks: a timed fake server, timed simulated users, percentiles, log counting, reports."""

from __future__ import annotations

import asyncio
import logging
import math
import os
import platform
import time
import traceback
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.fake_telegram import FakeTelegram, FakeUser, SentMessage
from tests.fake_telegram.state import Signal

Predicate = Callable[[SentMessage], bool]
Check = Callable[[], SentMessage | None]


# ------------------------------------------------------------------------------------------ fake server


class StampedSignal(Signal):
    """A per-chat signal that remembers when it fired (= when the bot's answer reached 'Telegram')."""

    def __init__(self) -> None:
        super().__init__()
        self.stamps: list[float] = []

    def notify(self) -> None:
        self.stamps.append(time.monotonic())
        super().notify()


class BenchTelegram(FakeTelegram):
    """The fake server with timestamped per-chat signals (they fire on new messages, edits and callback answers)."""

    async def __aenter__(self) -> BenchTelegram:
        await self.start()
        return self

    def chat_signal(self, chat_id: int) -> StampedSignal:
        signal = self.chat_signals.get(chat_id)
        if not isinstance(signal, StampedSignal):
            signal = self.chat_signals[chat_id] = StampedSignal()
        return signal

    def api_errors(self, since: int = 0, until: int | None = None) -> list[str]:
        """Error answers other than flood-limit 429s (``errors[since:until]``), as one line each."""
        return [
            f"{method}: {code} {description}"
            for method, _params, code, description in self.errors[since:until]
            if code != 429 and not expected_refusal(method, description)
        ]


# ------------------------------------------------------------------------------------------- the users


class StepFailed(Exception):
    """A simulated user gave up: the bot did not answer as expected in time."""


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    first: float  # seconds from the update to the bot's first reaction (message, edit or callback answer)
    done: float  # seconds from the update to the answer the user was waiting for


class TimedUser:
    """A person who waits for the bot's answer before the next step; every step is timed on the server clock."""

    def __init__(self, fake: BenchTelegram, user: FakeUser, *, step_timeout: float) -> None:
        self.fake = fake
        self.user = user
        self.step_timeout = step_timeout
        self.steps: list[Step] = []
        self.updates = 0
        self.queries: list[str] = []
        self.unexpected: list[SentMessage] = []
        self.current = ""  # the step under way (where a failed user stopped)
        self._cursor = 0

    @property
    def id(self) -> int:
        return self.user.id

    # what to wait for
    def new_message(self, until: Predicate, allow: Predicate | None = None) -> Check:
        """The next new message matching ``until``; others are noted as unexpected unless ``allow`` accepts them."""

        def check() -> SentMessage | None:
            inbox = self.fake.sent_by_chat.get(self.id, [])
            while self._cursor < len(inbox):
                message = inbox[self._cursor]
                self._cursor += 1
                if until(message):
                    return message
                if allow is None or not allow(message):
                    self.unexpected.append(message)
            return None

        return check

    @staticmethod
    def edited(message: SentMessage, times: int) -> Check:
        return lambda: message if len(message.edits) >= times else None

    @staticmethod
    def shows(message: SentMessage, until: Predicate) -> Check:
        """``message`` once an edit makes it match ``until`` (a button's answer replaced the question)."""
        return lambda: message if message.edits and until(message) else None

    # what to do
    async def send(self, step: str, text: str, until: Check) -> SentMessage:
        self.current = step
        return await self._step(step, lambda: self.user.send(text), until)

    async def press(self, step: str, message: SentMessage, index: int, until: Check) -> SentMessage:
        """Press the ``index``-th inline button of ``message``."""
        self.current = step
        rows = message.buttons()
        flat = [button for row in rows for button in row]
        if index >= len(flat) or "callback_data" not in flat[index]:
            raise StepFailed(f"{step}: message #{message.message_id} has no inline button #{index}: {message}")
        return await self._step(step, lambda: self._push_query(message, str(flat[index]["callback_data"])), until)

    async def _push_query(self, message: SentMessage, data: str) -> None:
        server = self.fake
        query_id = str(7_000_000_000_000 + server.next_id())
        query = {
            "id": query_id,
            "from": self.user.json,
            "message": message.raw,
            "chat_instance": f"-{self.id}0",
            "data": data,
        }
        server.pending_queries[query_id] = query
        self.queries.append(query_id)
        server.push_update({"callback_query": query})
        await asyncio.sleep(0)

    async def _step(self, step: str, push: Callable[[], Awaitable[object]], until: Check) -> SentMessage:
        signal = self.fake.chat_signal(self.id)
        seen = len(signal.stamps)
        found: list[SentMessage] = []

        def arrived() -> bool:
            message = until()
            if message is not None:
                found.append(message)
            return bool(found)

        start = time.monotonic()
        await push()
        self.updates += 1
        if not await signal.wait_for(arrived, self.step_timeout):
            recent = "; ".join(str(m) for m in self.fake.sent_by_chat.get(self.id, [])[-3:]) or "(nothing)"
            raise StepFailed(f"step {step!r}: no answer within {self.step_timeout:.0f}s; last messages: {recent}")
        stamps = signal.stamps
        first = stamps[seen] if len(stamps) > seen else time.monotonic()
        done = stamps[-1] if len(stamps) > seen else time.monotonic()
        self.steps.append(Step(step, first - start, done - start))
        return found[0]


async def run_all(coroutines: list[Coroutine[Any, Any, None]], budget: float) -> tuple[float, list[str | None]]:
    """Run the users at once; returns the wall time until the last finished and each one's failure (or None)."""
    start = time.monotonic()
    finished: list[float] = []

    async def timed(coroutine: Coroutine[Any, Any, None]) -> None:
        await coroutine
        finished.append(time.monotonic())

    tasks = [asyncio.create_task(timed(c)) for c in coroutines]
    _done, pending = await asyncio.wait(tasks, timeout=max(budget, 0.0))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    outcomes: list[str | None] = []
    for task in tasks:
        if task in pending:
            outcomes.append(f"not finished when the overall time limit ({budget:.0f}s) ran out")
        elif task.exception() is not None:
            error = task.exception()
            outcomes.append(f"{type(error).__name__}: {error}")
        else:
            outcomes.append(None)
    end = max(finished) if finished and not pending else time.monotonic()
    return end - start, outcomes


# ------------------------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Percentiles:
    n: int
    p50: float
    p95: float
    p99: float
    max: float

    def ms(self) -> str:
        return f"{self.p50 * 1000:.0f} / {self.p95 * 1000:.0f} / {self.p99 * 1000:.0f} ms"


def expected_refusal(method: str, description: str) -> bool:
    """A refusal Telegram gives too: a chat menu set for someone who never opened the chat (the benchmarks seed
    coordinators and trainers straight into the database) is "chat not found"; the bot logs it quietly and sets the
    menu on their first update."""
    return method == "setMyCommands" and "chat not found" in description


def unexpected_api_errors(fake: FakeTelegram) -> list[str]:
    """The fake's error answers but 429s, 409s (a poll abandoned at shutdown) and expected refusals."""
    return [
        f"{method}: {code} {text}"
        for method, _payload, code, text in fake.errors
        if code not in (429, 409) and not expected_refusal(method, text)
    ]


def percentiles(values: list[float]) -> Percentiles:
    """Nearest-rank percentiles (NaN when there are no values)."""
    if not values:
        nan = float("nan")
        return Percentiles(0, nan, nan, nan, nan)
    ordered = sorted(values)

    def rank(q: float) -> float:
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)]

    return Percentiles(len(ordered), rank(0.50), rank(0.95), rank(0.99), ordered[-1])


class LogCounter(logging.Handler):
    """Counts WARNING/ERROR records of every logger and keeps a few formatted ERROR samples (with tracebacks).

    ``kinds`` groups records by level, logger, exception type and the project's own frames it went through.
    """

    def __init__(self, keep: int = 3) -> None:
        super().__init__(logging.WARNING)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.keep = keep
        self.levels: Counter[str] = Counter()
        self.kinds: Counter[str] = Counter()
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.levels[record.levelname] += 1
        self.kinds[kind_of(record)] += 1
        if record.levelno >= logging.ERROR and len(self.samples) < self.keep:
            self.samples.append(self.format(record))

    @property
    def errors(self) -> int:
        return self.levels["ERROR"] + self.levels["CRITICAL"]

    def reset(self) -> None:
        self.levels.clear()
        self.kinds.clear()
        self.samples.clear()


def kind_of(record: logging.LogRecord) -> str:
    """``ERROR handlers.core.common: RetryAfter via begin > reply > with_retries`` (or the message, if no exception)."""
    exc = record.exc_info[1] if record.exc_info else None
    if exc is None:
        return f"{record.levelname} {record.name}: {record.getMessage()[:100]}"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f.name for f in frames if "site-packages" not in f.filename and "/lib/python3" not in f.filename]
    where = f" via {' > '.join(own)}" if own else ""
    return f"{record.levelname} {record.name}: {type(exc).__name__}: {str(exc)[:70]}{where}"


def install_log_counter() -> LogCounter:
    """Route all logging to a counter (nothing printed while measuring); WARNING and above are counted."""
    counter = LogCounter()
    root = logging.getLogger()
    root.handlers[:] = [counter]
    root.setLevel(logging.WARNING)
    return counter


# -------------------------------------------------------------------------------------------- reporting


def _cpu_times() -> list[int] | None:
    """The machine's CPU counters from /proc/stat (user … steal), or None off Linux."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            return [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


_CPU_AT_START = _cpu_times()


def cpu_steal() -> float | None:
    """The share of CPU time the hypervisor took from this machine since the benchmark began (a busy neighbour
    makes every figure slower; above a few percent, compare runs with care)."""
    now = _cpu_times()
    if now is None or _CPU_AT_START is None:
        return None
    spent = [b - a for a, b in zip(_CPU_AT_START, now, strict=True)]
    return spent[7] / sum(spent) if sum(spent) else None


def machine() -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    steal = cpu_steal()
    stolen = "" if steal is None else f", CPU steal during the run {steal:.0%}"
    return f"nproc {cores}, Python {platform.python_version()}, {platform.platform()}{stolen}"


DOCS_INTRO = """# Benchmarks

Figures come from the real bot driven by simulated people through the in-repo fake Telegram Bot API
(`tests/fake_telegram`), which enforces Telegram's flood limits (1 message/s per private chat with a burst
of 4, 30 messages/s overall) and answers 429 with `retry_after` when they are exceeded. The fake, the
bot and the simulated people share one Python process and event loop, so absolute numbers depend on the
machine: read them as **ratios** against a bare python-telegram-bot bot measured in the same run, and
**against Telegram's limits** (how much of the 30 messages/s the bot uses). Each section names the
command that reproduces it and replaces itself when re-run.
"""


def write_section(path: Path, key: str, body: str, intro: str = DOCS_INTRO) -> None:
    """Create ``path`` with ``intro`` if needed, then replace (or append) the section marked ``key``."""
    start, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    section = f"{start}\n{body.strip()}\n{end}\n"
    text = path.read_text(encoding="utf-8") if path.exists() else intro.rstrip() + "\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        after = rest.split(end, 1)[1].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text.rstrip() + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
