"""Posting reminders in a chat: how they read, and their buttons — Done (then a link or a screenshot as proof),
Snooze 1 h, Skip. The owner and every teammate get them; the first Done or Skip counts for the whole team."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup, Message, Update

from bot.i18n import _
from bot.services.campaigns import Mark, ProofKind
from bot.services.campaigns.reminders import Reminder, from_stamp, stamp
from bot.services.campaigns.rules import SNOOZES_MAX, proof_link
from bot.services.errors import DomainError
from bot.text import fmt, name, rtl_safe
from handlers.campaigns.buttons import NO_PROOF, REMINDER, ReminderPress
from handlers.campaigns.draft import END, WAITING, CampaignDraft, begin, draft, finish, flow_of
from handlers.campaigns.replies import Step, answer, refuse, say, stale, typed
from handlers.campaigns.texts import (
    kind_name,
    lead_name,
    local_clock,
    plan_label,
    platform_name,
    time_left,
    when_text,
)
from handlers.core.buttons import EMPTY, Empty
from handlers.core.context import BotContext
from handlers.core.handoff import hand_on
from handlers.core.ui import buttons, chat_id_of, reply, with_retries

LEAD_LATE = dt.timedelta(minutes=5)  # a lead reminder later than this says how long is actually left


def reminder_text(reminder: Reminder) -> str:
    post, zone = reminder.post, reminder.cohort.timezone
    left = reminder.remaining
    if reminder.is_lead and left is not None and left + LEAD_LATE < dt.timedelta(minutes=post.lead_minutes or 0):
        # Sent late (after downtime): "1 day before" would no longer be true.
        head: str = fmt(
            _("🔔 <b>Coming up in {time}</b>: a post for {label}"),
            time=time_left(left),
            label=name(plan_label(reminder.plan)),
        )
    elif reminder.is_lead:
        head = fmt(
            _("🔔 <b>Coming up ({lead})</b>: a post for {label}"),
            lead=lead_name(post.lead_minutes),
            label=name(plan_label(reminder.plan)),
        )
    elif reminder.is_snooze:
        head = fmt(_("⏰ <b>Reminder again</b>: the post for {label}"), label=name(plan_label(reminder.plan)))
    else:
        head = fmt(_("⏰ <b>Time to post</b> for {label}"), label=name(plan_label(reminder.plan)))
    return "\n".join(
        [
            head,
            fmt(
                _("{kind} on {platform}, {when}"),
                kind=kind_name(post.kind),
                platform=platform_name(post.platform),
                when=when_text(reminder.occurs_at, zone),
            ),
            fmt(_("💡 Idea: {idea}"), idea=name(post.idea)),
            "",
            _("When it is published, tap Done."),
        ]
    )


def reminder_markup(post_id: int, at: dt.datetime) -> InlineKeyboardMarkup:
    done, snooze, skip = (REMINDER.encode(ReminderPress(action, post_id, at)) for action in ("d", "z", "s"))
    return buttons([[("✅ " + _("Done"), done)], [("⏰ " + _("Snooze 1 h"), snooze), ("⏭ " + _("Skip"), skip)]])


async def edit_pressed(update: Update, addition: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Keep the reminder's text, add a line, replace its buttons."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        await reply(update, addition, markup)
        return
    original = query.message.text_html or ""
    text = original.split("\n\n", 1)[0] + "\n\n" + addition
    try:
        await with_retries(lambda: query.edit_message_text(rtl_safe(text), parse_mode="HTML", reply_markup=markup))
    except Exception:  # an old message that cannot be edited: say it in a new one
        await reply(update, addition, markup)


async def no_proof(update: Update, context: BotContext, _data: Empty) -> Step:
    if flow_of(context) != "proof":
        return await stale(update)
    await answer(update)
    await edit_pressed(update, "✅ " + _("Done. Thank you!"))
    return finish(context)


async def reminder_pressed(update: Update, context: BotContext, data: ReminderPress) -> Step:
    """Done, Snooze 1 h or Skip on a posting reminder."""
    post_id, at, user = data.post_id, data.at, chat_id_of(update)
    reminders = context.services.campaigns.reminders
    try:
        if data.action == "z":
            snoozed = await reminders.snooze(user, post_id, at)
            if snoozed is None:
                await answer(
                    update,
                    fmt(_("This post was snoozed as often as allowed ({count} times)."), count=SNOOZES_MAX),
                    alert=True,
                )
                return None
            due, zone = snoozed
            await answer(update)
            note = fmt(_("⏰ Snoozed: I will remind you again at {time}."), time=local_clock(due, zone))
            await edit_pressed(update, note, reminder_markup(post_id, at))  # Done and Skip still work from here
            return None
        state = Mark.DONE if data.action == "d" else Mark.SKIPPED
        marked = await reminders.mark(user, post_id, at, state)
    except DomainError as error:
        await refuse(update, error)
        return None
    record = marked.record
    if not marked.first and record is not None and record.state is not state:
        already = (
            _("This post was already skipped.")
            if record.state is Mark.SKIPPED
            else _("This post was already marked done.")
        )
        await answer(update, already, alert=True)
        return None
    if state is Mark.SKIPPED:
        await answer(update)
        await edit_pressed(
            update, "⏭ " + (_("Skipped. Nothing more about this post.") if marked.first else _("Already skipped."))
        )
        return None
    if not marked.first and record is not None and record.proof is not None:
        await answer(update, _("Already marked done, with a proof."))
        return None
    by = " " + fmt(_("(marked by {name})"), name=name(marked.by_name)) if marked.by_name else ""
    await answer(update, _("Marked as done. Well done!") if marked.first else _("Already marked done."))
    begin(context, CampaignDraft("proof", "proof", proof_post=post_id, proof_at=stamp(at)))
    text = "✅ " + _("Marked done") + by + ". " + _("Send the post's link or a screenshot as proof, or tap No proof.")
    await edit_pressed(update, text, buttons([[(_("No proof"), NO_PROOF.encode(EMPTY))]]))
    return WAITING


async def save_proof(update: Update, context: BotContext, kind: ProofKind, value: str) -> Step:
    found = draft(context)
    if found is None or found.proof_post is None or found.proof_at is None:
        return finish(context)
    try:
        saved = await context.services.campaigns.reminders.add_proof(
            chat_id_of(update), found.proof_post, from_stamp(found.proof_at), kind, value
        )
    except DomainError as error:
        await refuse(update, error)
        return finish(context)
    finish(context)
    if not saved:
        await reply(update, _("That post is no longer marked done, so the proof was not kept."))
        return END
    await reply(update, "📎 " + _("Proof saved. Your trainer can see it and approve it."))
    return END


async def proof_text(update: Update, context: BotContext) -> Step:
    """A link is the proof. Other text is not for this optional step (a check-in code, say): the step ends politely
    and the text is handled as if no proof had been asked for."""
    link = proof_link(typed(update))
    if link is None:
        finish(context)
        await reply(
            update,
            _(
                "The post stays marked done, without a proof (a proof is the post's link, starting with https://, "
                "or a screenshot)."
            ),
        )
        await hand_on(update, context)
        return END
    return await save_proof(update, context, ProofKind.LINK, link)


async def proof_photo(update: Update, context: BotContext) -> Step:
    message = update.effective_message
    if flow_of(context) != "proof" or message is None or not message.photo:
        await say(update, _("Please send the screenshot as a photo (not as a file), or tap No proof."))
        return None
    return await save_proof(update, context, ProofKind.PHOTO, message.photo[-1].file_id)
