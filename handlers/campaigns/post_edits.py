"""Changing a plan's existing posts: the list, a post's card, one field at a time, deletion."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.services.errors import DomainError, Problem
from bot.text import fmt
from handlers.campaigns.buttons import (
    ADD_POST,
    DELETE_POST,
    DELETE_POST_CONFIRMED,
    EDIT_POST_FIELD,
    SHOW_PLAN,
    SHOW_POST,
    SHOW_POSTS,
    PlanRef,
    PostField,
    PostFieldRef,
    PostRef,
)
from handlers.campaigns.draft import CampaignDraft, PostAnswers, begin, finish
from handlers.campaigns.posts import POST_FIELDS, ask, post_draft
from handlers.campaigns.replies import Step, answer, refuse, say, stale
from handlers.campaigns.texts import lead_name, post_line
from handlers.core.context import BotContext
from handlers.core.ui import buttons, chat_id_of

# --------------------------------------------------------------------------- changing existing posts


async def show_posts(update: Update, context: BotContext, plan_id: int) -> Step:
    try:
        view = await context.services.campaigns.plans.view(chat_id_of(update), plan_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    if not view.posts:
        text = _("No posts yet: add the first one.")
    else:
        text = "\n".join(fmt("{number}. ", number=i) + post_line(p, view.zone) for i, p in enumerate(view.posts, 1))
    rows: list[list[tuple[str, str]]] = []
    if view.is_owner:
        numbered = [(f"✏️ {i}", SHOW_POST.encode(PostRef(p.id))) for i, p in enumerate(view.posts[:40], 1)]
        rows = [numbered[i : i + 5] for i in range(0, len(numbered), 5)]
        rows.append([("➕ " + _("Add a post"), ADD_POST.encode(PlanRef(plan_id)))])
    rows.append([("↩️ " + _("Back"), SHOW_PLAN.encode(PlanRef(plan_id)))])
    await say(update, text, buttons(rows))
    return None


async def show_post(update: Update, context: BotContext, post_id: int) -> Step:
    try:
        plan, post, zone = await context.services.campaigns.plans.post(chat_id_of(update), post_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    labels = {
        "when": _("Time"),
        "kind": _("Kind"),
        "platform": _("Platform"),
        "idea": _("Idea"),
        "repeat": _("Repeat"),
        "lead": _("Reminder"),
    }
    edit = [(labels[f], EDIT_POST_FIELD.encode(PostFieldRef(post.id, f))) for f in POST_FIELDS]
    delete, back = DELETE_POST.encode(PostRef(post.id)), SHOW_POSTS.encode(PlanRef(plan.id))
    rows = [edit[0:3], edit[3:6], [("🗑 " + _("Delete"), delete), ("↩️ " + _("Back"), back)]]
    text = post_line(post, zone) + "\n" + fmt(_("Reminder: {lead}."), lead=lead_name(post.lead_minutes))
    await say(update, text, buttons(rows))
    return None


async def edit_post(update: Update, context: BotContext, post_id: int, field: PostField) -> Step:
    try:
        plan, post, zone = await context.services.campaigns.plans.post(chat_id_of(update), post_id)
        if plan.owner_id != (context.principal.person.id if context.principal.person else None):
            raise DomainError(Problem.NOT_PLAN_OWNER)
    except DomainError as error:
        await refuse(update, error)
        return None
    answers = PostAnswers(
        plan=plan.id,
        zone=zone,
        platforms=list(plan.platforms),
        post=post.id,
        only=field,
        starts=post.starts_at,
        repeat=post.repeat,
    )
    begin(context, CampaignDraft("post", field, post=answers))
    return await ask_field(update, context, field)


async def ask_field(update: Update, context: BotContext, field: str) -> Step:
    found = post_draft(context)
    if found is None:
        return await stale(update)
    if field == "platform" and len(found[1].platforms) < 2:
        await answer(update, _("This plan has one platform; add platforms to the plan first."), alert=True)
        return finish(context)
    return await ask(update, context, field)


async def delete_post(update: Update, context: BotContext, post_id: int, confirmed: bool) -> Step:
    if not confirmed:
        post = PostRef(post_id)
        rows = [
            [("🗑 " + _("Yes, delete it"), DELETE_POST_CONFIRMED.encode(post)), ("↩️ " + _("No"), SHOW_POST.encode(post))]
        ]
        await say(update, _("Delete this post and its reminders?"), buttons(rows))
        return None
    try:
        plan, _post, _zone = await context.services.campaigns.plans.post(chat_id_of(update), post_id)
        kept = await context.services.campaigns.plans.delete_post(chat_id_of(update), post_id)
    except DomainError as error:
        await refuse(update, error)
        return None
    if kept:
        await answer(
            update, _("Deleted. What was already marked done or skipped stays in the plan's figures."), alert=True
        )
    else:
        await answer(update, _("Deleted."))
    return await show_posts(update, context, plan.id)
