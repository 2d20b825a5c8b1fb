"""For everyone: /start without a token, /help, /language, /whoami, blocks, errors.

/mydata and /forgetme are the people feature's (handlers.people.my_data): `handlers.FEATURES` registers them
between `setup` and `setup_whoami`, their place among the general commands and menus."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Annotated

from telegram import ChatMember, Update
from telegram.ext import filters

from bot.i18n import N_, _, current_locale, set_locale
from bot.services.access import Audience
from bot.settings import SUPPORTED_LOCALES
from bot.text import cmd, fmt, ltr, name
from handlers.core.buttons import Codec, Text, pressed
from handlers.core.context import BotContext
from handlers.core.feature import Feature
from handlers.core.menus import refresh_chat_menu
from handlers.core.registry import AnyButton, Button, Command, Event, Typed
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}


def role_names(context: BotContext) -> list[str]:
    principal = context.principal
    roles = []
    if principal.is_coordinator:
        roles.append(_("coordinator"))
    if principal.is_trainer:
        roles.append(_("trainer"))
    if principal.is_trainee:
        roles.append(_("trainee"))
    return roles


async def start_without_token(update: Update, context: BotContext) -> None:
    principal = context.principal
    if principal.person is not None and principal.person.is_registered:
        await reply(
            update,
            fmt(
                _("Welcome back, {name}! Send {help} to see what you can do."),
                name=name(principal.person.full_name or ""),
                help=cmd("/help"),
            ),
        )
        return
    await reply(
        update,
        _(
            "Welcome to cohortbot! To join your training cohort, open the invite link or scan the QR code "
            "that your trainer or coordinator shared with you."
        ),
    )


async def show_help(update: Update, context: BotContext) -> None:
    principal = context.principal
    lines = [_("<b>What you can do</b>")]
    for command in context.registry.menu(principal.allows):
        lines.append(
            fmt(
                "{command} — {description}",
                command=cmd(f"/{command.name}"),
                description=_(command.menu) if command.menu else "",
            )
        )
    await reply(update, "\n".join(lines))


@dataclass(frozen=True)
class LanguageChoice:
    locale: Annotated[str, Text("[a-z]{2}")]  # any two letters: one no longer offered is answered, not ignored


LANGUAGE_CHOICE = Codec("lang", LanguageChoice)


async def choose_language(update: Update, context: BotContext) -> None:
    rows = [[(LANGUAGE_NAMES[code], LANGUAGE_CHOICE.encode(LanguageChoice(code))) for code in SUPPORTED_LOCALES]]
    await reply(update, _("Choose your language:"), buttons(rows))


async def language_chosen(update: Update, context: BotContext) -> None:
    choice = pressed(update, LANGUAGE_CHOICE)
    locale = choice.locale if choice is not None else ""
    if locale not in SUPPORTED_LOCALES:
        await answer_callback(update, _("That choice is no longer available."))
        return
    user = update.effective_user
    assert user is not None
    stored = await context.services.people.set_locale(user.id, locale)
    set_locale(locale)
    await answer_callback(update)
    if not stored:  # a stranger: nothing is kept before consent, so the choice holds for this answer only
        text = _(
            "This answer is in {language}, but nothing is saved before you join a cohort. Open the invite link "
            "from your trainer: registration asks for your language first."
        )
        await edit_or_reply(update, fmt(text, language=LANGUAGE_NAMES[locale]))
        return
    await edit_or_reply(update, fmt(_("Language set: {language}."), language=LANGUAGE_NAMES[locale]))
    await refresh_chat_menu(context.bot, context.services, user.id, user.language_code)


async def whoami(update: Update, context: BotContext) -> None:
    principal = context.principal
    roles = role_names(context)
    text: str = fmt(_("Your Telegram id is {id}."), id=ltr(principal.telegram_id))
    if roles:
        text += "\n" + fmt(
            _("Your roles: {roles}."), roles="، ".join(roles) if current_locale() == "ar" else ", ".join(roles)
        )
    await reply(update, text)


async def cancel(update: Update, context: BotContext) -> None:
    await reply(update, _("There is nothing to cancel."))


async def unknown_command(update: Update, context: BotContext) -> None:
    await reply(update, fmt(_("I don't know that command. Send {help} for the list."), help=cmd("/help")))


async def anything_else(update: Update, context: BotContext) -> None:
    await reply(update, fmt(_("I didn't understand that. Send {help} to see what you can do."), help=cmd("/help")))


async def stale_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    await answer_callback(update, _("This button is no longer active."))


async def chat_member_changed(update: Update, context: BotContext) -> None:
    """The bot was blocked (kicked) or unblocked in a private chat."""
    change = update.my_chat_member
    if change is None or change.chat.type != change.chat.PRIVATE:
        return
    blocked = change.new_chat_member.status == ChatMember.BANNED
    await context.services.people.set_reachable(change.chat.id, not blocked)


async def on_error(update: object, context: BotContext) -> None:
    """Log with context (no personal data), and tell the person in their language."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("update %s failed: %s", update_id, error.__class__.__name__ if error else "?", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if context.principal_value is None and update.effective_user is not None:
        set_locale(update.effective_user.language_code or context.services.settings.bot_default_locale)
    try:
        if update.callback_query is not None:
            await answer_callback(update)
        await reply(update, _("Sorry, something went wrong on our side. Please try again in a moment."))
    except Exception:  # the error handler itself must never raise
        log.warning("could not tell the user about an error", exc_info=True)


START = Command(
    ("start",),
    Audience.ANYONE,
    start_without_token,
    menu=N_("Start, or join a cohort with an invite link"),
    has_args=False,
)
HELP = Command(("help",), Audience.ANYONE, show_help, menu=N_("What this bot can do for you"))
LANGUAGE = Command(("language",), Audience.ANYONE, choose_language, menu=N_("Change the language"))
LANGUAGE_BUTTON = Button.of(LANGUAGE_CHOICE, Audience.ANYONE, language_chosen)
WHOAMI = Command(("whoami",), Audience.ANYONE, whoami, menu=N_("Show your Telegram id"))
BLOCKED = Event("blocked", Audience.ANYONE, chat_member_changed, "my_chat_member")
# Last in group 0: they run only when no other handler took the update.
CANCEL = Command(("cancel",), Audience.ANYONE, cancel)
UNKNOWN_COMMAND = Typed("unknown command", Audience.ANYONE, unknown_command, filters.COMMAND)
ANYTHING_ELSE = Typed("anything else", Audience.ANYONE, anything_else, ~filters.COMMAND & ~filters.StatusUpdate.ALL)
STALE_BUTTON = AnyButton("stale", Audience.ANYONE, stale_button)


def setup() -> Feature:
    """The general commands, for everyone (registered after every feature's own): /start, /help, /language."""
    general = (START, HELP, LANGUAGE, LANGUAGE_BUTTON)
    return Feature("core", handlers=[declaration.handler() for declaration in general])


def setup_whoami() -> Feature:
    """/whoami and the blocked/unblocked event: last of the general commands, after people's /mydata, /forgetme."""
    return Feature("core: whoami", handlers=[WHOAMI.handler(), BLOCKED.handler()])


# Registered last in group 0 (handlers.install), so they run only when no other handler took the update.
FALLBACKS = (CANCEL, UNKNOWN_COMMAND, ANYTHING_ELSE, STALE_BUTTON)
