"""Trainers and coordinators: /campaigns — their trainees' plans with progress, a plan's proofs to approve, comments
(the owner and teammates are told of each through the outbox)."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.services.campaigns import ProofKind
from bot.services.campaigns.plans import PlanView
from bot.services.campaigns.review import done_records
from bot.services.errors import DomainError
from bot.text import fmt, ltr, name
from bot.text import normalize_key as key_of
from handlers.campaigns.buttons import (
    APPROVE_PROOF,
    COMMENT,
    REVIEW_COHORT,
    REVIEW_PLAN,
    SHOW_PROOF,
    CohortRef,
    OccurrenceRef,
    PlanRef,
)
from handlers.campaigns.draft import END, WAITING, CampaignDraft, begin, draft, finish
from handlers.campaigns.replies import Step, answer, new_press, refuse, say, stale, typed
from handlers.campaigns.texts import joined, plan_label, plan_text, post_line, stats_line
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.ui import buttons, reply, with_retries

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
    rows = [[(c.name[:40], REVIEW_COHORT.encode(CohortRef(c.id)))] for c in cohorts[:20]]
    await reply(update, _("Which cohort's campaign plans?"), buttons(rows))


async def show_cohort(update: Update, context: BotContext, cohort_id: int) -> None:
    try:
        board = await context.services.campaigns.review.cohort_plans(context.principal, cohort_id)
    except DomainError as error:
        await refuse(update, error)
        return
    views = board.plans
    lines: list[str] = [fmt(_("📣 <b>Campaign plans of {cohort}</b>"), cohort=name(board.cohort_name))]
    if not views:
        lines.append(_("No trainee has made a campaign plan yet."))
    for number, view in enumerate(views, 1):
        lines.append(plan_summary(number, view))
    without = [p.full_name or "?" for p in board.without_plan]
    if without:
        lines += ["", fmt(_("Without a plan yet: {names}"), names=joined(name(n) for n in without))]
    numbered = [
        (f"🔍 {number}", REVIEW_PLAN.encode(PlanRef(view.plan.id)))
        for number, view in enumerate(views[:MAX_BUTTONS], 1)
    ]
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
            row.append((f"🖼 {number}", SHOW_PROOF.encode(OccurrenceRef(record.id))))
        if record.approved_at is None:
            row.append((_("✅ Approve {number}").format(number=number), APPROVE_PROOF.encode(OccurrenceRef(record.id))))
        if row:
            rows.append(row)
    comment, back = COMMENT.encode(PlanRef(view.plan.id)), REVIEW_COHORT.encode(CohortRef(view.cohort.id))
    rows.append([("💬 " + _("Comment"), comment), ("↩️ " + _("Back"), back)])
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


async def cohort_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    data = pressed(update, REVIEW_COHORT)
    if data is None or not context.principal.can_manage(data.cohort_id):
        await stale(update)
        return
    await show_cohort(update, context, data.cohort_id)


async def plan_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    data = pressed(update, REVIEW_PLAN)
    await (stale(update) if data is None else show_plan(update, context, data.plan_id))


async def approve_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    data = pressed(update, APPROVE_PROOF)
    await (stale(update) if data is None else approve(update, context, data.occurrence_id))


async def proof_pressed(update: Update, context: BotContext) -> None:
    new_press(update)
    data = pressed(update, SHOW_PROOF)
    await (stale(update) if data is None else show_proof(update, context, data.occurrence_id))


async def start_comment(update: Update, context: BotContext, data: PlanRef) -> Step:
    plan_id = data.plan_id
    try:
        view = await context.services.campaigns.review.plan(context.principal, plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    begin(context, CampaignDraft("comment", "comment", comment_plan=plan_id))
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
    value = draft(context)
    plan_id = (value.comment_plan if value is not None else None) or 0
    try:
        await context.services.campaigns.review.comment(context.principal, plan_id, typed(update))
    except DomainError as error:
        await refuse(update, error)
        return None
    finish(context)
    await reply(update, "💬 " + _("Comment sent: the trainee and the teammates are told."))
    return END
