"""Trainees: registration through an invite link (/start <token>).

Nothing is stored before consent (README, Privacy): the answers so far (the draft) live in `chat_data`, which the
persistence never writes, and the conversation itself is not persistent, so a stranger leaves no row at all until
they press "I agree". A restart in the middle loses the draft: the person opens the invite link again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import filters

from bot.i18n import N_, _, set_locale
from bot.parsing import parse_full_name
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.services.people import TOWN_MAX, TOWNS, Joined
from bot.settings import SUPPORTED_LOCALES
from bot.text import clean_input, cmd, fmt, local_date, local_time, name
from handlers.core.buttons import EMPTY, Codec, Empty, NoneAs, Num, Text, pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END, Draft, Flow, ask_again
from handlers.core.menus import refresh_chat_menu
from handlers.core.registry import Button, Command, Typed
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.problems import problem_text

LANGUAGE, FULL_NAME, TOWN, TOWN_OTHER, CONSENT, CONFIRM_JOIN = range(6)

# Button labels for TOWNS (same order); the Arabic name is what is stored.
TOWN_LABELS = (N_("Hit"), N_("Ramadi"), N_("Fallujah"), N_("Diyala"), N_("Baghdad"))
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}
# Check-in QR links (/start ci_<token>) go to handlers.attendance; invite tokens never start with "ci_".
NOT_CHECKIN = ~filters.Regex(r"^/start(@\w+)?\s+ci_")


@dataclass(frozen=True)
class Registration:
    """The answers so far. Any may be missing: the flow's state outlives a draft dropped by /forgetme, and the
    consent step then says the registration has expired."""

    token: str | None = None
    locale: str | None = None
    name: str | None = None
    town: str | None = None


# In chat data, which the persistence never writes (registration is in private chats).
DRAFT = Draft("registration", Registration, where="chat")


@dataclass(frozen=True)
class LanguagePress:
    code: Annotated[str, Text("[a-z]{2}")]  # any two letters: an unknown one asks again, as a stale choice


@dataclass(frozen=True)
class TownPress:
    index: Annotated[int | None, NoneAs("other"), Num(digits=1, minimum=0)]  # None: "Other", typed next


LANGUAGE_CHOSEN = Codec("reg", LanguagePress, tag="lang")
TOWN_CHOSEN = Codec("reg", TownPress, tag="town")
CONSENT_GIVEN = Codec("reg", Empty, tag="consent")
JOIN_CONFIRMED = Codec("reg", Empty, tag="join")
STOPPED = Codec("reg", Empty, tag="stop")


def draft(context: BotContext) -> Registration:
    return DRAFT.get(context) or Registration()


def use_draft_locale(context: BotContext) -> None:
    locale = draft(context).locale
    if locale is not None:
        set_locale(locale)


async def begin(update: Update, context: BotContext) -> int:
    """/start <token>: check the invite (storing nothing), then welcome and ask for the language."""
    user, args = update.effective_user, context.args or []
    assert user is not None
    token = args[0] if args else ""
    DRAFT.drop(context)
    try:
        check = await context.services.registration.check_invite(token, user.id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return END
    if check.already_member:
        await reply(
            update,
            fmt(
                _("You are already registered in {cohort}. Send {help} to see what you can do."),
                cohort=name(check.cohort.name),
                help=cmd("/help"),
            ),
        )
        return END
    DRAFT.put(context, Registration(token=token, locale=context.principal.locale))
    if check.registered:
        await reply(
            update,
            fmt(_("Join the cohort {cohort}?"), cohort=name(check.cohort.name)),
            buttons([[(_("Yes, join"), JOIN_CONFIRMED.encode(EMPTY)), (_("No"), STOPPED.encode(EMPTY))]]),
        )
        return CONFIRM_JOIN
    welcome = fmt(
        _("Welcome! You were invited to the training cohort {cohort}. Registration takes a minute."),
        cohort=name(check.cohort.name),
    )
    return await ask_language(update, context, welcome)


async def ask_language(update: Update, context: BotContext, welcome: str = "") -> int:
    """The welcome (at the start) and the question in one message."""
    rows = [[(LANGUAGE_NAMES[code], LANGUAGE_CHOSEN.encode(LanguagePress(code))) for code in SUPPORTED_LOCALES]]
    await ask(update, welcome, _("Which language do you prefer?"), buttons(rows))
    return LANGUAGE


async def ask(update: Update, answered: str, question: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """The next question. After a button press it replaces the pressed message (with what was chosen on top),
    so registration leaves one tidy message per step and a burst of joiners sends far fewer messages."""
    await edit_or_reply(update, f"{answered}\n\n{question}" if answered else question, markup)


async def language_chosen(update: Update, context: BotContext) -> int:
    press = pressed(update, LANGUAGE_CHOSEN)
    await answer_callback(update)
    if press is None or press.code not in SUPPORTED_LOCALES:
        return await ask_language(update, context)
    locale = press.code
    DRAFT.put(context, replace(draft(context), locale=locale))
    set_locale(locale)
    return await ask_name(update, fmt(_("Language: {language}."), language=LANGUAGE_NAMES[locale]))


async def ask_name(update: Update, answered: str = "") -> int:
    await ask(update, answered, _("What is your full name? (2 to 64 letters, as you want your trainer to see it)"))
    return FULL_NAME


async def name_typed(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    text = update.message.text if update.message and update.message.text else ""
    full_name = parse_full_name(text)
    if full_name is None:
        await reply(
            update,
            _("Please type your name with letters only, between 2 and 64 characters. What is your full name?"),
        )
        return FULL_NAME
    DRAFT.put(context, replace(draft(context), name=full_name))
    return await ask_town(update)


async def ask_town(update: Update) -> int:
    labels = [(_(label), TOWN_CHOSEN.encode(TownPress(index))) for index, label in enumerate(TOWN_LABELS)]
    rows = [labels[0:3], labels[3:5] + [(_("Other"), TOWN_CHOSEN.encode(TownPress(None)))]]
    await ask(update, "", _("Which town are you from?"), buttons(rows))
    return TOWN


async def town_chosen(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    press = pressed(update, TOWN_CHOSEN)
    await answer_callback(update)
    if press is None:
        return await ask_town(update)
    if press.index is None:
        await ask(update, "", _("Please type the name of your town."))
        return TOWN_OTHER
    index = press.index
    if index >= len(TOWNS):
        return await ask_town(update)
    DRAFT.put(context, replace(draft(context), town=TOWNS[index]))
    return await ask_consent(update, fmt(_("Town: {town}."), town=name(_(TOWN_LABELS[index]))))


async def town_typed(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    text = clean_input(update.message.text if update.message and update.message.text else "")
    if not 2 <= len(text) <= TOWN_MAX or text.startswith("/"):
        await reply(update, _("Please type your town's name (2 to 64 characters)."))
        return TOWN_OTHER
    DRAFT.put(context, replace(draft(context), town=text))
    return await ask_consent(update)


async def ask_consent(update: Update, answered: str = "") -> int:
    notice = _(
        "<b>Your privacy</b>\n"
        "We store your Telegram id, the name and town you typed, your language, your cohorts, "
        "and later your lesson, quiz and attendance records.\n"
        "Only your cohort's trainers and the organisation's coordinators see them. "
        "We never share them and never show your phone number or username.\n"
        "You can see your data with {mydata} and delete it with {forgetme} at any time."
    ).format(mydata=cmd("/mydata"), forgetme=cmd("/forgetme"))
    choices = [[(_("I agree"), CONSENT_GIVEN.encode(EMPTY)), (_("I do not agree"), STOPPED.encode(EMPTY))]]
    await ask(update, answered, notice, buttons(choices))
    return CONSENT


async def consent_given(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    values = draft(context)  # before any await: a second tap at once registers too, and is told "already"
    await answer_callback(update)
    user = update.effective_user
    assert user is not None
    if values.token is None or values.name is None or values.town is None or values.locale is None:
        DRAFT.drop(context)
        await edit_or_reply(update, _("This registration has expired. Please open the invite link again."))
        return END
    try:
        joined = await context.services.registration.register(
            token=values.token,
            telegram_id=user.id,
            full_name=values.name,
            town=values.town,
            locale=values.locale,
        )
    except DomainError as error:
        DRAFT.drop(context)
        await edit_or_reply(update, problem_text(error))
        return END
    DRAFT.drop(context)
    await welcome_to_cohort(update, context, joined)
    return END


async def join_confirmed(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    await answer_callback(update)
    user = update.effective_user
    assert user is not None
    token = draft(context).token or ""
    DRAFT.drop(context)
    try:
        joined = await context.services.registration.join(token=token, telegram_id=user.id)
    except DomainError as error:
        await edit_or_reply(update, problem_text(error))
        return END
    await welcome_to_cohort(update, context, joined)
    return END


async def welcome_to_cohort(update: Update, context: BotContext, joined: Joined) -> None:
    """Replaces the consent (or join) question: the pressed button's answer is the welcome itself."""
    cohort = joined.cohort
    if joined.role == "trainer":
        text = fmt(
            _("You are now a trainer of {cohort}. Send {help} to see your commands."),
            cohort=name(cohort.name),
            help=cmd("/help"),
        )
        user = update.effective_user
        assert user is not None
        await refresh_chat_menu(context.bot, context.services, user.id, user.language_code)
    else:
        text = fmt(
            _(
                "You are registered in {cohort}.\n"
                "The cohort starts on {date}. Every day at {time} ({zone}) you will get a short lesson "
                "and a quiz here. Keep notifications on for this chat."
            ),
            cohort=name(cohort.name),
            date=local_date(cohort.start_date),
            time=local_time(cohort.lesson_time),
            zone=cohort.timezone,
        )
    await ask(update, _("Thank you."), text)


async def stop(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    await answer_callback(update)
    DRAFT.drop(context)
    await edit_or_reply(update, _("Registration stopped; nothing was saved. You can open the invite link again later."))
    return END


async def cancel(update: Update, context: BotContext) -> int:
    use_draft_locale(context)
    DRAFT.drop(context)
    await reply(update, _("Registration cancelled; nothing was saved."))
    return END


async def reask(update: Update, context: BotContext) -> None:
    """Anything unexpected (a sticker, a photo, text where a button is needed): the kit's ask-again, in the
    language chosen so far."""
    use_draft_locale(context)
    await ask_again(update, context)


ANYONE = Audience.ANYONE
TEXT = filters.TEXT & ~filters.COMMAND
STOP = Button.of(STOPPED, ANYONE, stop)

# Joining by invite link; every step is open to anyone (the invite is what admits). Nothing about a stranger is
# stored before consent, not even where they are: the flow is not persistent and its draft is in chat data.
FLOW = Flow(
    "registration",
    ANYONE,
    entry=[Command(("start",), ANYONE, begin, when=NOT_CHECKIN, has_args=True)],
    states={
        LANGUAGE: [Button.of(LANGUAGE_CHOSEN, ANYONE, language_chosen)],
        FULL_NAME: [Typed("registration: name", ANYONE, name_typed, TEXT)],
        TOWN: [Button.of(TOWN_CHOSEN, ANYONE, town_chosen)],
        TOWN_OTHER: [Typed("registration: town", ANYONE, town_typed, TEXT)],
        CONSENT: [Button.of(CONSENT_GIVEN, ANYONE, consent_given), STOP],
        CONFIRM_JOIN: [Button.of(JOIN_CONFIRMED, ANYONE, join_confirmed), STOP],
    },
    cancel=cancel,
    ask_again=reask,
    own_buttons="reg",  # this flow's stale buttons; other features' buttons are theirs
    persistent=False,
)
