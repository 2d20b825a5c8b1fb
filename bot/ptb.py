"""PTB types as the bot layer outside the handlers sees them: any application, any callback context.

The handlers' own context type (handlers.core.context.BotContext) is theirs; the delivery engine, the runner and the
CLI reach the services through the application's bot_data (bot.context.services_in) and never import handlers."""

from __future__ import annotations

from typing import Any, TypeAlias

from telegram.ext import Application, CallbackContext

AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
AnyContext: TypeAlias = CallbackContext[Any, Any, Any, Any]
