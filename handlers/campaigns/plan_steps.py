"""The steps of a new plan after its questions are asked, a plan's edits and its team."""

from __future__ import annotations

from typing import get_args

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import _
from bot.services.campaigns.rules import PlanFields, hashtag, target, text_field
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt, name
from handlers.campaigns.buttons import (
    EDIT_PLAN_FIELD,
    PLAN_NO_HASHTAG,
    PLAN_TEAM,
    SHOW_PLAN,
    SHOW_TEAM,
    TOGGLE_TEAMMATE,
    NoHashtag,
    PlanField,
    PlanFieldRef,
    PlanRef,
    TeamChoice,
    TeammateRef,
)
from handlers.campaigns.draft import (
    END,
    WAITING,
    CampaignDraft,
    PlanAnswers,
    begin,
    draft,
    finish,
    store,
)
from handlers.campaigns.plans import (
    ask_text,
    count_question,
    metric_markup,
    platforms_markup,
    platforms_question,
    show_plan,
)
from handlers.campaigns.replies import Step, answer, reask, refuse, say, stale, typed
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply

# ------------------------------------------------------------------------------------------- steps


async def plan_text_step(update: Update, context: BotContext) -> Step:
    """Typed text in the plan and edit flows."""
    value = draft(context)
    if value is None:
        return await reask(update, context)
    step, text, answers = value.step, typed(update), value.answers
    try:
        if step == "problem":
            answers.problem = text_field(text, "problem")
        elif step == "goal":
            answers.goal = text_field(text, "goal")
        elif step == "audience":
            answers.audience = text_field(text, "audience")
        elif step == "unit":
            answers.unit = text_field(text, "unit", 2, 40)
        elif step == "count":
            answers.count = target(text)
        elif step == "hashtag":
            answers.hashtag = hashtag(text)
        else:
            return await reask(update, context)  # a button is expected here
    except DomainError as error:
        await refuse(update, error)
        return None
    store(context, value)
    return await advance(update, context, str(step))


async def advance(update: Update, context: BotContext, done: str) -> Step:
    """The next question of a new plan, or the save of an edit."""
    value = draft(context)
    if value is not None and value.flow == "edit":
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
    value = draft(context)
    if value is None:
        return await stale(update)
    value.step = step
    store(context, value)
    if step in ("problem", "goal", "audience", "unit"):
        await say(update, ask_text(step))
    elif step == "metric":
        await say(
            update,
            _("<b>3/6 A measurable target.</b> What will you count to know the campaign worked?"),
            metric_markup(),
        )
    elif step == "count":
        await say(update, count_question(value.answers))
    elif step == "platforms":
        await say(update, platforms_question(), platforms_markup(value.answers.platforms))
    elif step == "hashtag":
        await say(update, ask_text("hashtag"), no_hashtag_markup())
    elif step == "team":
        alone, with_team = PLAN_TEAM.encode(TeamChoice("no")), PLAN_TEAM.encode(TeamChoice("yes"))
        rows = [[("🙋 " + _("Alone"), alone), ("👥 " + _("With teammates"), with_team)]]
        await say(update, _("Will you run this campaign alone or with teammates from your cohort?"), buttons(rows))
    return WAITING


def fields_of(answers: PlanAnswers) -> PlanFields:
    return PlanFields(
        problem=answers.problem or "",
        goal=answers.goal or "",
        target_metric=answers.metric or "",
        target_count=answers.count or 0,
        target_unit=answers.unit if answers.metric == "other" else None,
        audience=answers.audience or "",
        platforms=tuple(answers.platforms),
        hashtag=answers.hashtag,
    )


async def create_plan(update: Update, context: BotContext, with_team: bool) -> Step:
    value = draft(context)
    if value is None or value.flow != "plan" or value.step != "team":
        return await stale(update)
    value.step = "saving"  # a second tap meanwhile finds no team question
    store(context, value)
    cohort_id = value.answers.cohort
    if cohort_id is None:
        await say(update, fmt(_("Please start again with {command}."), command=cmd("/campaign")))
        return finish(context)
    try:
        plan = await context.services.campaigns.plans.create(chat_id_of(update), cohort_id, fields_of(value.answers))
    except DomainError as error:
        value.step = "team"
        store(context, value)
        await refuse(update, error)
        return None
    finish(context)
    await answer(update, _("Plan saved."))
    await show_plan(update, context, plan.id)
    if with_team:
        await show_team(update, context, plan.id, new_message=True)
    return END


# ------------------------------------------------------------------------------------------ editing

EDITABLE: tuple[PlanField, ...] = get_args(PlanField)


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
    rows = [[(edit_label(f), EDIT_PLAN_FIELD.encode(PlanFieldRef(plan_id, f)))] for f in EDITABLE]
    plan = PlanRef(plan_id)
    rows.append([("👥 " + _("Teammates"), SHOW_TEAM.encode(plan)), ("↩️ " + _("Back"), SHOW_PLAN.encode(plan))])
    await say(update, _("What do you want to change?"), buttons(rows))
    return None


async def edit_field(update: Update, context: BotContext, plan_id: int, field: PlanField) -> Step:
    try:
        view = await context.services.campaigns.plans.view(chat_id_of(update), plan_id)
        if not view.is_owner:
            raise DomainError(Problem.NOT_PLAN_OWNER)
    except DomainError as error:
        await refuse(update, error)
        return None
    step = "metric" if field == "target" else field
    answers = PlanAnswers(plan=plan_id, platforms=list(view.plan.platforms))
    begin(context, CampaignDraft("edit", step, answers=answers))
    if step == "metric":
        await say(update, _("What will you count to know the campaign worked?"), metric_markup())
    elif step == "platforms":
        await say(update, platforms_question(), platforms_markup(answers.platforms))
    elif step == "hashtag":
        await say(update, ask_text("hashtag"), no_hashtag_markup())
    else:
        await say(
            update,
            fmt(_("Type the new text for {field}:"), field=edit_label(field))
            + "\n"
            + fmt(_("Now: {text}"), text=name(getattr(view.plan, field))),
        )
    return WAITING


async def save_edit(update: Update, context: BotContext, done: str) -> Step:
    value = draft(context)
    if value is None or value.answers.plan is None:
        return await stale(update)
    answers, plan_id = value.answers, value.answers.plan
    if done == "metric" or done == "unit":
        value.step = "count" if done == "unit" or answers.metric != "other" else "unit"
        store(context, value)
        await say(update, count_question(answers) if value.step == "count" else ask_text("unit"))
        return WAITING
    changes: dict[str, object]
    if done == "count":
        unit = answers.unit if answers.metric == "other" else None
        changes = {"target_metric": answers.metric, "target_count": answers.count, "target_unit": unit}
    elif done == "platforms":
        changes = {"platforms": tuple(answers.platforms)}
    else:
        changes = {done: getattr(answers, done)}  # problem, goal, audience or hashtag
    try:
        await context.services.campaigns.plans.update(chat_id_of(update), plan_id, **changes)
    except DomainError as error:
        await refuse(update, error)
        return None
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
        markup = buttons([[("↩️ " + _("Back"), SHOW_PLAN.encode(PlanRef(plan_id)))]])
    else:
        text = _(
            "Tap the trainees of your cohort who run this campaign with you (tap again to remove). "
            "Teammates get the posting reminders and can mark posts done."
        )
        rows = [
            [(("✅ " if c.chosen else "▫️ ") + c.name[:40], TOGGLE_TEAMMATE.encode(TeammateRef(plan_id, c.person_id)))]
            for c in choices[:30]
        ]
        rows.append([("✔️ " + _("Finished"), SHOW_PLAN.encode(PlanRef(plan_id)))])
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


def no_hashtag_markup() -> InlineKeyboardMarkup:
    return buttons([[(_("No hashtag"), PLAN_NO_HASHTAG.encode(NoHashtag("none")))]])
