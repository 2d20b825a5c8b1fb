"""Access control, group -1: admit only fresh updates from people in private chats, resolve who is writing and their
language, find the handler PTB will actually run and refuse it when its declared audience does not allow them."""

from __future__ import annotations

import logging

from telegram import Chat, Update, User
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import set_locale
from bot.services.access import Audience
from handlers.core.context import BotApplication, BotContext
from handlers.core.menus import needs_menu, refresh_chat_menu
from handlers.core.registry import Handler, allows, declaration_of, refuse, will_run

log = logging.getLogger(__name__)
GATE_GROUP = -1
# What the bot asks Telegram for: edited messages, channel posts and the rest are never even delivered.
ADMITTED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.POLL_ANSWER, Update.MY_CHAT_MEMBER)


def person_behind(update: Update) -> User | None:
    """The person who sent a fresh message or pressed a button in a private chat, answered a quiz, or blocked or
    unblocked the bot; None for anything else (edited messages, channel posts, groups, other bots)."""
    user: User | None = None
    if update.message is not None:
        user = update.message.from_user if update.message.chat.type == Chat.PRIVATE else None
    elif update.callback_query is not None:
        message = update.callback_query.message
        user = update.callback_query.from_user if message is not None and message.chat.type == Chat.PRIVATE else None
    elif update.poll_answer is not None:
        user = update.poll_answer.user
    elif update.my_chat_member is not None:
        user = update.my_chat_member.from_user if update.my_chat_member.chat.type == Chat.PRIVATE else None
    return None if user is None or user.is_bot else user


def handlers_that_will_run(update: Update, context: BotContext) -> list[Handler]:
    """In each group after this one, the handler PTB will run (PTB runs at most one per group)."""
    chosen = []
    groups: dict[int, list[Handler]] = context.application.handlers  # type: ignore[assignment]
    for group in sorted(groups):
        if group != GATE_GROUP and (handler := will_run(groups[group], update)) is not None:
            chosen.append(handler)
    return chosen


async def control_access(update: Update, context: BotContext) -> None:
    user = person_behind(update)
    if user is None:
        raise ApplicationHandlerStop
    services = context.services
    principal = await services.access.principal(user.id, user.language_code, services.settings.bot_default_locale)
    context.principal_value = principal
    set_locale(principal.locale)
    for handler in handlers_that_will_run(update, context):
        declaration = declaration_of(handler)
        if declaration is None:  # never registered through a declaration: nobody may run it
            log.error("refused an undeclared handler: %r", handler)
            await refuse(update, Audience.COORDINATOR)
            raise ApplicationHandlerStop
        if not allows(principal, declaration.audience):
            await refuse(update, declaration.audience)
            raise ApplicationHandlerStop
    if needs_menu(services, principal):  # e.g. a coordinator named in settings who first writes after the start
        services.menus.set_for.add(user.id)  # once, even when several updates arrive before it is set
        context.application.create_task(set_menu(context, user))


async def set_menu(context: BotContext, user: User) -> None:
    try:
        await refresh_chat_menu(context.bot, context.services, user.id, user.language_code)
    except Exception:  # a menu is a convenience: never an error for the person
        context.services.menus.set_for.discard(user.id)
        log.warning("chat menu not set", exc_info=True)


def setup(application: BotApplication) -> None:
    application.add_handler(TypeHandler(Update, control_access), group=GATE_GROUP)
