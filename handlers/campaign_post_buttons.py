"""The buttons of the post flow (`cp:` post actions) and the month's occasions, each added with one tap."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _, current_locale
from bot.services.campaign_calendar import months_ahead, shift_month
from bot.services.campaign_rules import LEADS
from bot.services.errors import DomainError
from bot.services.occasions import Occasion, month_occasions, on_day
from bot.text import fmt, local_date, ltr, name
from handlers.campaign_draft import Step, answer, draft, int_arg, refuse, say, stale
from handlers.campaign_post_edits import delete_post, edit_post, show_post, show_posts
from handlers.campaign_posts import (
    PICK_MONTHS,
    after,
    month_keyboard,
    parse_month,
    parse_yyyymmdd,
    show_saved,
    start_post,
    today_in,
    until_chosen,
)
from handlers.campaign_texts import EXAMPLE_TIME, KIND_NAMES, REPEAT_NAMES, month_title
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply
from storage.campaign_dto import PLATFORMS

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
    update: Update, context: BotContext, plan_id: int, month_text: str, *, new_message: bool = False
) -> Step:
    try:
        zone = await context.services.campaigns.plans.zone_of(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    today = today_in(zone)
    chosen = parse_month(month_text) or (today.year, today.month)
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
        rows.append([(label[:60], f"cp:oa:{plan_id}:{occasion.day:%Y%m%d}:{index}")])
    nav: list[tuple[str, str]] = []
    if months_ahead(today, chosen) > 0:
        nav.append(("◀", "cp:oc:{}:{}{:02d}".format(plan_id, *shift_month(year, month, -1))))
    if months_ahead(today, chosen) < PICK_MONTHS:
        nav.append(("▶", "cp:oc:{}:{}{:02d}".format(plan_id, *shift_month(year, month, 1))))
    rows.append(nav + [("↩️ " + _("Back"), f"cp:v:{plan_id}")])
    if new_message:
        await reply(update, "\n".join(lines), buttons(rows))
    else:
        await say(update, "\n".join(lines), buttons(rows))
    return None


async def add_occasion(update: Update, context: BotContext, plan_id: int, day_text: str, index: int) -> Step:
    day = parse_yyyymmdd(day_text)
    occasions = on_day(day) if day else ()
    if day is None or not 0 <= index < len(occasions):
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


async def picked_day(update: Update, context: BotContext, token: str, day_text: str) -> Step:
    values = draft(context)
    day = parse_yyyymmdd(day_text)
    if values.get("flow") != "post" or values.get("token") != token or day is None:
        return await stale(update)
    today = today_in(values["zone"])
    if not 0 <= months_ahead(today, (day.year, day.month)) <= PICK_MONTHS or day < today:
        await answer(update, _("That day has passed. Please pick another."), alert=True)
        return None
    if values.get("step") == "until":
        return await until_chosen(update, context, day)
    if values.get("step") not in ("when", "time"):
        return await stale(update)
    values.update(day=day.isoformat(), step="time")
    await say(
        update, fmt(_("What time on {date}? Type it like {example}."), date=local_date(day), example=ltr(EXAMPLE_TIME))
    )
    return None


async def picked_month(update: Update, context: BotContext, token: str, month_text: str) -> Step:
    values = draft(context)
    chosen = parse_month(month_text)
    if values.get("flow") != "post" or values.get("token") != token or chosen is None:
        return await stale(update)
    today = today_in(values["zone"])
    if not 0 <= months_ahead(today, chosen) <= PICK_MONTHS or values.get("step") not in ("when", "until"):
        return await stale(update)
    await answer(update)
    query = update.callback_query
    assert query is not None
    await query.edit_message_reply_markup(month_keyboard(token, chosen[0], chosen[1], today))
    return None


async def choice(update: Update, context: BotContext, action: str, token: str, value: str) -> Step:
    """Kind, platform, repeat or lead time tapped in the post flow."""
    values = draft(context)
    expected = {"k": "kind", "p": "platform", "r": "repeat", "l": "lead"}[action]
    if values.get("flow") != "post" or values.get("token") != token or values.get("step") != expected:
        return await stale(update)
    valid = {
        "kind": tuple(KIND_NAMES),
        "platform": tuple(p for p in PLATFORMS if p in values.get("platforms", [])),
        "repeat": tuple(REPEAT_NAMES),
        "lead": ("0", *(str(m) for m in LEADS)),
    }[expected]
    if value not in valid:
        return await stale(update)
    values[expected] = value
    return await after(update, context, expected)


async def post_action(update: Update, context: BotContext, args: list[str]) -> Step:
    action, number = args[0], int_arg(args, 1)
    if action == "noop":
        await answer(update)
        return None
    if action == "ap" and number is not None:
        return await start_post(update, context, number)
    if action == "d" and len(args) == 3:
        return await picked_day(update, context, args[1], args[2])
    if action == "m" and len(args) == 3:
        return await picked_month(update, context, args[1], args[2])
    if action in ("k", "p", "r", "l") and len(args) == 3:
        return await choice(update, context, action, args[1], args[2])
    if action == "ps" and number is not None:
        return await show_posts(update, context, number)
    if action == "po" and number is not None:
        return await show_post(update, context, number)
    if action == "pe" and number is not None and len(args) == 3:
        return await edit_post(update, context, number, args[2])
    if action in ("px", "py") and number is not None:
        return await delete_post(update, context, number, confirmed=action == "py")
    if action == "oc" and number is not None and len(args) == 3:
        return await show_occasions(update, context, number, args[2])
    if action == "oa" and number is not None and len(args) == 4 and (index := int_arg(args, 3)) is not None:
        return await add_occasion(update, context, number, args[2], index)
    return await stale(update)


POST_ACTIONS = frozenset({"noop", "ap", "d", "m", "k", "p", "r", "l", "ps", "po", "pe", "px", "py", "oc", "oa"})
