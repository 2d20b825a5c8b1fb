"""/mydata (everything stored about you, the values themselves) and /forgetme (delete it, after a confirmation).

Registered among the general commands (`handlers.people.setup_my_data`), where they have always been in every menu."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from telegram import Update

from bot.i18n import N_, _
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.text import fmt, ltr, rtl_safe, split_message
from handlers.core.buttons import Codec, pressed
from handlers.core.context import BotContext
from handlers.core.menus import refresh_chat_menu
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply, reply_document
from handlers.people.my_data_views import JSON_NAME, json_file, my_data_lines
from handlers.problems import problem_text

MY_DATA_MESSAGES = 3  # /mydata longer than this many messages comes as its beginning and a JSON file


@dataclass(frozen=True)
class ForgetPress:
    answer: Literal["yes", "no"]


FORGET_ANSWERED = Codec("forget", ForgetPress)


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
        buttons(
            [
                [
                    (_("Yes, delete my data"), FORGET_ANSWERED.encode(ForgetPress("yes"))),
                    (_("No, keep it"), FORGET_ANSWERED.encode(ForgetPress("no"))),
                ]
            ]
        ),
    )


async def forget_answer(update: Update, context: BotContext) -> None:
    press = pressed(update, FORGET_ANSWERED)
    user = update.effective_user
    assert user is not None
    await answer_callback(update)
    if press is None or press.answer != "yes":
        await edit_or_reply(update, _("Nothing was deleted."))
        return
    try:
        deleted = await context.services.people.forget(user.id)
    except DomainError as error:  # the organisation's last coordinator
        await edit_or_reply(update, problem_text(error))
        return
    # Drop in-memory drafts too, or the next persistence flush would write them back (chat data: registration).
    context.application.drop_user_data(user.id)
    context.application.drop_chat_data(user.id)
    await edit_or_reply(update, _("Done: your data was deleted.") if deleted else _("We store nothing about you."))
    await refresh_chat_menu(context.bot, context.services, user.id, user.language_code)


MY_DATA = Command(("mydata",), Audience.ANYONE, my_data, menu=N_("See everything stored about you"))
FORGET_ME = Command(("forgetme",), Audience.ANYONE, forget_me, menu=N_("Delete your data"))
FORGET_BUTTON = Button.of(FORGET_ANSWERED, Audience.ANYONE, forget_answer)
