"""Pacing for the outbox: stay under Telegram's flood limits instead of bouncing off them.

Pure and clock-injected. Three limits, all configurable: an overall rate (a token bucket with a small burst), a
minimum interval between two messages to the same private chat, and a per-minute cap per group (sliding window).
A 429 pauses everything for its `retry_after`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Monotonic = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Limits:
    per_second: float = 25.0  # overall
    chat_interval: float = 1.0  # seconds between two messages to one private chat
    group_per_minute: int = 18
    burst: float = 5.0  # overall bucket size: a few at once, never Telegram's full 30


@dataclass
class Pacer:
    limits: Limits
    clock: Monotonic = time.monotonic
    _tokens: float = field(init=False)
    _updated: float = field(init=False)
    _paused_until: float = field(init=False, default=0.0)
    pauses: int = field(init=False, default=0)  # how many 429s so far
    _last_to_chat: dict[int, float] = field(init=False, default_factory=dict)
    _group_sends: dict[int, deque[float]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._tokens = min(1.0, self.limits.burst)  # start gently: no burst right after a 429 or a restart
        self._updated = self.clock()

    def _refill(self, now: float) -> None:
        if now > self._updated:  # during a pause `_updated` lies ahead: no refill until it ends
            self._tokens = min(self.limits.burst, self._tokens + (now - self._updated) * self.limits.per_second)
            self._updated = now

    def overall_wait(self) -> float:
        """Seconds until the next message may go to anyone (0 when now)."""
        now = self.clock()
        self._refill(now)
        paused = max(0.0, self._paused_until - now)
        missing = 1.0 - self._tokens
        return max(paused, missing / self.limits.per_second if missing > 1e-9 else 0.0)

    def paused_for(self) -> float:
        """Seconds left of a 429 pause (0 when none)."""
        return max(0.0, self._paused_until - self.clock())

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until the next message may go to this chat."""
        now = self.clock()
        if chat_id < 0:
            window = self._group_sends.get(chat_id)
            if window is None:
                return 0.0
            while window and now - window[0] >= 60.0:
                window.popleft()
            if len(window) < self.limits.group_per_minute:
                return 0.0
            return 60.0 - (now - window[0])
        last = self._last_to_chat.get(chat_id)
        return 0.0 if last is None else max(0.0, last + self.limits.chat_interval - now)

    def take(self, chat_id: int) -> None:
        """Record a message about to go to `chat_id` (call after both waits are 0)."""
        now = self.clock()
        self._refill(now)
        self._tokens -= 1.0
        if chat_id < 0:
            self._group_sends.setdefault(chat_id, deque()).append(now)
        else:
            self._last_to_chat[chat_id] = now
        if len(self._last_to_chat) > 50_000:  # forget chats not written to for a while
            horizon = now - max(self.limits.chat_interval, 1.0)
            self._last_to_chat = {c: t for c, t in self._last_to_chat.items() if t > horizon}

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nothing goes out for `seconds`, and the burst starts again from empty."""
        now = self.clock()
        self.pauses += 1
        self._paused_until = max(self._paused_until, now + seconds)
        self._tokens = 0.0
        self._updated = max(now, self._paused_until)
