"""Stand-in for handlers.core.conversation.Draft until the core kit reaches this branch (same API, same storage)."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter, ValidationError

from handlers.core.context import BotContext

D = TypeVar("D")


class Draft(Generic[D]):
    def __init__(self, key: str, shape: type[D]) -> None:
        self.key, self.shape = key, shape
        self._adapter: TypeAdapter[D] = TypeAdapter(shape)

    def _data(self, context: BotContext) -> dict[Any, Any]:
        if context.user_data is None:
            raise RuntimeError(f"draft {self.key!r} read outside a user's update")
        return context.user_data

    def get(self, context: BotContext) -> D | None:
        stored = self._data(context).get(self.key)
        if stored is None:
            return None
        try:
            return self._adapter.validate_python(stored)
        except ValidationError:
            self._data(context).pop(self.key, None)
            return None

    def put(self, context: BotContext, value: D) -> D:
        self._data(context)[self.key] = self._adapter.dump_python(value, mode="json")
        return value

    def drop(self, context: BotContext) -> None:
        if context.user_data is not None:
            context.user_data.pop(self.key, None)
