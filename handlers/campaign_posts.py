"""Posts of a plan: added step by step (when → kind → platform → idea → repeat → reminder), changed one field at a
time, deleted; and the month's occasions, each added with one tap.

The date is typed ("2026-12-10 18:00", "غدًا ٩:٣٠ مساءً", "الخميس 8 م") or picked on an inline month calendar whose
buttons carry the draft's token (`cp:d:<token>:<yyyymmdd>`, `cp:m:<token>:<yyyymm>`): a stale or forged press is
refused, and every date is checked again by the service.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import get_day_names
from telegram import InlineKeyboardMarkup, Update

from bot.i18n import _, current_locale, is_rtl
from bot.services.campaign_calendar import YEARS, months_ahead, shift_month
from bot.services.campaign_rules import LEADS, SERIES_MAX, PostFields, post_moment, text_field
from bot.services.errors import DomainError, Problem
from bot.services.post_dates import WhenError, parse_day, parse_when
from bot.text import babel_locale, fmt, local_date, ltr
from handlers.campaign_draft import (
    END,
    WAITING,
    Step,
    answer,
    begin,
    draft,
    finish,
    reask,
    refuse,
    say,
    typed,
)
from handlers.campaign_texts import (
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
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply
from storage.campaign_dto import PostDTO, PostKind, Repeat

PICK_MONTHS = 12  # how far ahead the month calendar goes
POST_FIELDS = ("when", "kind", "platform", "idea", "repeat", "lead")
NOOP = "cp:noop"


# ----------------------------------------------------------------------------------- month calendar


def month_keyboard(token: str, year: int, month: int, today: dt.date) -> InlineKeyboardMarkup:
    """A month of day buttons; days before today are not pressable. Arabic rows run right to left from Saturday."""
    locale, rtl = current_locale(), is_rtl()
    first = 5 if rtl else 0
    ahead = months_ahead(today, (year, month))
    back = "cp:m:{}:{}{:02d}".format(token, *shift_month(year, month, -1)) if ahead > 0 else NOOP
    onward = "cp:m:{}:{}{:02d}".format(token, *shift_month(year, month, 1)) if ahead < PICK_MONTHS else NOOP
    earlier, later = ("▶", "◀") if rtl else ("◀", "▶")  # right to left, the next month is to the left
    header = [
        (earlier if back != NOOP else " ", back),
        (month_title(year, month), NOOP),
        (later if onward != NOOP else " ", onward),
    ]
    rows: list[list[tuple[str, str]]] = [list(reversed(header)) if rtl else header]
    names = get_day_names("narrow" if rtl else "short", locale=babel_locale(locale))
    days = [(str(names[(first + i) % 7]), NOOP) for i in range(7)]
    rows.append(list(reversed(days)) if rtl else days)
    for week in calendar.Calendar(first).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append((" ", NOOP))
            elif day < today:
                row.append(("·", NOOP))
            else:
                row.append((str(day.day), f"cp:d:{token}:{day:%Y%m%d}"))
        rows.append(list(reversed(row)) if rtl else row)
    return buttons(rows)


def parse_month(text: str) -> tuple[int, int] | None:
    """ "202612" from a button → (2026, 12); a forged one outside the calendar's years → None."""
    if len(text) != 6 or not text.isascii() or not text.isdigit() or not 1 <= int(text[4:]) <= 12:
        return None
    return (int(text[:4]), int(text[4:])) if YEARS[0] <= int(text[:4]) <= YEARS[1] else None


def parse_yyyymmdd(text: str) -> dt.date | None:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        return None
    try:
        day = dt.datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        return None
    return day if YEARS[0] <= day.year <= YEARS[1] else None


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
    begin(context, "post", "when", plan=plan_id, zone=view.zone, platforms=list(view.plan.platforms), post=None)
    return await ask_when(update, context)


async def ask_when(update: Update, context: BotContext) -> Step:
    values = draft(context)
    today = today_in(values["zone"])
    text = fmt(
        _(
            "When should it go out? Type a date and time, like {example}, “tomorrow 9:30” or “الخميس 8 م”, "
            "or pick a day:"
        ),
        example=ltr(EXAMPLE_WHEN),
    )
    await say(update, text, month_keyboard(values["token"], today.year, today.month, today))
    return WAITING


async def post_text_step(update: Update, context: BotContext) -> Step:
    values = draft(context)
    step, text = values.get("step"), typed(update)
    today = today_in(values["zone"])
    try:
        if step in ("when", "time"):
            when = parse_when(text, today)
            day = when.day or (dt.date.fromisoformat(values["day"]) if step == "time" and values.get("day") else None)
            if when.time is None:
                if when.day is None:
                    raise WhenError("unknown")
                values.update(day=when.day.isoformat(), step="time")
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
            values["idea"] = text_field(text, "idea", 1, 500)
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
    values = draft(context)
    try:
        moment = post_moment(day, time, values["zone"], dt.datetime.now(dt.UTC))
        post_id = int(values["post"]) if values.get("post") else None  # a post being moved: not in its own way
        await context.services.campaigns.plans.check_slot(chat_id_of(update), int(values["plan"]), moment, post_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    values["starts"] = moment.isoformat()
    return await after(update, context, "when")


async def until_chosen(update: Update, context: BotContext, until: dt.date) -> Step:
    values = draft(context)
    first = dt.datetime.fromisoformat(values["starts"]).astimezone(ZoneInfo(values["zone"])).date()
    if not first < until <= first + SERIES_MAX:
        await refuse(update, DomainError(Problem.REPEAT_END))
        return None
    values["until"] = until.isoformat()
    return await after(update, context, "until")


NEXT = {"when": "kind", "kind": "platform", "platform": "idea", "idea": "repeat", "repeat": "until", "until": "lead"}


async def after(update: Update, context: BotContext, done: str) -> Step:
    """The next question, or the save when only one field is being changed."""
    values = draft(context)
    if done == "lead" or (values.get("only") is not None and not (done == "repeat" and values.get("repeat") != "none")):
        return await save(update, context)
    step = NEXT.get(done, "")
    if step == "platform" and len(values["platforms"]) == 1:
        values["platform"] = values["platforms"][0]
        step = "idea"
    if step == "until" and values.get("repeat") == "none":
        step = "lead"
    return await ask(update, context, step)


async def ask(update: Update, context: BotContext, step: str) -> Step:
    values = draft(context)
    values["step"] = step
    token = values["token"]
    if step == "when":
        return await ask_when(update, context)
    if step == "kind":
        rows = [[(_(label), f"cp:k:{token}:{kind}")] for kind, label in KIND_NAMES.items()]
        await say(update, _("What kind of post is it?"), buttons(rows))
    elif step == "platform":
        rows = [[(platform_name(code), f"cp:p:{token}:{code}")] for code in values["platforms"]]
        await say(update, _("On which platform?"), buttons(rows))
    elif step == "idea":
        await say(update, idea_limit_text())
    elif step == "repeat":
        rows = [[(_(label), f"cp:r:{token}:{code}")] for code, label in REPEAT_NAMES.items()]
        await say(update, _("Does it repeat?"), buttons(rows))
    elif step == "until":
        start = dt.datetime.fromisoformat(values["starts"]).astimezone(ZoneInfo(values["zone"])).date()
        text = _("Until when? Type the last date (at most 6 months after the first post), or pick it:")
        await say(update, text, month_keyboard(token, start.year, start.month, today_in(values["zone"])))
    elif step == "lead":
        rows = [[(lead_name(None), f"cp:l:{token}:0")]] + [[(lead_name(m), f"cp:l:{token}:{m}")] for m in LEADS]
        await say(update, _("I will remind you (and your teammates) at the post's time. Also earlier?"), buttons(rows))
    return WAITING


def fields_of(values: dict[str, Any]) -> PostFields:
    repeat = Repeat(values.get("repeat", "none"))
    return PostFields(
        starts_at=dt.datetime.fromisoformat(values["starts"]),
        kind=PostKind(values["kind"]),
        platform=str(values["platform"]),
        idea=str(values["idea"]),
        repeat=repeat,
        repeat_until=dt.date.fromisoformat(values["until"])
        if repeat is not Repeat.NONE and values.get("until")
        else None,
        lead_minutes=(int(values["lead"]) or None) if values.get("lead") is not None else None,
    )


def repeat_of(values: dict[str, Any]) -> dict[str, object]:
    repeat = Repeat(values["repeat"])
    until = dt.date.fromisoformat(values["until"]) if repeat is not Repeat.NONE else None
    return {"repeat": repeat, "repeat_until": until}


def changes_of(values: dict[str, Any]) -> dict[str, object]:
    only = values["only"]
    if only == "when":
        moved: dict[str, object] = {"starts_at": dt.datetime.fromisoformat(values["starts"])}
        # A move refused for the series' end (or a full plan) asked again whether and until when it repeats.
        return moved | repeat_of(values) if values.get("reasked") else moved
    if only == "kind":
        return {"kind": PostKind(values["kind"])}
    if only == "platform":
        return {"platform": values["platform"]}
    if only == "idea":
        return {"idea": values["idea"]}
    if only == "lead":
        return {"lead_minutes": int(values["lead"]) or None}
    return repeat_of(values)


async def save(update: Update, context: BotContext) -> Step:
    values = draft(context)
    plans, user = context.services.campaigns.plans, chat_id_of(update)
    try:
        if values.get("post"):
            post = await plans.update_post(user, int(values["post"]), **changes_of(values))
        else:
            post = await plans.add_post(user, int(values["plan"]), fields_of(values))
    except DomainError as error:
        await refuse(update, error)
        only, problem = values.get("only"), error.problem
        if problem in (Problem.POST_IN_PAST, Problem.POST_TOO_FAR) or (
            problem is Problem.POSTS_PER_DAY and only == "when"
        ):
            return await ask(update, context, "when")
        if problem in (Problem.POSTS_PER_DAY, Problem.REPEAT_END) or (
            problem is Problem.POSTS_PER_PLAN and values.get("repeat", "none") != "none"
        ):
            values["reasked"] = True  # the answers to these questions are saved with the change
            return await ask(update, context, "repeat")
        return finish(context)
    except (KeyError, ValueError):
        await say(update, _("Something was missing. Please start the post again."))
        return finish(context)
    finish(context)
    await answer(update, _("Saved."))
    await show_saved(update, context, post, values["zone"], new=not values.get("post"))
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
    rows = [
        [("➕ " + _("Another post"), f"cp:ap:{post.plan_id}"), ("✏️ " + _("Change it"), f"cp:po:{post.id}")],
        [("📋 " + _("The plan"), f"cp:v:{post.plan_id}")],
    ]
    if new_message:
        await reply(update, "\n".join(lines), buttons(rows))
    else:
        await say(update, "\n".join(lines), buttons(rows))
