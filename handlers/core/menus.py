"""Command menus per role and language (setMyCommands), and the bot's descriptions."""

from __future__ import annotations

import logging
from functools import partial

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest, Forbidden

from bot.context import Services
from bot.i18n import N_, gettext_for, language_from_telegram
from bot.services.access import Audience, Principal
from bot.settings import SUPPORTED_LOCALES
from handlers.core.registry import Registry
from handlers.core.ui import with_retries

log = logging.getLogger(__name__)

DESCRIPTION = N_(
    "Cohortbot carries your training into the weeks after it: a short daily lesson and quiz, "
    "session check-ins and reminders for your campaign plan. Open the invite link your trainer "
    "shared to join your cohort."
)
SHORT_DESCRIPTION = N_("Daily lessons, quizzes and reminders for your training cohort.")


def commands_for(registry: Registry, locale: str, principal: Principal | None) -> list[BotCommand]:
    """The menu someone sees: what their roles allow (a stranger's and a trainee's menu are the same)."""

    def allowed(audience: Audience) -> bool:
        if audience in (Audience.ANYONE, Audience.TRAINEE):
            return True
        return principal is not None and principal.allows(audience)

    return [BotCommand(c.name, gettext_for(locale, c.menu or "")) for c in registry.menu(allowed)]


def menus_of(services: Services) -> Registry:
    registry = services.menus.registry
    if not isinstance(registry, Registry):
        raise RuntimeError("menus read before handlers were registered")
    return registry


async def publish_defaults(bot: Bot, services: Services) -> None:
    """Menus for all private chats in each language (and the default), and the descriptions."""
    scope = BotCommandScopeAllPrivateChats()
    registry, default_locale = menus_of(services), services.settings.bot_default_locale
    for language, locale in [(code, code) for code in SUPPORTED_LOCALES] + [(None, default_locale)]:
        commands = commands_for(registry, locale, None)
        await with_retries(partial(bot.set_my_commands, commands, scope=scope, language_code=language))
        description = gettext_for(locale, DESCRIPTION)
        short = gettext_for(locale, SHORT_DESCRIPTION)
        # Telegram rate-limits these setters hard: set only what differs.
        if (await bot.get_my_description(language_code=language)).description != description:
            await with_retries(partial(bot.set_my_description, description, language_code=language))
        if (await bot.get_my_short_description(language_code=language)).short_description != short:
            await with_retries(partial(bot.set_my_short_description, short, language_code=language))


async def refresh_chat_menu(
    bot: Bot, services: Services, telegram_id: int, telegram_language: str | None = None
) -> None:
    """A chat-scoped menu for trainers, coordinators and anyone whose chosen language differs from the app's."""
    default_locale = services.settings.bot_default_locale
    principal = await services.access.principal(telegram_id, telegram_language, default_locale, reading=False)
    scope = BotCommandScopeChat(telegram_id)
    privileged = principal.is_trainer or principal.is_coordinator
    app_language = language_from_telegram(telegram_language) or services.settings.bot_default_locale
    try:
        if privileged or principal.locale != app_language:
            commands = commands_for(menus_of(services), principal.locale, principal)
            await with_retries(lambda: bot.set_my_commands(commands, scope=scope))
        else:
            await with_retries(lambda: bot.delete_my_commands(scope=scope))
    except (BadRequest, Forbidden) as exc:
        # Someone who never opened the bot has no chat yet: their menu is set on their first update.
        services.menus.set_for.discard(telegram_id)
        log.info("menu not set for a chat: %s", exc.__class__.__name__)
        return
    services.menus.set_for.add(telegram_id)


def needs_menu(services: Services, principal: Principal) -> bool:
    """A trainer or coordinator whose chat menu this process has not set yet (they had no chat with the bot when
    it was last tried, or the bot restarted before reaching them)."""
    privileged = principal.is_trainer or principal.is_coordinator
    return privileged and principal.telegram_id not in services.menus.set_for


async def refresh_privileged_menus(bot: Bot, services: Services) -> None:
    """At start: chat menus for every coordinator and trainer, in their stored language."""
    ids = set(await services.roles.coordinators()) | set(await services.roles.trainers())
    for telegram_id in sorted(ids):
        await refresh_chat_menu(bot, services, telegram_id)
