"""/campaign: a trainee's campaign plans — built step by step, shown, edited, with teammates from the cohort.

Steps of a new plan: (the cohort, when the trainee is in several) → the problem → the goal → a measurable target
(what it counts, then how many) → the audience → the platforms → a hashtag → alone or with teammates. Editing a
field runs its step alone. Teammates are picked from the cohort's trainees by button, never by a typed username.
"""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update

from bot.i18n import _
from bot.services.campaigns import PLATFORMS
from bot.services.campaigns.plans import PlanView
from bot.services.errors import DomainError
from bot.text import cmd, fmt, ltr, name
from handlers.campaigns.buttons import (
    ADD_POST,
    CALENDAR_MONTH,
    DISCARD_PLAN,
    EDIT_PLAN,
    NEW_PLAN,
    OCCASIONS,
    PLAN_COHORT,
    PLAN_METRIC,
    PLAN_PLATFORM,
    RESUME_PLAN,
    SHOW_PLAN,
    SHOW_POSTS,
    SHOW_TEAM,
    CalendarMonth,
    CohortRef,
    MetricChoice,
    PlanMonth,
    PlanRef,
    PlatformTap,
)
from handlers.campaigns.draft import END, WAITING, CampaignDraft, PlanAnswers, begin, kept_plan
from handlers.campaigns.replies import Step, refuse, say
from handlers.campaigns.texts import METRIC_NAMES, PLATFORM_NAMES, plan_label, plan_text, stats_line
from handlers.core.buttons import EMPTY
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of, reply

MAX_PLAN_BUTTONS = 10
TEXT_STEPS = {"problem", "goal", "audience", "unit", "count", "hashtag"}


def plan_markup(view: PlanView) -> InlineKeyboardMarkup:
    plan = PlanRef(view.plan.id)
    this_month = CALENDAR_MONTH.encode(CalendarMonth(None))
    rows = [[("📋 " + _("Posts"), SHOW_POSTS.encode(plan)), ("📅 " + _("Calendar"), this_month)]]
    if view.is_owner:
        occasions = OCCASIONS.encode(PlanMonth(plan.plan_id, None))
        rows.insert(0, [("➕ " + _("Add a post"), ADD_POST.encode(plan)), ("🎉 " + _("Occasions"), occasions)])
        rows.append(
            [("✏️ " + _("Edit the plan"), EDIT_PLAN.encode(plan)), ("👥 " + _("Teammates"), SHOW_TEAM.encode(plan))]
        )
    return buttons(rows)


async def show_plan(update: Update, context: BotContext, plan_id: int, *, new_message: bool = False) -> None:
    try:
        view = await context.services.campaigns.plans.view(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return
    if new_message:
        await reply(update, plan_text(view), plan_markup(view))
    else:
        await say(update, plan_text(view), plan_markup(view))


# ------------------------------------------------------------------------------------------ /campaign


async def campaign_command(update: Update, context: BotContext) -> Step:
    try:
        views = await context.services.campaigns.plans.plans(chat_id_of(update))
    except DomainError as error:
        await refuse(update, error)
        return END
    kept = kept_plan(context)
    if not views and kept is None:
        return await start_plan(update, context)
    lines: list[str] = [_("<b>Your campaign plans</b>")] if views else []
    for view in views:
        role = "" if view.is_owner else " " + _("(teammate)")
        lines.append(
            fmt("• {label}{role} — {stats}", label=name(plan_label(view.plan)), role=role, stats=stats_line(view.stats))
        )
    if views:
        lines += ["", fmt(_("Your posting calendar: {command}"), command=cmd("/calendar"))]
    rows = [[(plan_label(v.plan)[:40], SHOW_PLAN.encode(PlanRef(v.plan.id)))] for v in views[:MAX_PLAN_BUTTONS]]
    if kept is not None:
        problem = kept.answers.problem or ""
        short = problem if len(problem) <= 60 else problem[:59] + "…"
        lines += ["", fmt(_("📝 You have an unfinished plan: {problem}"), problem=name(short))]
        resume, discard = RESUME_PLAN.encode(EMPTY), DISCARD_PLAN.encode(EMPTY)
        rows.append([("▶️ " + _("Go on with the unfinished plan"), resume), ("🗑 " + _("Discard it"), discard)])
    rows.append([("➕ " + _("New plan"), NEW_PLAN.encode(EMPTY))])
    await reply(update, "\n".join(lines).strip(), buttons(rows))
    return END


async def start_plan(update: Update, context: BotContext) -> Step:
    try:
        cohorts = await context.services.campaigns.plans.trainee_cohorts(chat_id_of(update))
    except DomainError as error:
        await refuse(update, error)
        return END
    if not cohorts:
        await say(update, _("Campaign plans belong to a cohort, and you are not a trainee of an active one."))
        return END
    if len(cohorts) == 1:
        begin(context, CampaignDraft("plan", "problem", answers=PlanAnswers(cohort=cohorts[0].id)))
        await say(
            update,
            _("Let's plan your campaign in six short steps. You can change everything later.")
            + "\n\n"
            + problem_question(),
        )
        return WAITING
    begin(context, CampaignDraft("plan", "cohort"))
    rows = [[(c.name[:40], PLAN_COHORT.encode(CohortRef(c.id)))] for c in cohorts[:MAX_PLAN_BUTTONS]]
    await say(update, _("For which cohort is this campaign plan?"), buttons(rows))
    return WAITING


def problem_question() -> str:
    return _(
        "<b>1/6 The problem.</b> What problem does your campaign want to solve? "
        "(for example: rubbish in the streets of Hit)"
    )


def ask_text(step: str) -> str:
    return {
        "problem": problem_question(),
        "goal": _("<b>2/6 The goal.</b> What should change? (for example: the municipality puts bins in the market)"),
        "audience": _("<b>4/6 The audience.</b> Whom do you want to reach? (for example: young people of Hit, 16-30)"),
        "unit": _("What will you count? (for example: volunteers, shares, signatures)"),
        "hashtag": fmt(
            _("<b>6/6 The hashtag.</b> Type your campaign's hashtag (for example {example}), or tap No hashtag."),
            example=ltr("#نظفوا_هيت"),
        ),
    }[step]


def metric_markup() -> InlineKeyboardMarkup:
    rows = [[(_(label), PLAN_METRIC.encode(MetricChoice(code)))] for code, label in METRIC_NAMES.items()]
    rows.append([(_("Something else"), PLAN_METRIC.encode(MetricChoice("other")))])
    return buttons(rows)


def count_question(answers: PlanAnswers) -> str:
    metric = answers.unit if answers.metric == "other" else _(METRIC_NAMES.get(answers.metric or "", ""))
    return fmt(_("How many? Type the number you aim for ({metric})."), metric=name(metric or ""))


def platforms_markup(chosen: list[str]) -> InlineKeyboardMarkup:
    rows = [
        [(("✅ " if code in chosen else "▫️ ") + _(PLATFORM_NAMES[code]), PLAN_PLATFORM.encode(PlatformTap(code)))]
        for code in PLATFORMS
    ]
    rows.append([("➡️ " + _("Next"), PLAN_PLATFORM.encode(PlatformTap("ok")))])
    return buttons(rows)


def platforms_question() -> str:
    return _("<b>5/6 Platforms.</b> Tap every platform you will post on, then Next.")


# ------------------------------------------------------------------------------------------ /mydata
