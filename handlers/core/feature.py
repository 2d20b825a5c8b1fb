"""What a feature package hands to the composition root: its handlers, its outbox kinds and its start-up hooks.

Each `handlers/<feature>/__init__.py` has one `setup() -> Feature`; `handlers.install` registers every feature in
the order of `handlers.FEATURES`, then every feature's `late` handlers, then the core fallbacks, and builds the
`Registry` from what was registered. The delivery engine gets its kinds from here (through `bot.app`), so nothing
in `bot/` imports a feature's handlers.

    def setup() -> Feature:
        return Feature(
            "attendance",
            handlers=[CHECKIN.handler(), SESSIONS_FLOW],
            late=[CODE_MESSAGE.handler()],
            kinds=attendance_kinds,
            on_start=[set_checkin_alarms],
        )
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeAlias

from bot.context import Services
from bot.delivery.engine import DeliveryKind
from handlers.core.context import BotApplication
from handlers.core.registry import Handler

Kinds: TypeAlias = Callable[[Services], Mapping[str, DeliveryKind]]
OnStart: TypeAlias = Callable[[BotApplication], Awaitable[None]]


def no_kinds(services: Services) -> Mapping[str, DeliveryKind]:
    return {}


@dataclass(frozen=True)
class Feature:
    """`handlers` go in group 0 in this order (conversations included); `late` ones after every feature's handlers
    but before the fallbacks (a bare check-in code must not take a conversation's typed answer); `kinds` are the
    outbox kinds this feature sends, and `bulk_kinds` those of them that wait behind every personal item that is due
    (an announcement to thousands); `on_start` hooks run once the bot is up (alarms rebuilt from the database)."""

    name: str
    handlers: Sequence[Handler] = ()
    late: Sequence[Handler] = ()
    kinds: Kinds = no_kinds
    bulk_kinds: frozenset[str] = frozenset()
    on_start: Sequence[OnStart] = field(default_factory=tuple)


@dataclass(frozen=True)
class Features:
    """The installed features, in registration order."""

    features: tuple[Feature, ...]

    def kinds(self, services: Services) -> dict[str, DeliveryKind]:
        """Every feature's outbox kinds; a kind claimed twice is a wiring mistake."""
        kinds: dict[str, DeliveryKind] = {}
        for feature in self.features:
            for kind, sender in feature.kinds(services).items():
                if kind in kinds:
                    raise ValueError(f"outbox kind {kind!r} declared twice (again by {feature.name})")
                kinds[kind] = sender
        return kinds

    def bulk_kinds(self) -> frozenset[str]:
        return frozenset().union(*(feature.bulk_kinds for feature in self.features))

    async def start(self, application: BotApplication) -> None:
        for feature in self.features:
            for hook in feature.on_start:
                await hook(application)
