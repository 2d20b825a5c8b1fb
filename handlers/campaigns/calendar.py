"""/calendar: the month of a trainee's posts as text and as a PNG month view in their language, month by month, the
month's occasions, and an .ics export for the phone's calendar."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict

from telegram import Update
from telegram.constants import ParseMode

from bot.i18n import _, current_locale
from bot.services.campaigns import Mark
from bot.services.campaigns.calendar import Entry, Month, shift_month
from bot.services.errors import DomainError
from bot.text import cmd, fmt, local_date, local_time, name, rtl_safe
from handlers.campaigns.buttons import (
    CALENDAR_FILE,
    CALENDAR_MONTH,
    CALENDAR_OCCASIONS,
    OCCASIONS,
    CalendarMonth,
    MonthRef,
    PlanMonth,
)
from handlers.campaigns.calendar_image import DayPost, month_png
from handlers.campaigns.ics import IcsEvent, calendar_ics
from handlers.campaigns.post_buttons import show_occasions
from handlers.campaigns.posts import first_day, in_calendar_years
from handlers.campaigns.replies import answer, new_press, refuse, stale
from handlers.campaigns.texts import KIND_ICONS, kind_name, month_title, plan_label, platform_name
from handlers.core.buttons import EMPTY, pressed
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply, reply_photo, with_retries

ICS_NAME = "campaign-calendar.ics"


def state_of(entry: Entry) -> str | None:
    if entry.record is None:
        return None
    return "done" if entry.record.state is Mark.DONE else "skipped"


def month_text(month: Month) -> str:
    locale = current_locale()
    several = len(month.plans) > 1
    lines: list[str] = [fmt(_("📅 <b>Your posts in {month}</b>"), month=name(month_title(month.year, month.month)))]
    days: dict[dt.date, list[Entry]] = defaultdict(list)
    for entry in month.entries:
        days[entry.local.date()].append(entry)
    for day in sorted(days):
        lines.append(fmt("<b>{date}</b>", date=local_date(day)))
        for entry in days[day]:
            mark = {"done": " ✅", "skipped": " ⏭"}.get(state_of(entry) or "", "")
            label = fmt(" ({plan})", plan=name(plan_label(entry.plan))) if several else ""
            idea = entry.post.idea if len(entry.post.idea) <= 60 else entry.post.idea[:59] + "…"
            lines.append(
                fmt(
                    "  {time} {icon} {platform} — {idea}{mark}{label}",
                    time=local_time(entry.local.time()),
                    icon=KIND_ICONS.get(entry.post.kind, "•"),
                    platform=platform_name(entry.post.platform),
                    idea=name(idea),
                    mark=mark,
                    label=label,
                )
            )
    if not month.entries:
        lines.append(_("No posts this month."))
    if month.occasions:
        names = [fmt("{day} {name}", day=o.day.day, name=name(o.name(locale))) for o in month.occasions[:8]]
        lines += ["", "🎉 " + _("Occasions:") + " " + ("، " if locale == "ar" else ", ").join(names)]
    return "\n".join(lines)


async def month_image(month: Month) -> bytes:
    """The PNG month view; the texts are made here, the drawing runs in a worker thread (not on the event loop)."""
    locale = current_locale()
    posts: dict[int, list[DayPost]] = defaultdict(list)
    for entry in month.entries:
        posts[entry.local.day].append(
            DayPost(entry.local.strftime("%H:%M"), entry.post.kind, platform_name(entry.post.platform), state_of(entry))
        )
    occasions: dict[int, list[str]] = defaultdict(list)
    for occasion in month.occasions:
        occasions[occasion.day.day].append(occasion.name(locale))
    labels = sorted({plan_label(p) for p in month.plans})
    subtitle = " · ".join(labels[:3]) if labels else _("Your posting calendar")
    today = month.today if (month.today.year, month.today.month) == (month.year, month.month) else None
    return await asyncio.to_thread(
        month_png,
        year=month.year,
        month=month.month,
        locale=locale,
        subtitle=subtitle,
        posts=posts,
        occasions=occasions,
        today=today,
    )


async def send_month(update: Update, context: BotContext, year: int | None = None, month: int | None = None) -> None:
    try:
        view = await context.services.campaigns.calendar.month(chat_id_of(update), year, month)
    except DomainError as error:
        await refuse(update, error)
        return
    if not view.plans:
        await reply(update, fmt(_("You have no campaign plan yet. Make one with {command}."), command=cmd("/campaign")))
        return
    previous, following = shift_month(view.year, view.month, -1), shift_month(view.year, view.month, 1)
    shown = first_day(view.year, view.month)
    rows = [
        [
            ("◀ " + month_title(*previous), CALENDAR_MONTH.encode(CalendarMonth(first_day(*previous)))),
            (month_title(*following) + " ▶", CALENDAR_MONTH.encode(CalendarMonth(first_day(*following)))),
        ],
        [
            ("📥 " + _("Calendar file (.ics)"), CALENDAR_FILE.encode(EMPTY)),
            ("🎉 " + _("Occasions"), CALENDAR_OCCASIONS.encode(MonthRef(shown))),
        ],
    ]
    png = await month_image(view)
    await reply_photo(update, png, fmt(_("📅 {month}"), month=name(month_title(view.year, view.month))), "calendar.png")
    await reply(update, month_text(view), buttons(rows))


async def calendar_command(update: Update, context: BotContext) -> None:
    await send_month(update, context)


def ics_events(entries: list[Entry]) -> list[IcsEvent]:
    events = []
    for entry in entries:
        post = entry.post
        summary = f"{KIND_ICONS.get(post.kind, '')} {plan_label(entry.plan)} · {platform_name(post.platform)}"
        description = f"{kind_name(post.kind)}: {post.idea}"
        events.append(
            IcsEvent(
                uid=f"post-{post.id}-{int(entry.at.timestamp())}@cohortbot",
                start=entry.at,
                summary=summary.strip(),
                description=description,
                alarm_minutes=post.lead_minutes,
            )
        )
    return events


async def send_ics(update: Update, context: BotContext) -> None:
    try:
        entries = await context.services.campaigns.calendar.everything(chat_id_of(update))
    except DomainError as error:
        await refuse(update, error)
        return
    await answer(update)
    if not entries:
        await reply(update, _("There are no posts to export yet."))
        return
    data = calendar_ics(ics_events(entries), name=_("Campaign posts"), now=dt.datetime.now(dt.UTC))
    chat = chat_id_of(update)
    caption = rtl_safe(_("Open this file on your phone to add your posts to its calendar."))
    await with_retries(
        lambda: context.bot.send_document(chat, data, filename=ICS_NAME, caption=caption, parse_mode=ParseMode.HTML)
    )


async def occasions_for_calendar(update: Update, context: BotContext, month: dt.date) -> None:
    view = await context.services.campaigns.calendar.month(chat_id_of(update))
    if not view.owned:
        await answer(update, _("Only a plan's owner adds posts. Make your own plan with /campaign."), alert=True)
        return
    if len(view.owned) == 1:
        await answer(update)
        await show_occasions(update, context, view.owned[0].id, month, new_message=True)
        return
    await answer(update)
    rows = [[(plan_label(p)[:40], OCCASIONS.encode(PlanMonth(p.id, month)))] for p in view.owned[:10]]
    await reply(update, _("For which plan?"), buttons(rows))


async def month_pressed(update: Update, context: BotContext) -> None:
    """cc:m:<yyyymm> (0: this month)."""
    new_press(update)
    data = pressed(update, CALENDAR_MONTH)
    if data is None or (data.month is not None and not in_calendar_years(data.month)):
        await stale(update)
        return
    await answer(update)
    month = data.month
    await send_month(update, context, *((month.year, month.month) if month else (None, None)))


async def file_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    await send_ics(update, context)


async def occasions_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    data = pressed(update, CALENDAR_OCCASIONS)
    if data is None or not in_calendar_years(data.month):
        await stale(update)
        return
    await occasions_for_calendar(update, context, data.month)
