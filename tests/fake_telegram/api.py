"""Registry of Bot API method handlers and the decoded request they receive."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .models import bad_request

if TYPE_CHECKING:
    from .server import FakeTelegram

JSON = dict[str, Any]
Handler = Callable[["FakeTelegram", "Call"], Awaitable[Any]]

# lower-case method name → (canonical name, handler)
METHODS: dict[str, tuple[str, Handler]] = {}


def api(*names: str) -> Callable[[Handler], Handler]:
    """Register a handler for one or more Bot API method names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            METHODS[name.lower()] = (name, handler)
        return handler

    return register


class Call:
    """One decoded API request: ``params`` (JSON-decoded form fields) and uploaded ``files``."""

    def __init__(self, params: JSON, files: dict[str, tuple[str, bytes, str]]) -> None:
        self.params = params
        self.files = files
        self.method = ""

    def get(self, name: str, default: Any = None) -> Any:
        value = self.params.get(name)
        return default if value is None else value

    def require(self, name: str) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        return value

    def integer(self, name: str, default: int | None = None) -> int:
        value = self.params.get(name)
        if value is None or value == "":
            if default is None:
                raise bad_request(f"{name} is empty")
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.params.get(name)
        if value is None:
            return default
        if isinstance(value, str):
            return value.lower() in ("true", "1")
        return bool(value)

    def json(self, name: str) -> Any:
        """A JSON-typed parameter (already decoded from the form; tolerate double encoding)."""
        value = self.params.get(name)
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {name} JSON object") from None
        return value
