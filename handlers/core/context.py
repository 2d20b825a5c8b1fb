"""The typed callback context: the services and the principal that access control resolved for this update."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.context import Services, services_in
from bot.services.access import Principal

if TYPE_CHECKING:
    from handlers.core.registry import Registry


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    principal_value: Principal | None = None

    @property
    def services(self) -> Services:
        return services_in(self.application.bot_data)

    @property
    def registry(self) -> Registry:
        from handlers.core.registry import Registry  # the registry module builds on this one

        registry = self.services.menus.registry
        if not isinstance(registry, Registry):
            raise RuntimeError("registry read before handlers were registered")
        return registry

    @property
    def principal(self) -> Principal:
        """Set by access control (group -1) before any handler runs."""
        if self.principal_value is None:
            raise RuntimeError("principal read before access control ran")
        return self.principal_value


BotApplication = Application[ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]
