"""/grant and /revoke: the organisation-wide coordinator role, given by Telegram id."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _
from bot.parsing import parse_telegram_id
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, normalize_digits
from handlers.core.context import BotContext
from handlers.core.menus import refresh_chat_menu
from handlers.core.registry import Command
from handlers.core.ui import reply
from handlers.problems import problem_text

COORDINATOR = Audience.COORDINATOR


def id_words(context: BotContext) -> list[str]:
    return [normalize_digits(a) for a in (context.args or []) if a.casefold() not in {"coordinator", "منسق"}]


def target_user_id(context: BotContext) -> int | None:
    args = id_words(context)
    return parse_telegram_id(args[0]) if len(args) == 1 else None


async def refused_id(update: Update, context: BotContext) -> bool:
    """A typed number that cannot be a Telegram id (23 digits, say): said so, and True."""
    args = id_words(context)
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or parse_telegram_id(args[0]) is not None:
        return False
    await reply(
        update,
        fmt(_("That number is not a Telegram id. The person can see their id with {whoami}."), whoami=cmd("/whoami")),
    )
    return True


async def grant(update: Update, context: BotContext) -> None:
    if await refused_id(update, context):
        return
    telegram_id = target_user_id(context)
    if telegram_id is None:
        await reply(
            update,
            fmt(
                _("Usage: {usage} (the person can see their id with {whoami})"),
                usage=cmd("/grant 123456789"),
                whoami=cmd("/whoami"),
            ),
        )
        return
    try:
        changed = await context.services.roles.grant_coordinator(context.principal, telegram_id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    text = _("{id} is now a coordinator.") if changed else _("{id} is already a coordinator.")
    await reply(update, fmt(text, id=ltr(telegram_id)))
    if changed:
        await refresh_chat_menu(context.bot, context.services, telegram_id)


async def revoke(update: Update, context: BotContext) -> None:
    if await refused_id(update, context):
        return
    telegram_id = target_user_id(context)
    if telegram_id is None:
        await reply(update, fmt(_("Usage: {usage}"), usage=cmd("/revoke 123456789")))
        return
    try:
        changed = await context.services.roles.revoke_coordinator(context.principal, telegram_id, keep_one=True)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    text = _("{id} is no longer a coordinator.") if changed else _("{id} was not a coordinator.")
    await reply(update, fmt(text, id=ltr(telegram_id)))
    if changed:
        await refresh_chat_menu(context.bot, context.services, telegram_id)


GRANT = Command(("grant",), COORDINATOR, grant, menu=N_("Make someone a coordinator: /grant id"))
REVOKE = Command(("revoke",), COORDINATOR, revoke, menu=N_("Remove a coordinator: /revoke id"))
