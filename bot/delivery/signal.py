"""How services tell the delivery engine that something was planned (without knowing the engine)."""

from __future__ import annotations

from collections.abc import Callable


class OutboxSignal:
    """Call `planned()` after committing outbox rows; the engine connects its wake-up when it starts."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def connect(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def planned(self) -> None:
        for listener in self._listeners:
            listener()
