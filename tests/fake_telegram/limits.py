"""Flood limits of the fake Bot API (token buckets, roughly as Telegram documents them)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

# Methods that create messages; only these count towards the flood limits.
LIMITED_METHODS: frozenset[str] = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendpoll",
        "copymessage",
        "sendvideo",
        "sendvoice",
        "sendaudio",
        "sendanimation",
        "sendmediagroup",
        "forwardmessage",
        "sendsticker",
        "sendlocation",
        "sendcontact",
    }
)


@dataclass
class Limits:
    """Flood limits; may be changed on a running server (``fake.limits.enabled = False``)."""

    enabled: bool = True
    per_chat_per_second: float = 1.0  # private chats: token bucket refill rate
    per_chat_burst: int = 4  # short bursts pass, as on Telegram
    group_per_minute: int = 20  # chats with negative ids
    global_per_second: float = 30.0
    global_burst: int = 30


class TokenBucket:
    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = capacity
        self.tokens = capacity
        self.updated = now

    def configure(self, rate: float, capacity: float, now: float) -> None:
        self.refill(now)
        self.rate = max(rate, 1e-9)
        self.capacity = max(capacity, 1.0)
        self.tokens = min(self.tokens, self.capacity)

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait_time(self, amount: float) -> float:
        """Seconds until ``amount`` tokens are available (call :meth:`refill` first)."""
        amount = min(amount, self.capacity)
        missing = amount - self.tokens
        return 0.0 if missing <= 1e-9 else missing / self.rate

    def take(self, amount: float) -> None:
        self.tokens -= min(amount, self.capacity)


class RateLimiter:
    """Per-chat and global token buckets; :meth:`check` answers the retry_after or ``None``."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._chats: dict[int, TokenBucket] = {}
        self._global: TokenBucket | None = None

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        if chat_id < 0:
            per_minute = max(self.limits.group_per_minute, 1)
            rate, capacity = per_minute / 60.0, float(per_minute)
        else:
            rate, capacity = self.limits.per_chat_per_second, float(self.limits.per_chat_burst)
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = TokenBucket(rate, capacity, now)
        bucket.configure(rate, capacity, now)
        return bucket

    def _global_bucket(self, now: float) -> TokenBucket:
        rate, capacity = self.limits.global_per_second, float(self.limits.global_burst)
        if self._global is None:
            self._global = TokenBucket(rate, capacity, now)
        self._global.configure(rate, capacity, now)
        return self._global

    def check(self, chat_id: int, amount: int = 1) -> int | None:
        """Take ``amount`` tokens for a message to ``chat_id``; ``None`` if allowed, else retry_after."""
        if not self.limits.enabled:
            return None
        now = time.monotonic()
        buckets = [self._chat_bucket(chat_id, now), self._global_bucket(now)]
        wait = max(bucket.wait_time(amount) for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.take(amount)
        return None

    def reset(self) -> None:
        self._chats.clear()
        self._global = None
