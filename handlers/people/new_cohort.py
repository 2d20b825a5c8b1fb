"""/newcohort: a coordinator names a cohort, its start date, its daily lesson time and its curriculum; the cohort is
made with a trainee invite, which is shown at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _, current_locale
from bot.parsing import parse_cohort_name, parse_date, parse_positive_int, parse_time
from bot.services.access import Audience
from bot.services.errors import DomainError, Problem
from bot.services.people import CurriculumDTO
from bot.text import cmd, fmt, local_date, local_time, ltr, name, normalize_key
from handlers.core.context import BotContext
from handlers.core.problems import problem_text
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.curricula import curriculum_label, lessons_text
from handlers.people.invites import send_invite

COHORT_NAME, START_DATE, LESSON_TIME, CURRICULUM = range(4)
END = ConversationHandler.END
DRAFT = "new_cohort"
START_WINDOW = (dt.timedelta(days=365), dt.timedelta(days=730))  # how far back / ahead a start date may be
MAX_CURRICULUM_BUTTONS = 20


def new_cohort_draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


async def new_cohort(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    if context.args:
        return await cohort_name_typed(update, context, " ".join(context.args))
    await reply(update, _("Let's create a cohort. What is its name? (for example: Baghdad digital campaigns, March)"))
    return COHORT_NAME


async def cohort_name_typed(update: Update, context: BotContext, typed: str | None = None) -> int:
    text = typed if typed is not None else (update.message.text if update.message and update.message.text else "")
    cohort_name = parse_cohort_name(text)
    if cohort_name is None:
        await reply(update, _("Please type a name of 2 to 64 characters."))
        return COHORT_NAME
    summaries = await context.services.cohorts.summaries(context.principal)
    if any(normalize_key(s.cohort.name) == normalize_key(cohort_name) for s in summaries):
        await reply(
            update, fmt(_("A cohort named {cohort} already exists. Choose another name."), cohort=name(cohort_name))
        )
        return COHORT_NAME
    new_cohort_draft(context)["name"] = cohort_name
    await reply(update, fmt(_("When does it start? Type the date as {example}."), example=ltr("2026-12-01")))
    return START_DATE


async def start_date_typed(update: Update, context: BotContext) -> int:
    text = update.message.text if update.message and update.message.text else ""
    start = parse_date(text)
    today = dt.datetime.now(context.services.settings.zone).date()
    if start is None or not today - START_WINDOW[0] <= start <= today + START_WINDOW[1]:
        await reply(
            update,
            fmt(
                _("That is not a date I can use. Type it as {example}, within the next two years."),
                example=ltr("2026-12-01"),
            ),
        )
        return START_DATE
    new_cohort_draft(context)["start"] = start.isoformat()
    await reply(
        update, fmt(_("At what time should the daily lesson go out? Type it as {example}."), example=ltr("18:30"))
    )
    return LESSON_TIME


async def lesson_time_typed(update: Update, context: BotContext) -> int:
    text = update.message.text if update.message and update.message.text else ""
    lesson_time = parse_time(text)
    if lesson_time is None:
        await reply(
            update, fmt(_("That is not a time I can use. Type it as {example} (24-hour clock)."), example=ltr("18:30"))
        )
        return LESSON_TIME
    new_cohort_draft(context)["time"] = lesson_time.strftime("%H:%M")
    return await ask_curriculum(update, context)


async def ask_curriculum(update: Update, context: BotContext) -> int:
    """One button per imported curriculum and "No curriculum"; without any curriculum the step is skipped."""
    items = await context.services.curricula.all()
    if not items:
        return await create_cohort(update, context, take_draft(context), None)
    rows = [[(curriculum_label(item), f"nc:cur:{item.id}")] for item in items[:MAX_CURRICULUM_BUTTONS]]
    rows.append([(_("No curriculum"), "nc:cur:none")])
    await reply(update, _("Which curriculum should the cohort follow? One lesson goes out each day."), buttons(rows))
    return CURRICULUM


def take_draft(context: BotContext) -> dict[str, Any]:
    """The finished draft, removed before any await: a second tap (updates run concurrently) finds none."""
    assert context.user_data is not None
    value = context.user_data.pop(DRAFT, None)
    return value if isinstance(value, dict) else {}


async def curriculum_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    values = take_draft(context)
    if not values:  # tapped twice: the first tap is creating the cohort
        await answer_callback(update, _("This button is no longer active."))
        return END
    choice = query.data.removeprefix("nc:cur:")
    curriculum: CurriculumDTO | None = None
    if choice != "none":
        curriculum_id = parse_positive_int(choice)
        curriculum = await context.services.curricula.by_id(curriculum_id) if curriculum_id else None
        if curriculum is None:  # a stale or forged button: ask again, create nothing
            new_cohort_draft(context).update(values)
            await answer_callback(update, _("That choice is no longer available."))
            return await ask_curriculum(update, context)
    await answer_callback(update)
    return await create_cohort(update, context, values, curriculum)


async def create_cohort(
    update: Update, context: BotContext, values: dict[str, Any], curriculum: CurriculumDTO | None
) -> int:
    if not context.principal.is_coordinator:  # the role may have been revoked during the flow
        await reply(update, _("Sorry, only coordinators can do that."))
        return END
    try:
        created = await context.services.cohorts.create(
            context.principal,
            name=values["name"],
            start_date=dt.date.fromisoformat(values["start"]),
            lesson_time=dt.time.fromisoformat(values["time"]),
            timezone=context.services.settings.bot_timezone,
            curriculum_id=curriculum.id if curriculum else None,
        )
    except DomainError as error:
        if error.problem is Problem.CURRICULUM_NOT_FOUND:
            new_cohort_draft(context).update(values)
            return await ask_curriculum(update, context)
        await reply(update, problem_text(error))
        return END
    except KeyError:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/newcohort")))
        return END
    cohort = created.cohort
    lines = [
        fmt(
            _("Cohort {cohort} created: it starts on {date}, with a lesson every day at {time}."),
            cohort=name(cohort.name),
            date=local_date(cohort.start_date),
            time=local_time(cohort.lesson_time),
        ),
        fmt(
            _("Curriculum: {title}, {lessons}."),
            title=name(curriculum.title(current_locale())),
            lessons=lessons_text(curriculum.lesson_count),
        )
        if curriculum
        else _("No curriculum: this cohort gets no daily lessons."),
    ]
    if update.callback_query is not None:
        await edit_or_reply(update, "\n".join(lines))  # the curriculum question becomes the answer
    else:
        await reply(update, "\n".join(lines))
    await send_invite(update, context, cohort, created.invite)
    return END


async def cancel_new_cohort(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    await reply(update, _("Cancelled; no cohort was created."))
    return END


async def reask(update: Update, context: BotContext) -> None:
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))


COORDINATOR = Audience.COORDINATOR


def new_cohort_conversation() -> ConversationHandler[BotContext]:
    text = filters.TEXT & ~filters.COMMAND
    other = Typed("new cohort: anything else", COORDINATOR, reask, ~filters.COMMAND)
    return conversation(
        "new_cohort",
        entry=[Command(("newcohort",), COORDINATOR, new_cohort, menu=N_("Create a cohort"))],
        states={
            COHORT_NAME: [Typed("new cohort: name", COORDINATOR, cohort_name_typed, text), other],
            START_DATE: [Typed("new cohort: start date", COORDINATOR, start_date_typed, text), other],
            LESSON_TIME: [Typed("new cohort: lesson time", COORDINATOR, lesson_time_typed, text), other],
            CURRICULUM: [Button("nc", COORDINATOR, curriculum_chosen, r"cur:(?:\d{1,9}|none)"), other],
        },
        fallbacks=[Command(("cancel",), Audience.ANYONE, cancel_new_cohort)],
    )
