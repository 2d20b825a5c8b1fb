"""The buttons of the post flow (`cp:` post actions) and the month's occasions, each added with one tap."""

from __future__ import annotations

import datetime as dt

from telegram import Update

from bot.i18n import _, current_locale
from bot.services.campaigns import PLATFORMS, PostKind, Repeat
from bot.services.campaigns.calendar import months_ahead, shift_month
from bot.services.campaigns.occasions import Occasion, month_occasions, on_day
from bot.services.campaigns.rules import LEADS
from bot.services.errors import DomainError
from bot.text import fmt, local_date, ltr, name
from handlers.campaigns.buttons import (
    ADD_OCCASION,
    OCCASIONS,
    SHOW_PLAN,
    DayPick,
    KindChoice,
    LeadChoice,
    MonthPick,
    OccasionPick,
    PlanMonth,
    PlanRef,
    PlatformChoice,
    PostFieldRef,
    PostRef,
    RepeatChoice,
)
from handlers.campaigns.draft import store
from handlers.campaigns.post_edits import delete_post, edit_post, show_post, show_posts
from handlers.campaigns.posts import (
    PICK_MONTHS,
    after,
    first_day,
    in_calendar_years,
    month_keyboard,
    post_draft,
    show_saved,
    start_post,
    today_in,
    until_chosen,
)
from handlers.campaigns.replies import Step, answer, refuse, say, stale
from handlers.campaigns.texts import EXAMPLE_TIME, KIND_NAMES, REPEAT_NAMES, month_title
from handlers.core.buttons import Empty
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply

OCCASION_BUTTONS = 20


def occasion_line(occasion: Occasion, locale: str) -> str:
    estimated = " " + _("(date estimated)") if occasion.estimated else ""
    icon = {"iraq": "🇮🇶", "hijri": "🌙", "international": "🌍"}[occasion.source]
    return fmt(
        "{icon} {date} — {name}{estimated}",
        icon=icon,
        date=local_date(occasion.day),
        name=name(occasion.name(locale)),
        estimated=estimated,
    )


async def show_occasions(
    update: Update, context: BotContext, plan_id: int, wanted: dt.date | None, *, new_message: bool = False
) -> Step:
    """The occasions of the `wanted` month (None, or a month no calendar shows: the current month)."""
    try:
        zone = await context.services.campaigns.plans.zone_of(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    today = today_in(zone)
    chosen = (wanted.year, wanted.month) if wanted and in_calendar_years(wanted) else (today.year, today.month)
    if not 0 <= months_ahead(today, chosen) <= PICK_MONTHS:
        return await stale(update)
    year, month = chosen
    locale = current_locale()
    occasions = month_occasions(year, month)
    title = fmt(_("🎉 <b>Occasions in {month}</b>"), month=name(month_title(year, month)))
    lines: list[str] = [title]
    lines += [occasion_line(o, locale) for o in occasions] or [_("No occasions listed this month.")]
    if any(o.estimated for o in occasions):
        lines += ["", _("Islamic dates are estimated: they move with the sighting of the moon.")]
    lines += ["", _("Tap one to add a post for it (at 18:00; you can change the time and the idea).")]
    rows: list[list[tuple[str, str]]] = []
    for occasion in [o for o in occasions if o.day >= today][:OCCASION_BUTTONS]:
        index = on_day(occasion.day).index(occasion)
        label = f"➕ {occasion.day.day} · {occasion.name(locale)}"
        rows.append([(label[:60], ADD_OCCASION.encode(OccasionPick(plan_id, occasion.day, index)))])
    nav: list[tuple[str, str]] = []
    if months_ahead(today, chosen) > 0:
        nav.append(("◀", OCCASIONS.encode(PlanMonth(plan_id, first_day(*shift_month(year, month, -1))))))
    if months_ahead(today, chosen) < PICK_MONTHS:
        nav.append(("▶", OCCASIONS.encode(PlanMonth(plan_id, first_day(*shift_month(year, month, 1))))))
    rows.append(nav + [("↩️ " + _("Back"), SHOW_PLAN.encode(PlanRef(plan_id)))])
    if new_message:
        await reply(update, "\n".join(lines), buttons(rows))
    else:
        await say(update, "\n".join(lines), buttons(rows))
    return None


async def add_occasion(update: Update, context: BotContext, data: OccasionPick) -> Step:
    plan_id, day, index = data.plan_id, data.day, data.index
    occasions = on_day(day) if in_calendar_years(day) else ()
    if not 0 <= index < len(occasions):
        return await stale(update)
    idea = occasions[index].name(current_locale())
    try:
        post = await context.services.campaigns.plans.add_occasion(chat_id_of(update), plan_id, day, index, idea)
        zone = await context.services.campaigns.plans.zone_of(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    await answer(update, _("Added."))
    await show_saved(update, context, post, zone, new=True, new_message=True)  # the list stays for more taps
    return None


async def picked_day(update: Update, context: BotContext, data: DayPick) -> Step:
    found, day = post_draft(context), data.day
    if found is None or found[0].token != data.token or not in_calendar_years(day):
        return await stale(update)
    value, answers = found
    today = today_in(answers.zone)
    if not 0 <= months_ahead(today, (day.year, day.month)) <= PICK_MONTHS or day < today:
        await answer(update, _("That day has passed. Please pick another."), alert=True)
        return None
    if value.step == "until":
        return await until_chosen(update, context, day)
    if value.step not in ("when", "time"):
        return await stale(update)
    answers.day, value.step = day, "time"
    store(context, value)
    await say(
        update, fmt(_("What time on {date}? Type it like {example}."), date=local_date(day), example=ltr(EXAMPLE_TIME))
    )
    return None


async def picked_month(update: Update, context: BotContext, data: MonthPick) -> Step:
    found, token, chosen = post_draft(context), data.token, (data.month.year, data.month.month)
    if found is None or found[0].token != token or not in_calendar_years(data.month):
        return await stale(update)
    value, answers = found
    today = today_in(answers.zone)
    if not 0 <= months_ahead(today, chosen) <= PICK_MONTHS or value.step not in ("when", "until"):
        return await stale(update)
    await answer(update)
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(month_keyboard(token, chosen[0], chosen[1], today))
    return None


async def choice(update: Update, context: BotContext, action: str, token: str, chosen: str) -> Step:
    """Kind, platform, repeat or lead time tapped in the post flow."""
    found = post_draft(context)
    expected = {"k": "kind", "p": "platform", "r": "repeat", "l": "lead"}[action]
    if found is None or found[0].token != token or found[0].step != expected:
        return await stale(update)
    value, answers = found
    valid = {
        "kind": tuple(KIND_NAMES),
        "platform": tuple(p for p in PLATFORMS if p in answers.platforms),
        "repeat": tuple(REPEAT_NAMES),
        "lead": ("0", *(str(m) for m in LEADS)),
    }[expected]
    if chosen not in valid:
        return await stale(update)
    if expected == "kind":
        answers.kind = PostKind(chosen)
    elif expected == "platform":
        answers.platform = chosen
    elif expected == "repeat":
        answers.repeat = Repeat(chosen)
    else:
        answers.lead = int(chosen)
    store(context, value)
    return await after(update, context, expected)


async def nothing(update: Update, context: BotContext, _data: Empty) -> Step:
    await answer(update)
    return None


async def post_started(update: Update, context: BotContext, data: PlanRef) -> Step:
    return await start_post(update, context, data.plan_id)


async def kind_chosen(update: Update, context: BotContext, data: KindChoice) -> Step:
    return await choice(update, context, "k", data.token, data.kind.value)


async def platform_chosen(update: Update, context: BotContext, data: PlatformChoice) -> Step:
    return await choice(update, context, "p", data.token, data.platform)


async def repeat_chosen(update: Update, context: BotContext, data: RepeatChoice) -> Step:
    return await choice(update, context, "r", data.token, data.repeat.value)


async def lead_chosen(update: Update, context: BotContext, data: LeadChoice) -> Step:
    return await choice(update, context, "l", data.token, str(data.minutes))


async def posts_shown(update: Update, context: BotContext, data: PlanRef) -> Step:
    return await show_posts(update, context, data.plan_id)


async def post_shown(update: Update, context: BotContext, data: PostRef) -> Step:
    return await show_post(update, context, data.post_id)


async def post_field_chosen(update: Update, context: BotContext, data: PostFieldRef) -> Step:
    return await edit_post(update, context, data.post_id, data.field)


async def delete_asked(update: Update, context: BotContext, data: PostRef) -> Step:
    return await delete_post(update, context, data.post_id, confirmed=False)


async def delete_confirmed(update: Update, context: BotContext, data: PostRef) -> Step:
    return await delete_post(update, context, data.post_id, confirmed=True)


async def occasions_shown(update: Update, context: BotContext, data: PlanMonth) -> Step:
    return await show_occasions(update, context, data.plan_id, data.month)
