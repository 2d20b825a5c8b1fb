"""Trainers and coordinators: /campaigns — their trainees' plans with progress, a plan's proofs to approve, comments
(the owner and teammates are told of each through the outbox)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.services.campaign_review import done_records
from bot.services.campaigns import PlanView
from bot.services.errors import DomainError
from bot.text import fmt, ltr, name
from bot.text import normalize_key as key_of
from handlers.campaign_draft import (
    END,
    WAITING,
    Step,
    answer,
    begin,
    draft,
    finish,
    int_arg,
    pressed,
    refuse,
    say,
    stale,
    typed,
)
from handlers.campaign_texts import joined, plan_label, plan_text, post_line, stats_line
from handlers.core.context import BotContext
from handlers.core.ui import buttons, reply, with_retries
from storage.campaign_dto import ProofKind
from storage.dto import Role

MAX_BUTTONS = 30
PROOFS_SHOWN = 10


async def campaigns_command(update: Update, context: BotContext) -> None:
    cohorts = await context.services.campaigns.review.cohorts(context.principal)
    wanted = " ".join(context.args or []).strip()
    if wanted:
        cohorts = [c for c in cohorts if key_of(c.name) == key_of(wanted)]
        if not cohorts:
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return
    if not cohorts:
        await reply(update, _("You have no cohorts yet."))
        return
    if len(cohorts) == 1:
        await show_cohort(update, context, cohorts[0].id)
        return
    rows = [[(c.name[:40], f"cv:c:{c.id}")] for c in cohorts[:20]]
    await reply(update, _("Which cohort's campaign plans?"), buttons(rows))


async def show_cohort(update: Update, context: BotContext, cohort_id: int) -> None:
    review = context.services.campaigns.review
    try:
        views = await review.plans(context.principal, cohort_id)
        members = await context.services.cohorts.members(context.principal, cohort_id, Role.TRAINEE)
    except DomainError as error:
        await refuse(update, error)
        return
    cohort_name = next((c.name for c in await review.cohorts(context.principal) if c.id == cohort_id), "")
    lines: list[str] = [fmt(_("📣 <b>Campaign plans of {cohort}</b>"), cohort=name(cohort_name))]
    if not views:
        lines.append(_("No trainee has made a campaign plan yet."))
    for number, view in enumerate(views, 1):
        lines.append(plan_summary(number, view))
    planners = {person for view in views for person in view.plan.members()}
    without = [p.full_name or "?" for _m, p in members if p.id not in planners]
    if without:
        lines += ["", fmt(_("Without a plan yet: {names}"), names=joined(name(n) for n in without))]
    numbered = [(f"🔍 {number}", f"cv:p:{view.plan.id}") for number, view in enumerate(views[:MAX_BUTTONS], 1)]
    rows = [numbered[i : i + 5] for i in range(0, len(numbered), 5)]
    await say(update, "\n".join(lines), buttons(rows) if rows else None)


def plan_summary(number: int, view: PlanView) -> str:
    owner = view.names.get(view.plan.owner_id, "?")
    team = [view.names.get(p, "?") for p in view.plan.teammates]
    who: str = (
        name(owner)
        if not team
        else fmt(_("{owner} with {team}"), owner=name(owner), team=joined(name(t) for t in team))
    )
    waiting = sum(1 for r in view.records if r.proof is not None and r.approved_at is None)
    line: str = fmt("<b>{number}. {label}</b> — {who}", number=number, label=name(plan_label(view.plan)), who=who)
    line += "\n   " + stats_line(view.stats)
    if waiting:
        line += "\n   " + fmt(_("Proofs waiting for approval: {count}"), count=waiting)
    return line


async def show_plan(update: Update, context: BotContext, plan_id: int) -> None:
    try:
        view = await context.services.campaigns.review.plan(context.principal, plan_id)
    except DomainError as error:
        await refuse(update, error)
        return
    lines: list[str] = [plan_text(view)]
    done = [r for r in done_records(view) if r.proof is not None][:PROOFS_SHOWN]
    posts = {p.id: p for p in (*view.posts, *view.removed)}  # a deleted post's proofs stay reviewable
    rows: list[list[tuple[str, str]]] = []
    if done:
        lines += ["", _("<b>Proofs</b>")]
    for number, record in enumerate(done, 1):
        post = posts.get(record.post_id)
        state = "✅ " + _("approved") if record.approved_at else "⏳ " + _("waiting for approval")
        proof = ltr(record.proof) if record.proof_kind is ProofKind.LINK else "🖼 " + _("screenshot")
        about = post_line(post, view.zone, at=record.occurs_at) if post else ""
        lines.append(
            fmt("{number}. {about}\n   {proof} — {state}", number=number, about=about, proof=proof, state=state)
        )
        row = []
        if record.proof_kind is ProofKind.PHOTO:
            row.append((f"🖼 {number}", f"cv:f:{record.id}"))
        if record.approved_at is None:
            row.append((_("✅ Approve {number}").format(number=number), f"cv:a:{record.id}"))
        if row:
            rows.append(row)
    rows.append([("💬 " + _("Comment"), f"cv:m:{view.plan.id}"), ("↩️ " + _("Back"), f"cv:c:{view.cohort.id}")])
    await say(update, "\n".join(lines), buttons(rows))


async def approve(update: Update, context: BotContext, occurrence_id: int) -> None:
    review = context.services.campaigns.review
    try:
        record = await review.proof(context.principal, occurrence_id)
        first = await review.approve(context.principal, occurrence_id)
    except DomainError as error:
        await refuse(update, error)
        return
    await answer(update, _("Approved; the trainee is told.") if first else _("Already approved."))
    await show_plan(update, context, record.plan_id)


async def show_proof(update: Update, context: BotContext, occurrence_id: int) -> None:
    try:
        record = await context.services.campaigns.review.proof(context.principal, occurrence_id)
    except DomainError as error:
        await refuse(update, error)
        return
    await answer(update)
    if record.proof_kind is ProofKind.PHOTO and record.proof:
        chat, photo = update.effective_chat, record.proof
        assert chat is not None
        await with_retries(lambda: context.bot.send_photo(chat.id, photo))
    else:
        await reply(update, ltr(record.proof or ""))


async def review_button(update: Update, context: BotContext) -> None:
    """cv:c:<cohort>, cv:p:<plan>, cv:a:<occurrence>, cv:f:<occurrence> (cv:m starts a comment, in the flow)."""
    pressed(update)
    query = update.callback_query
    assert query is not None
    args = (query.data or "").split(":")[1:]
    number = int_arg(args, 1)
    if len(args) != 2 or number is None:
        await stale(update)
        return
    if args[0] == "c" and context.principal.can_manage(number):
        await show_cohort(update, context, number)
    elif args[0] == "p":
        await show_plan(update, context, number)
    elif args[0] == "a":
        await approve(update, context, number)
    elif args[0] == "f":
        await show_proof(update, context, number)
    else:
        await stale(update)


async def start_comment(update: Update, context: BotContext, args: list[str]) -> Step:
    plan_id = int_arg(args, 1)
    if plan_id is None:
        return await stale(update)
    try:
        view = await context.services.campaigns.review.plan(context.principal, plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    begin(context, "comment", "comment", plan=plan_id)
    owner = view.names.get(view.plan.owner_id, "?")
    await answer(update)
    await reply(
        update,
        fmt(
            _("Type your comment on {owner}'s plan {label} (up to 1000 characters):"),
            owner=name(owner),
            label=name(plan_label(view.plan)),
        ),
    )
    return WAITING


async def comment_text(update: Update, context: BotContext) -> Step:
    plan_id = int(draft(context).get("plan", 0))
    try:
        await context.services.campaigns.review.comment(context.principal, plan_id, typed(update))
    except DomainError as error:
        await refuse(update, error)
        return None
    finish(context)
    await reply(update, "💬 " + _("Comment sent: the trainee and the teammates are told."))
    return END
