"""For everyone: /start without a token, /help, /language, /whoami, /mydata, /forgetme, blocks, errors."""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, CommandHandler, MessageHandler, filters

from bot.i18n import _, current_locale, set_locale
from bot.settings import SUPPORTED_LOCALES
from bot.text import cmd, fmt, ltr, name, rtl_safe, split_message
from handlers.commands import COMMANDS
from handlers.context import BotApplication, BotContext
from handlers.menus import refresh_chat_menu
from handlers.my_data_views import JSON_NAME, json_file, my_data_lines
from handlers.ui import answer_callback, buttons, edit_or_reply, reply, reply_document

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}
MY_DATA_MESSAGES = 3  # /mydata longer than this many messages comes as its beginning and a JSON file


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
    for command in COMMANDS:
        if command.in_menu and principal.allows(command.audience):
            lines.append(
                fmt("{command} — {description}", command=cmd(f"/{command.name}"), description=_(command.description))
            )
    await reply(update, "\n".join(lines))


async def choose_language(update: Update, context: BotContext) -> None:
    rows = [[(LANGUAGE_NAMES[code], f"lang:{code}") for code in SUPPORTED_LOCALES]]
    await reply(update, _("Choose your language:"), buttons(rows))


async def language_chosen(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    locale = query.data.split(":", 1)[1]
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


async def my_data(update: Update, context: BotContext) -> None:
    """The stored values themselves; split over a few messages, and when longer, the beginning and a JSON file."""
    user = update.effective_user
    assert user is not None
    data = await context.services.people.my_data(user.id)
    if data.empty:
        await reply(update, _("We store nothing about you."))
        return
    lines = my_data_lines(data, context.services.settings.bot_timezone)
    if len(split_message(rtl_safe("\n".join(lines)))) <= MY_DATA_MESSAGES:
        await reply(update, "\n".join(lines))
        return
    tail = fmt(_("That is the beginning: everything, in full, is in the file {file}."), file=ltr(JSON_NAME))
    head: list[str] = []
    for line in lines:  # whole lines, as many as fit in the first messages with the tail
        if len(split_message(rtl_safe("\n".join([*head, line, tail])))) > MY_DATA_MESSAGES - 1:
            break
        head.append(line)
    await reply(update, "\n".join([*head, tail]))
    caption = _("Everything we store about you (times in UTC).")
    await reply_document(update, json_file(data), JSON_NAME, caption)


async def forget_me(update: Update, context: BotContext) -> None:
    await reply(
        update,
        _(
            "This deletes your name, town, language, consent, cohort memberships, attendance, campaign plans "
            "and the proofs you sent. Your lessons, quiz answers and marks on others' plans stay only as "
            "anonymous totals. You would need a new invite to join again. Delete everything?"
        ),
        buttons([[(_("Yes, delete my data"), "forget:yes"), (_("No, keep it"), "forget:no")]]),
    )


async def forget_answer(update: Update, context: BotContext) -> None:
    query = update.callback_query
    user = update.effective_user
    assert query is not None and query.data is not None and user is not None
    await answer_callback(update)
    if query.data != "forget:yes":
        await edit_or_reply(update, _("Nothing was deleted."))
        return
    deleted = await context.services.people.forget(user.id)
    # Drop in-memory drafts too, or the next persistence flush would write them back (chat data: registration).
    context.application.drop_user_data(user.id)
    context.application.drop_chat_data(user.id)
    await edit_or_reply(update, _("Done: your data was deleted.") if deleted else _("We store nothing about you."))
    await refresh_chat_menu(context.bot, context.services, user.id, user.language_code)


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


def setup(application: BotApplication) -> None:
    application.add_handler(CommandHandler("start", start_without_token, filters.ChatType.PRIVATE, has_args=False))
    application.add_handler(CommandHandler("help", show_help))
    application.add_handler(CommandHandler("language", choose_language))
    application.add_handler(CallbackQueryHandler(language_chosen, pattern=r"^lang:"))
    application.add_handler(CommandHandler("whoami", whoami))
    application.add_handler(CommandHandler("mydata", my_data))
    application.add_handler(CommandHandler("forgetme", forget_me))
    application.add_handler(CallbackQueryHandler(forget_answer, pattern=r"^forget:(yes|no)$"))
    application.add_handler(ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(on_error)


def setup_fallbacks(application: BotApplication) -> None:
    """Registered last in group 0, so they run only when no other handler took the update."""
    application.add_handler(CommandHandler("cancel", cancel))
    application.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    application.add_handler(MessageHandler(~filters.COMMAND & ~filters.StatusUpdate.ALL, anything_else))
    application.add_handler(CallbackQueryHandler(stale_button))
