"""The buttons of the plan flows (`cp:` plan kinds): a new plan's choices, a plan's card, edits and team."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from handlers.campaigns.buttons import (
    NEW_PLAN,
    CohortRef,
    MetricChoice,
    NoHashtag,
    PlanFieldRef,
    PlanRef,
    PlatformTap,
    TeamChoice,
    TeammateRef,
)
from handlers.campaigns.draft import WAITING, draft, drop_kept_plan, store, take_kept_plan
from handlers.campaigns.plan_steps import (
    advance,
    ask_step,
    create_plan,
    edit_field,
    edit_menu,
    save_edit,
    show_team,
    toggle_teammate,
)
from handlers.campaigns.plans import (
    ask_text,
    count_question,
    platforms_markup,
    platforms_question,
    problem_question,
    show_plan,
    start_plan,
)
from handlers.campaigns.replies import Step, answer, say, stale
from handlers.core.buttons import EMPTY, Empty
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of


async def new_plan(update: Update, context: BotContext, _data: Empty) -> Step:
    return await start_plan(update, context)


async def discard_plan(update: Update, context: BotContext, _data: Empty) -> Step:
    if not drop_kept_plan(context):
        return await stale(update)
    await answer(update, _("Discarded."))
    markup = buttons([[("➕ " + _("New plan"), NEW_PLAN.encode(EMPTY))]])
    await say(update, _("The unfinished plan was discarded."), markup)
    return None


async def cohort_chosen(update: Update, context: BotContext, data: CohortRef) -> Step:
    value = draft(context)
    if value is None or value.step != "cohort":
        return await stale(update)
    cohorts = await context.services.campaigns.plans.trainee_cohorts(chat_id_of(update))
    if data.cohort_id not in {c.id for c in cohorts}:
        return await stale(update)
    value.answers.cohort, value.step = data.cohort_id, "problem"
    store(context, value)
    await say(update, problem_question())
    return WAITING


async def metric_chosen(update: Update, context: BotContext, data: MetricChoice) -> Step:
    value = draft(context)
    if value is None or value.step != "metric":
        return await stale(update)
    value.answers.metric = data.metric
    store(context, value)
    if value.flow == "edit":
        return await save_edit(update, context, "metric")
    value.step = "unit" if data.metric == "other" else "count"
    store(context, value)
    await say(update, ask_text("unit") if data.metric == "other" else count_question(value.answers))
    return WAITING


async def no_hashtag(update: Update, context: BotContext, _data: NoHashtag) -> Step:
    value = draft(context)
    if value is None or value.step != "hashtag":
        return await stale(update)
    value.answers.hashtag = None
    store(context, value)
    return await advance(update, context, "hashtag")


async def team_chosen(update: Update, context: BotContext, data: TeamChoice) -> Step:
    return await create_plan(update, context, data.with_team == "yes")


async def plan_shown(update: Update, context: BotContext, data: PlanRef) -> Step:
    await show_plan(update, context, data.plan_id)
    return None


async def edit_menu_shown(update: Update, context: BotContext, data: PlanRef) -> Step:
    return await edit_menu(update, context, data.plan_id)


async def edit_field_chosen(update: Update, context: BotContext, data: PlanFieldRef) -> Step:
    return await edit_field(update, context, data.plan_id, data.field)


async def team_shown(update: Update, context: BotContext, data: PlanRef) -> Step:
    return await show_team(update, context, data.plan_id)


async def teammate_tapped(update: Update, context: BotContext, data: TeammateRef) -> Step:
    return await toggle_teammate(update, context, data.plan_id, data.person_id)


async def resume_plan(update: Update, context: BotContext, _data: Empty) -> Step:
    """Go on with the half-finished plan that something else put aside: its question again."""
    kept = take_kept_plan(context)
    if kept is None:
        return await stale(update)
    await answer(update)
    return await ask_step(update, context, kept.step or "problem")


async def platform_tapped(update: Update, context: BotContext, data: PlatformTap) -> Step:
    value, code = draft(context), data.platform
    if value is None or value.step != "platforms":
        return await stale(update)
    chosen = value.answers.platforms
    if code == "ok":
        if not chosen:
            await answer(update, _("Tap at least one platform first."), alert=True)
            return None
        return await advance(update, context, "platforms")
    if code in chosen:
        chosen.remove(code)
    else:
        chosen.append(code)
    store(context, value)
    await say(update, platforms_question(), platforms_markup(chosen))
    return None
