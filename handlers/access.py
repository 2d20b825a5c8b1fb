"""Access control, group -1: resolve who is writing and their language, refuse what their role does not allow."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.i18n import _, set_locale
from bot.services.access import Audience, resolve_principal
from handlers.commands import CALLBACK_AUDIENCE, COMMAND_AUDIENCE
from handlers.context import BotApplication, BotContext
from handlers.ui import answer_callback, reply

log = logging.getLogger(__name__)


def command_of(message: Message | None) -> str | None:
    """The command a message starts with ("/invite@bot x" → "invite"), or None."""
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    return message.text.split(maxsplit=1)[0][1:].split("@", 1)[0].lower()


def required_audience(update: Update) -> Audience:
    command = command_of(update.message)
    if command is not None:
        return COMMAND_AUDIENCE.get(command, Audience.ANYONE)
    query = update.callback_query
    if query is not None:
        prefix = (query.data or "").split(":", 1)[0]
        # Unknown prefixes need the highest role: forged data never reaches a handler by default.
        return CALLBACK_AUDIENCE.get(prefix, Audience.COORDINATOR)
    return Audience.ANYONE


def refusal(audience: Audience) -> str:
    if audience is Audience.TRAINEE:
        return _("This is for registered trainees. Join a cohort with the invite link your trainer shared.")
    if audience is Audience.TRAINER:
        return _("Sorry, only trainers and coordinators can do that.")
    return _("Sorry, only coordinators can do that.")


async def control_access(update: Update, context: BotContext) -> None:
    user = update.effective_user
    services = context.services
    if user is None or user.is_bot:
        raise ApplicationHandlerStop  # channel posts and the like: nothing for us
    async with services.db.unit_of_work() as uow:
        principal = await resolve_principal(uow, user.id, user.language_code, services.settings.bot_default_locale)
    context.principal_value = principal
    set_locale(principal.locale)
    chat = update.effective_chat
    if chat is not None and chat.type != chat.PRIVATE and update.my_chat_member is None:
        raise ApplicationHandlerStop  # the bot works in private chats only
    audience = required_audience(update)
    if not principal.allows(audience):
        await refuse(update, audience)
        raise ApplicationHandlerStop


async def refuse(update: Update, audience: Audience) -> None:
    text = refusal(audience)
    query = update.callback_query
    if query is not None:
        await answer_callback(update, text, alert=True)
    else:
        await reply(update, text)


def setup(application: BotApplication) -> None:
    application.add_handler(TypeHandler(Update, control_access), group=-1)
