"""Posts of a plan: added step by step (when → kind → platform → idea → repeat → reminder), changed one field at a
time, deleted; and the month's occasions, each added with one tap.

The date is typed ("2026-12-10 18:00", "غدًا ٩:٣٠ مساءً", "الخميس 8 م") or picked on an inline month calendar whose
buttons carry the draft's token (`cp:d:<token>:<yyyymmdd>`, `cp:m:<token>:<yyyymm>`): a stale or forged press is
refused, and every date is checked again by the service.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TypeVar, get_args
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from telegram import InlineKeyboardMarkup, Update

from bot.i18n import _, current_locale, is_rtl
from bot.services.campaigns import PostDTO, PostKind, Repeat
from bot.services.campaigns.calendar import YEARS, months_ahead, shift_month
from bot.services.campaigns.post_dates import WhenError, parse_day, parse_when
from bot.services.campaigns.rules import LEADS, SERIES_MAX, PostFields, post_moment, text_field
from bot.services.errors import DomainError, Problem
from bot.text import babel_locale, fmt, local_date, ltr
from handlers.campaigns.buttons import (
    ADD_POST,
    NOOP,
    POST_DAY,
    POST_KIND,
    POST_LEAD,
    POST_MONTH,
    POST_PLATFORM,
    POST_REPEAT,
    SHOW_PLAN,
    SHOW_POST,
    DayPick,
    KindChoice,
    LeadChoice,
    MonthPick,
    PlanRef,
    PlatformChoice,
    PostField,
    PostRef,
    RepeatChoice,
)
from handlers.campaigns.draft import END, WAITING, CampaignDraft, PostAnswers, begin, draft, finish, store
from handlers.campaigns.replies import Step, answer, reask, refuse, say, stale, typed
from handlers.campaigns.texts import (
    EXAMPLE_TIME,
    EXAMPLE_WHEN,
    KIND_NAMES,
    REPEAT_NAMES,
    idea_limit_text,
    lead_name,
    month_title,
    platform_name,
    post_line,
    when_problem,
)
from handlers.core.buttons import EMPTY
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply

PICK_MONTHS = 12  # how far ahead the month calendar goes
POST_FIELDS: tuple[PostField, ...] = get_args(PostField)
NOTHING = NOOP.encode(EMPTY)


# ----------------------------------------------------------------------------------- month calendar


def month_keyboard(token: str, year: int, month: int, today: dt.date) -> InlineKeyboardMarkup:
    """A month of day buttons; days before today are not pressable. Arabic rows run right to left from Saturday."""
    locale, rtl = current_locale(), is_rtl()
    first = 5 if rtl else 0
    ahead = months_ahead(today, (year, month))
    back = POST_MONTH.encode(MonthPick(token, first_day(*shift_month(year, month, -1)))) if ahead > 0 else NOTHING
    onward = POST_MONTH.encode(MonthPick(token, first_day(*shift_month(year, month, 1))))
    onward = onward if ahead < PICK_MONTHS else NOTHING
    earlier, later = ("▶", "◀") if rtl else ("◀", "▶")  # right to left, the next month is to the left
    header = [
        (earlier if back != NOTHING else " ", back),
        (month_title(year, month), NOTHING),
        (later if onward != NOTHING else " ", onward),
    ]
    rows: list[list[tuple[str, str]]] = [list(reversed(header)) if rtl else header]
    names = get_day_names("narrow" if rtl else "short", locale=babel_locale(locale))
    days = [(str(names[(first + i) % 7]), NOTHING) for i in range(7)]
    rows.append(list(reversed(days)) if rtl else days)
    for week in calendar.Calendar(first).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append((" ", NOTHING))
            elif day < today:
                row.append(("·", NOTHING))
            else:
                row.append((str(day.day), POST_DAY.encode(DayPick(token, day))))
        rows.append(list(reversed(row)) if rtl else row)
    return buttons(rows)


def first_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def in_calendar_years(day: dt.date) -> bool:
    """A month or day the calendars can show; the buttons never carry another one (a forged press is stale)."""
    return YEARS[0] <= day.year <= YEARS[1]


# ------------------------------------------------------------------------------------------- the flow


def today_in(zone: str) -> dt.date:
    return dt.datetime.now(ZoneInfo(zone)).date()


async def start_post(update: Update, context: BotContext, plan_id: int) -> Step:
    try:
        view = await context.services.campaigns.plans.view(chat_id_of(update), plan_id)
        if not view.is_owner:
            raise DomainError(Problem.NOT_PLAN_OWNER)
    except DomainError as error:
        await refuse(update, error)
        return None
    answers = PostAnswers(plan=plan_id, zone=view.zone, platforms=list(view.plan.platforms))
    begin(context, CampaignDraft("post", "when", post=answers))
    return await ask_when(update, context)


def post_draft(context: BotContext) -> tuple[CampaignDraft, PostAnswers] | None:
    """The draft of the post flow with its answers; None when no post is being added or changed."""
    value = draft(context)
    if value is None or value.flow != "post" or value.post is None:
        return None
    return value, value.post


async def ask_when(update: Update, context: BotContext) -> Step:
    found = post_draft(context)
    if found is None:
        return await stale(update)
    value, answers = found
    today = today_in(answers.zone)
    text = fmt(
        _(
            "When should it go out? Type a date and time, like {example}, “tomorrow 9:30” or “الخميس 8 م”, "
            "or pick a day:"
        ),
        example=ltr(EXAMPLE_WHEN),
    )
    await say(update, text, month_keyboard(value.token, today.year, today.month, today))
    return WAITING


async def post_text_step(update: Update, context: BotContext) -> Step:
    found = post_draft(context)
    if found is None:
        return await reask(update, context)
    value, answers = found
    step, text = value.step, typed(update)
    today = today_in(answers.zone)
    try:
        if step in ("when", "time"):
            when = parse_when(text, today)
            day = when.day or (answers.day if step == "time" else None)
            if when.time is None:
                if when.day is None:
                    raise WhenError("unknown")
                answers.day, value.step = when.day, "time"
                store(context, value)
                await reply(
                    update,
                    fmt(
                        _("What time on {date}? Type it like {example}."),
                        date=local_date(when.day),
                        example=ltr(EXAMPLE_TIME),
                    ),
                )
                return WAITING
            return await moment_chosen(update, context, day or today, when.time)
        if step == "idea":
            answers.idea = text_field(text, "idea", 1, 500)
            store(context, value)
            return await after(update, context, "idea")
        if step == "until":
            until = parse_day(text, today)
            return await until_chosen(update, context, until)
    except WhenError as error:
        await reply(update, when_problem(error.reason))
        return None
    except DomainError as error:
        await refuse(update, error)
        return None
    return await reask(update, context)  # a button is expected here


async def moment_chosen(update: Update, context: BotContext, day: dt.date, time: dt.time) -> Step:
    found = post_draft(context)
    if found is None:
        return await stale(update)
    value, answers = found
    try:
        moment = post_moment(day, time, answers.zone, dt.datetime.now(dt.UTC))
        # A post being moved is not in its own way.
        await context.services.campaigns.plans.check_slot(chat_id_of(update), answers.plan, moment, answers.post)
    except DomainError as error:
        await refuse(update, error)
        return None
    answers.starts = moment
    store(context, value)
    return await after(update, context, "when")


async def until_chosen(update: Update, context: BotContext, until: dt.date) -> Step:
    found = post_draft(context)
    if found is None or found[1].starts is None:
        return await stale(update)
    value, answers = found
    first = required(answers.starts).astimezone(ZoneInfo(answers.zone)).date()
    if not first < until <= first + SERIES_MAX:
        await refuse(update, DomainError(Problem.REPEAT_END))
        return None
    answers.until = until
    store(context, value)
    return await after(update, context, "until")


NEXT = {"when": "kind", "kind": "platform", "platform": "idea", "idea": "repeat", "repeat": "until", "until": "lead"}


async def after(update: Update, context: BotContext, done: str) -> Step:
    """The next question, or the save when only one field is being changed."""
    found = post_draft(context)
    if found is None:
        return await stale(update)
    value, answers = found
    if done == "lead" or (answers.only is not None and not (done == "repeat" and answers.repeat is not Repeat.NONE)):
        return await save(update, context)
    step = NEXT.get(done, "")
    if step == "platform" and len(answers.platforms) == 1:
        answers.platform = answers.platforms[0]
        step = "idea"
    if step == "until" and answers.repeat is Repeat.NONE:
        step = "lead"
    store(context, value)
    return await ask(update, context, step)


async def ask(update: Update, context: BotContext, step: str) -> Step:
    found = post_draft(context)
    if found is None:
        return await stale(update)
    value, answers = found
    value.step = step
    store(context, value)
    token = value.token
    if step == "when":
        return await ask_when(update, context)
    if step == "kind":
        rows = [[(_(label), POST_KIND.encode(KindChoice(token, PostKind(kind))))] for kind, label in KIND_NAMES.items()]
        await say(update, _("What kind of post is it?"), buttons(rows))
    elif step == "platform":
        rows = [
            [(platform_name(code), POST_PLATFORM.encode(PlatformChoice(token, code)))] for code in answers.platforms
        ]
        await say(update, _("On which platform?"), buttons(rows))
    elif step == "idea":
        await say(update, idea_limit_text())
    elif step == "repeat":
        rows = [
            [(_(label), POST_REPEAT.encode(RepeatChoice(token, Repeat(code))))] for code, label in REPEAT_NAMES.items()
        ]
        await say(update, _("Does it repeat?"), buttons(rows))
    elif step == "until":
        start = required(answers.starts).astimezone(ZoneInfo(answers.zone)).date()
        text = _("Until when? Type the last date (at most 6 months after the first post), or pick it:")
        await say(update, text, month_keyboard(token, start.year, start.month, today_in(answers.zone)))
    elif step == "lead":
        rows = [[(lead_name(None), POST_LEAD.encode(LeadChoice(token, 0)))]]
        rows += [[(lead_name(m), POST_LEAD.encode(LeadChoice(token, m)))] for m in LEADS]
        await say(update, _("I will remind you (and your teammates) at the post's time. Also earlier?"), buttons(rows))
    return WAITING


T = TypeVar("T")


def required(value: T | None) -> T:
    """An answer the step being saved needs; a draft without it cannot be saved (ValueError)."""
    if value is None:
        raise ValueError("missing answer")
    return value


def fields_of(answers: PostAnswers) -> PostFields:
    repeat = answers.repeat or Repeat.NONE
    return PostFields(
        starts_at=required(answers.starts),
        kind=required(answers.kind),
        platform=required(answers.platform),
        idea=required(answers.idea),
        repeat=repeat,
        repeat_until=answers.until if repeat is not Repeat.NONE else None,
        lead_minutes=answers.lead or None,
    )


def repeat_of(answers: PostAnswers) -> dict[str, object]:
    repeat = required(answers.repeat)
    return {"repeat": repeat, "repeat_until": required(answers.until) if repeat is not Repeat.NONE else None}


def changes_of(answers: PostAnswers) -> dict[str, object]:
    only = answers.only
    if only == "when":
        moved: dict[str, object] = {"starts_at": required(answers.starts)}
        # A move refused for the series' end (or a full plan) asked again whether and until when it repeats.
        return moved | repeat_of(answers) if answers.reasked else moved
    if only == "kind":
        return {"kind": required(answers.kind)}
    if only == "platform":
        return {"platform": required(answers.platform)}
    if only == "idea":
        return {"idea": required(answers.idea)}
    if only == "lead":
        return {"lead_minutes": required(answers.lead) or None}
    return repeat_of(answers)


async def save(update: Update, context: BotContext) -> Step:
    found = post_draft(context)
    if found is None:
        return await stale(update)
    value, answers = found
    plans, user = context.services.campaigns.plans, chat_id_of(update)
    try:
        if answers.post is not None:
            post = await plans.update_post(user, answers.post, **changes_of(answers))
        else:
            post = await plans.add_post(user, answers.plan, fields_of(answers))
    except DomainError as error:
        await refuse(update, error)
        only, problem = answers.only, error.problem
        if problem in (Problem.POST_IN_PAST, Problem.POST_TOO_FAR) or (
            problem is Problem.POSTS_PER_DAY and only == "when"
        ):
            return await ask(update, context, "when")
        if problem in (Problem.POSTS_PER_DAY, Problem.REPEAT_END) or (
            problem is Problem.POSTS_PER_PLAN and (answers.repeat or Repeat.NONE) is not Repeat.NONE
        ):
            answers.reasked = True  # the answers to these questions are saved with the change
            store(context, value)
            return await ask(update, context, "repeat")
        return finish(context)
    except (KeyError, ValueError):
        await say(update, _("Something was missing. Please start the post again."))
        return finish(context)
    finish(context)
    await answer(update, _("Saved."))
    await show_saved(update, context, post, answers.zone, new=answers.post is None)
    return END


async def show_saved(
    update: Update, context: BotContext, post: PostDTO, zone: str, *, new: bool, new_message: bool = False
) -> None:
    lines: list[str] = [("✅ " + _("Post added:")) if new else ("✅ " + _("Post changed:")), post_line(post, zone)]
    lines.append(
        fmt(_("Reminder: at the time, and {lead}."), lead=lead_name(post.lead_minutes))
        if post.lead_minutes
        else _("Reminder: at the time.")
    )
    plan, changed = PlanRef(post.plan_id), PostRef(post.id)
    rows = [
        [("➕ " + _("Another post"), ADD_POST.encode(plan)), ("✏️ " + _("Change it"), SHOW_POST.encode(changed))],
        [("📋 " + _("The plan"), SHOW_PLAN.encode(plan))],
    ]
    if new_message:
        await reply(update, "\n".join(lines), buttons(rows))
    else:
        await say(update, "\n".join(lines), buttons(rows))
