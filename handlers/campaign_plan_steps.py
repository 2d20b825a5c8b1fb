"""The steps of a new plan after its questions are asked, a plan's edits and its team, and the plan buttons."""

from __future__ import annotations

from typing import Any

from telegram import Update

from bot.i18n import _
from bot.services.campaign_rules import PlanFields, hashtag, target, text_field
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt, name
from handlers.campaign_draft import (
    END,
    WAITING,
    Step,
    answer,
    begin,
    draft,
    drop_kept_plan,
    finish,
    int_arg,
    reask,
    refuse,
    say,
    stale,
    take_kept_plan,
    typed,
)
from handlers.campaign_texts import METRIC_NAMES
from handlers.campaigns import (
    ask_text,
    count_question,
    metric_markup,
    platforms_markup,
    platforms_question,
    problem_question,
    show_plan,
    start_plan,
)
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply
from storage.campaign_dto import PLATFORMS

# ------------------------------------------------------------------------------------------- steps


async def plan_text_step(update: Update, context: BotContext) -> Step:
    """Typed text in the plan and edit flows."""
    values = draft(context)
    step, text = values.get("step"), typed(update)
    try:
        if step in ("problem", "goal", "audience"):
            values[step] = text_field(text, str(step))
        elif step == "unit":
            values["unit"] = text_field(text, "unit", 2, 40)
        elif step == "count":
            values["count"] = target(text)
        elif step == "hashtag":
            values["hashtag"] = hashtag(text)
        else:
            return await reask(update, context)  # a button is expected here
    except DomainError as error:
        await refuse(update, error)
        return None
    return await advance(update, context, str(step))


async def advance(update: Update, context: BotContext, done: str) -> Step:
    """The next question of a new plan, or the save of an edit."""
    values = draft(context)
    if values.get("flow") == "edit":
        return await save_edit(update, context, done)
    following = {
        "problem": "goal",
        "goal": "metric",
        "unit": "count",
        "count": "audience",
        "audience": "platforms",
        "platforms": "hashtag",
        "hashtag": "team",
    }
    return await ask_step(update, context, following.get(done, ""))


async def ask_step(update: Update, context: BotContext, step: str) -> Step:
    """Ask a new plan's question (the next one, or the one it stopped at when it was put aside)."""
    values = draft(context)
    values["step"] = step
    if step in ("problem", "goal", "audience", "unit"):
        await say(update, ask_text(step))
    elif step == "metric":
        await say(
            update,
            _("<b>3/6 A measurable target.</b> What will you count to know the campaign worked?"),
            metric_markup(),
        )
    elif step == "count":
        await say(update, count_question(values))
    elif step == "platforms":
        values.setdefault("platforms", [])
        await say(update, platforms_question(), platforms_markup(values["platforms"]))
    elif step == "hashtag":
        await say(update, ask_text("hashtag"), buttons([[(_("No hashtag"), "cp:hs:none")]]))
    elif step == "team":
        rows = [[("🙋 " + _("Alone"), "cp:team:no"), ("👥 " + _("With teammates"), "cp:team:yes")]]
        await say(update, _("Will you run this campaign alone or with teammates from your cohort?"), buttons(rows))
    return WAITING


def fields_of(values: dict[str, Any]) -> PlanFields:
    return PlanFields(
        problem=str(values.get("problem", "")),
        goal=str(values.get("goal", "")),
        target_metric=str(values.get("metric", "")),
        target_count=int(values.get("count", 0)),
        target_unit=values.get("unit") if values.get("metric") == "other" else None,
        audience=str(values.get("audience", "")),
        platforms=tuple(values.get("platforms", [])),
        hashtag=values.get("hashtag"),
    )


async def create_plan(update: Update, context: BotContext, with_team: bool) -> Step:
    values = draft(context)
    if values.get("flow") != "plan" or values.get("step") != "team":
        return await stale(update)
    values["step"] = "saving"  # a second tap meanwhile finds no team question
    try:
        fields, cohort_id = fields_of(values), int(values["cohort"])
    except (KeyError, ValueError):
        await say(update, fmt(_("Please start again with {command}."), command=cmd("/campaign")))
        return finish(context)
    try:
        plan = await context.services.campaigns.plans.create(chat_id_of(update), cohort_id, fields)
    except DomainError as error:
        values["step"] = "team"
        await refuse(update, error)
        return None
    finish(context)
    await answer(update, _("Plan saved."))
    await show_plan(update, context, plan.id)
    if with_team:
        await show_team(update, context, plan.id, new_message=True)
    return END


# ------------------------------------------------------------------------------------------ editing

EDITABLE = ("problem", "goal", "target", "audience", "platforms", "hashtag")


def edit_label(field: str) -> str:
    return {
        "problem": _("Problem"),
        "goal": _("Goal"),
        "target": _("Measurable target"),
        "audience": _("Audience"),
        "platforms": _("Platforms"),
        "hashtag": _("Hashtag"),
    }[field]


async def edit_menu(update: Update, context: BotContext, plan_id: int) -> Step:
    rows = [[(edit_label(f), f"cp:ef:{plan_id}:{f}")] for f in EDITABLE]
    rows.append([("👥 " + _("Teammates"), f"cp:tl:{plan_id}"), ("↩️ " + _("Back"), f"cp:v:{plan_id}")])
    await say(update, _("What do you want to change?"), buttons(rows))
    return None


async def edit_field(update: Update, context: BotContext, plan_id: int, field: str) -> Step:
    try:
        view = await context.services.campaigns.plans.view(chat_id_of(update), plan_id)
        if not view.is_owner:
            raise DomainError(Problem.NOT_PLAN_OWNER)
    except DomainError as error:
        await refuse(update, error)
        return None
    if field not in EDITABLE:
        return await stale(update)
    step = "metric" if field == "target" else field
    values = begin(context, "edit", step, plan=plan_id, platforms=list(view.plan.platforms))
    if step == "metric":
        await say(update, _("What will you count to know the campaign worked?"), metric_markup())
    elif step == "platforms":
        await say(update, platforms_question(), platforms_markup(values["platforms"]))
    elif step == "hashtag":
        await say(update, ask_text("hashtag"), buttons([[(_("No hashtag"), "cp:hs:none")]]))
    else:
        await say(
            update,
            fmt(_("Type the new text for {field}:"), field=edit_label(field))
            + "\n"
            + fmt(_("Now: {text}"), text=name(getattr(view.plan, field))),
        )
    return WAITING


async def save_edit(update: Update, context: BotContext, done: str) -> Step:
    values = draft(context)
    if done == "metric" or done == "unit":
        values["step"] = "count" if done == "unit" or values.get("metric") != "other" else "unit"
        await say(update, count_question(values) if values["step"] == "count" else ask_text("unit"))
        return WAITING
    changes: dict[str, object]
    if done == "count":
        unit = values.get("unit") if values.get("metric") == "other" else None
        changes = {"target_metric": values.get("metric"), "target_count": values.get("count"), "target_unit": unit}
    elif done == "platforms":
        changes = {"platforms": tuple(values.get("platforms", []))}
    else:
        changes = {done: values.get(done)}
    try:
        await context.services.campaigns.plans.update(chat_id_of(update), int(values["plan"]), **changes)
    except DomainError as error:
        await refuse(update, error)
        return None
    plan_id = int(values["plan"])
    finish(context)
    await answer(update, _("Saved."))
    await show_plan(update, context, plan_id, new_message=update.callback_query is None)
    return END


# ------------------------------------------------------------------------------------------- team


async def show_team(update: Update, context: BotContext, plan_id: int, *, new_message: bool = False) -> Step:
    try:
        choices = await context.services.campaigns.plans.team_choices(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    if not choices:
        text = _("Nobody else in your cohort has registered yet, so there is nobody to add for now.")
        markup = buttons([[("↩️ " + _("Back"), f"cp:v:{plan_id}")]])
    else:
        text = _(
            "Tap the trainees of your cohort who run this campaign with you (tap again to remove). "
            "Teammates get the posting reminders and can mark posts done."
        )
        rows = [[(("✅ " if c.chosen else "▫️ ") + c.name[:40], f"cp:t:{plan_id}:{c.person_id}")] for c in choices[:30]]
        rows.append([("✔️ " + _("Finished"), f"cp:v:{plan_id}")])
        markup = buttons(rows)
    if new_message:
        await reply(update, text, markup)
    else:
        await say(update, text, markup)
    return None


async def toggle_teammate(update: Update, context: BotContext, plan_id: int, person_id: int) -> Step:
    try:
        added = await context.services.campaigns.plans.toggle_teammate(chat_id_of(update), plan_id, person_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    await answer(update, _("Added to the team.") if added else _("Removed from the team."))
    return await show_team(update, context, plan_id)


# ----------------------------------------------------------------------------------------- buttons


async def plan_action(update: Update, context: BotContext, args: list[str]) -> Step:
    """cp:<action>:… for plans (posts are in handlers.campaign_posts)."""
    action, values = args[0], draft(context)
    number = int_arg(args, 1)
    if action == "new":
        return await start_plan(update, context)
    if action == "rs":
        return await resume_plan(update, context)
    if action == "rd":
        if not drop_kept_plan(context):
            return await stale(update)
        await answer(update, _("Discarded."))
        await say(update, _("The unfinished plan was discarded."), buttons([[("➕ " + _("New plan"), "cp:new")]]))
        return None
    if action == "co" and number is not None and values.get("step") == "cohort":
        cohorts = await context.services.campaigns.plans.trainee_cohorts(chat_id_of(update))
        if number not in {c.id for c in cohorts}:
            return await stale(update)
        values.update(cohort=number, step="problem")
        await say(update, problem_question())
        return WAITING
    if action == "mt" and len(args) == 2 and values.get("step") == "metric":
        if args[1] not in (*METRIC_NAMES, "other"):
            return await stale(update)
        values["metric"] = args[1]
        if values.get("flow") == "edit":
            return await save_edit(update, context, "metric")
        values["step"] = "unit" if args[1] == "other" else "count"
        await say(update, ask_text("unit") if args[1] == "other" else count_question(values))
        return WAITING
    if action == "pf" and len(args) == 2 and values.get("step") == "platforms":
        return await platform_tapped(update, context, args[1])
    if action == "hs" and values.get("step") == "hashtag":
        values["hashtag"] = None
        return await advance(update, context, "hashtag")
    if action == "team" and len(args) == 2:
        return await create_plan(update, context, args[1] == "yes")
    if action == "v" and number is not None:
        await show_plan(update, context, number)
        return None
    if action == "e" and number is not None:
        return await edit_menu(update, context, number)
    if action == "ef" and number is not None and len(args) == 3:
        return await edit_field(update, context, number, args[2])
    if action == "tl" and number is not None:
        return await show_team(update, context, number)
    if action == "t" and number is not None and (person := int_arg(args, 2)) is not None:
        return await toggle_teammate(update, context, number, person)
    return await stale(update)


async def resume_plan(update: Update, context: BotContext) -> Step:
    """Go on with the half-finished plan that something else put aside: its question again."""
    kept = take_kept_plan(context)
    if kept is None:
        return await stale(update)
    await answer(update)
    return await ask_step(update, context, str(kept.get("step") or "problem"))


async def platform_tapped(update: Update, context: BotContext, code: str) -> Step:
    values = draft(context)
    chosen: list[str] = values.setdefault("platforms", [])
    if code == "ok":
        if not chosen:
            await answer(update, _("Tap at least one platform first."), alert=True)
            return None
        return await advance(update, context, "platforms")
    if code not in PLATFORMS:
        return await stale(update)
    if code in chosen:
        chosen.remove(code)
    else:
        chosen.append(code)
    await say(update, platforms_question(), platforms_markup(chosen))
    return None
