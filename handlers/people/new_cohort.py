"""/newcohort: a coordinator names a cohort, its start date, its daily lesson time and its curriculum; the cohort is
made with a trainee invite, which is shown at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Annotated

from telegram import Update
from telegram.ext import filters

from bot.i18n import N_, _, current_locale
from bot.parsing import parse_cohort_name, parse_date, parse_time
from bot.services.access import Audience
from bot.services.errors import DomainError, Problem
from bot.services.people import CurriculumDTO
from bot.text import cmd, fmt, local_date, local_time, ltr, name, normalize_key
from handlers.core.buttons import Codec, NoneAs, Num, pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END, Draft, Flow
from handlers.core.registry import Button, Command, Typed
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.lessons.curricula import curriculum_label, lessons_text
from handlers.people.invites import send_invite
from handlers.problems import problem_text

COHORT_NAME, START_DATE, LESSON_TIME, CURRICULUM = range(4)
START_WINDOW = (dt.timedelta(days=365), dt.timedelta(days=730))  # how far back / ahead a start date may be
MAX_CURRICULUM_BUTTONS = 20


@dataclass(frozen=True)
class CohortDraft:
    """The answers so far (kept in user data, so a restart keeps a half-made cohort)."""

    name: str | None = None
    start: dt.date | None = None
    time: dt.time | None = None


DRAFT = Draft("new_cohort", CohortDraft)


@dataclass(frozen=True)
class CurriculumPress:
    # None: "No curriculum". From 0, so that a forged 0 is "no longer available" like any unknown id.
    curriculum_id: Annotated[int | None, NoneAs("none"), Num(minimum=0)]


CURRICULUM_CHOSEN = Codec("nc", CurriculumPress, tag="cur")


def draft(context: BotContext) -> CohortDraft:
    return DRAFT.get(context) or CohortDraft()


async def new_cohort(update: Update, context: BotContext) -> int:
    DRAFT.drop(context)
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
    DRAFT.put(context, replace(draft(context), name=cohort_name))
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
    DRAFT.put(context, replace(draft(context), start=start))
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
    DRAFT.put(context, replace(draft(context), time=lesson_time.replace(second=0, microsecond=0)))
    return await ask_curriculum(update, context)


async def ask_curriculum(update: Update, context: BotContext) -> int:
    """One button per imported curriculum and "No curriculum"; without any curriculum the step is skipped."""
    items = await context.services.curricula.all()
    if not items:
        return await create_cohort(update, context, take_draft(context), None)
    rows = [
        [(curriculum_label(item), CURRICULUM_CHOSEN.encode(CurriculumPress(item.id)))]
        for item in items[:MAX_CURRICULUM_BUTTONS]
    ]
    rows.append([(_("No curriculum"), CURRICULUM_CHOSEN.encode(CurriculumPress(None)))])
    await reply(update, _("Which curriculum should the cohort follow? One lesson goes out each day."), buttons(rows))
    return CURRICULUM


def take_draft(context: BotContext) -> CohortDraft | None:
    """The finished draft, removed before any await: a second tap (updates run concurrently) finds none."""
    value = DRAFT.get(context)
    DRAFT.drop(context)
    return value


async def curriculum_chosen(update: Update, context: BotContext) -> int:
    press = pressed(update, CURRICULUM_CHOSEN)
    values = take_draft(context) if press is not None else None
    if values is None or press is None:  # tapped twice: the first tap is creating the cohort
        await answer_callback(update, _("This button is no longer active."))
        return END
    curriculum: CurriculumDTO | None = None
    if press.curriculum_id is not None:
        curriculum_id = press.curriculum_id
        curriculum = await context.services.curricula.by_id(curriculum_id) if curriculum_id else None
        if curriculum is None:  # a stale or forged button: ask again, create nothing
            DRAFT.put(context, values)
            await answer_callback(update, _("That choice is no longer available."))
            return await ask_curriculum(update, context)
    await answer_callback(update)
    return await create_cohort(update, context, values, curriculum)


async def create_cohort(
    update: Update, context: BotContext, values: CohortDraft | None, curriculum: CurriculumDTO | None
) -> int:
    if not context.principal.is_coordinator:  # the role may have been revoked during the flow
        await reply(update, _("Sorry, only coordinators can do that."))
        return END
    if values is None or values.name is None or values.start is None or values.time is None:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/newcohort")))
        return END
    try:
        created = await context.services.cohorts.create(
            context.principal,
            name=values.name,
            start_date=values.start,
            lesson_time=values.time,
            timezone=context.services.settings.bot_timezone,
            curriculum_id=curriculum.id if curriculum else None,
        )
    except DomainError as error:
        if error.problem is Problem.CURRICULUM_NOT_FOUND:
            DRAFT.put(context, values)
            return await ask_curriculum(update, context)
        await reply(update, problem_text(error))
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
    DRAFT.drop(context)
    await reply(update, _("Cancelled; no cohort was created."))
    return END


COORDINATOR = Audience.COORDINATOR
TEXT = filters.TEXT & ~filters.COMMAND

FLOW = Flow(
    "new_cohort",
    COORDINATOR,
    entry=[Command(("newcohort",), COORDINATOR, new_cohort, menu=N_("Create a cohort"))],
    states={
        COHORT_NAME: [Typed("new cohort: name", COORDINATOR, cohort_name_typed, TEXT)],
        START_DATE: [Typed("new cohort: start date", COORDINATOR, start_date_typed, TEXT)],
        LESSON_TIME: [Typed("new cohort: lesson time", COORDINATOR, lesson_time_typed, TEXT)],
        CURRICULUM: [Button.of(CURRICULUM_CHOSEN, COORDINATOR, curriculum_chosen)],
    },
    cancel=cancel_new_cohort,
    label="new cohort",
)
