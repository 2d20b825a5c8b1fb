"""Trainers and coordinators: /broadcast (target → content → preview → confirm or a time), Cancel, /broadcasts."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _
from bot.parsing import parse_date, parse_int, parse_positive_int, parse_time
from bot.services.access import Audience
from bot.services.broadcasts import Target
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt, name, normalize_digits, rtl_safe
from handlers.broadcast_views import people, running_markup, status_text
from handlers.core.context import BotContext
from handlers.core.handoff import HANDED_ON, hand_on
from handlers.core.problems import problem_text
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, buttons, chat_id_of, edit_or_reply, reply, with_retries
from storage.dto import CohortDTO, CohortStatus

TARGET, FILTER, TOWNS, CONTENT, CONFIRM, AT = range(6)
END = ConversationHandler.END
DRAFT = "broadcast"
MAX_TARGETS = 30
CONTENT_KINDS = ("text", "photo", "video", "animation", "document", "voice", "audio", "video_note")


def draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


def drop_draft(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def my_cohorts(context: BotContext) -> list[CohortDTO]:
    summaries = await context.services.cohorts.summaries(context.principal)
    return [s.cohort for s in summaries if s.cohort.status is CohortStatus.ACTIVE][:MAX_TARGETS]


# ------------------------------------------------------------------------------------------- the target


async def begin(update: Update, context: BotContext) -> int:
    drop_draft(context)
    cohorts = await my_cohorts(context)
    if not cohorts:
        await reply(update, _("You have no active cohort to send an announcement to."))
        return END
    draft(context)["cohorts"] = [cohorts[0].id] if len(cohorts) == 1 else []
    await show_targets(update, context, cohorts)
    return TARGET


async def show_targets(update: Update, context: BotContext, cohorts: list[CohortDTO]) -> None:
    chosen = set(draft(context).get("cohorts", []))
    rows = [[(("✅ " if c.id in chosen else "▫️ ") + c.name[:40], f"bc:t:{c.id}")] for c in cohorts]
    rows.append([(_("Next ➡"), "bc:next"), (_("Cancel"), "bc:stop")])
    await edit_or_reply(
        update, _("📣 <b>New announcement</b>\nWho should get it? Tap the cohorts, then Next."), buttons(rows)
    )


async def target_toggled(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    cohort_id = parse_positive_int((query.data or "").rsplit(":", 1)[-1])
    cohorts = await my_cohorts(context)
    if cohort_id is None or cohort_id not in {c.id for c in cohorts}:
        await answer_callback(update, _("This button is no longer active."))
        return TARGET
    chosen = set(draft(context).get("cohorts", []))
    chosen ^= {cohort_id}
    draft(context)["cohorts"] = sorted(chosen)
    await answer_callback(update)
    await show_targets(update, context, cohorts)
    return TARGET


def target_of(context: BotContext) -> Target:
    values = draft(context)
    towns = values.get("towns")
    return Target(tuple(values.get("cohorts", [])), None if towns is None else tuple(towns), bool(values.get("absent")))


async def targets_chosen(update: Update, context: BotContext) -> int:
    if not draft(context).get("cohorts"):
        await answer_callback(update, _("Choose at least one cohort first."), alert=True)
        return TARGET
    await answer_callback(update)
    try:
        everyone = await context.services.broadcasts.count(context.principal, target_of(context))
        if everyone == 0:
            raise DomainError(Problem.NO_RECIPIENTS)
    except DomainError as error:
        await edit_or_reply(update, problem_text(error))
        drop_draft(context)
        return END
    everyone_label: str = fmt(_("Everyone ({people})"), people=people(everyone))
    rows: list[list[tuple[str, str]]] = [[(everyone_label, "bc:all")], [(_("Only some towns"), "bc:towns")]]
    if context.services.broadcasts.absent is not None:
        rows.append([(_("Only those absent from the last session"), "bc:absent")])
    await edit_or_reply(update, _("Everyone in these cohorts, or only some of them?"), buttons(rows))
    return FILTER


async def filter_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    choice = (query.data or "").split(":", 1)[-1]
    await answer_callback(update)
    values = draft(context)
    values["towns"], values["absent"] = None, choice == "absent"
    if choice == "towns":
        towns = await context.services.broadcasts.towns(context.principal, values.get("cohorts", []))
        values["town_list"], values["towns"] = [town for town, _count in towns], []
        await show_towns(update, context)
        return TOWNS
    return await ask_content(update, context)


async def show_towns(update: Update, context: BotContext) -> None:
    values = draft(context)
    chosen = set(values.get("towns") or [])
    rows = [
        [(("✅ " if town in chosen else "▫️ ") + town[:40], f"bc:w:{index}")]
        for index, town in enumerate(values.get("town_list", []))
    ]
    rows.append([(_("Next ➡"), "bc:next"), (_("Cancel"), "bc:stop")])
    await edit_or_reply(update, _("Which towns? Tap them, then Next."), buttons(rows))


async def town_toggled(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    values = draft(context)
    index = parse_int((query.data or "").rsplit(":", 1)[-1])
    towns = values.get("town_list", [])
    if index is None or index >= len(towns):
        await answer_callback(update, _("This button is no longer active."))
        return TOWNS
    chosen = set(values.get("towns") or []) ^ {towns[index]}
    values["towns"] = sorted(chosen)
    await answer_callback(update)
    await show_towns(update, context)
    return TOWNS


async def towns_chosen(update: Update, context: BotContext) -> int:
    if not draft(context).get("towns"):
        await answer_callback(update, _("Choose at least one town first."), alert=True)
        return TOWNS
    await answer_callback(update)
    return await ask_content(update, context)


async def ask_content(update: Update, context: BotContext) -> int:
    await edit_or_reply(
        update,
        _(
            "Now send the announcement as you want trainees to see it: a text (with formatting), or a photo, video, "
            "document, voice message or audio, with a caption if you like. Send {cancel} to stop."
        ).format(cancel=cmd("/cancel")),
    )
    return CONTENT


# ------------------------------------------------------------------------------------------ the content


def content_of(message: Message) -> tuple[str, str | None] | None:
    """(kind, text or caption) of a message trainees can receive as an announcement; None otherwise."""
    for kind in CONTENT_KINDS:
        if getattr(message, kind, None):
            if kind == "text":
                return kind, message.text if (message.text or "").strip() else None
            return kind, message.caption
    return None


async def content_sent(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None
    found = content_of(message)
    if found is None or (found[0] == "text" and found[1] is None):
        await reply(
            update,
            _(
                "That cannot be sent as an announcement. "
                "Send a text, a photo, a video, a document, a voice message or an audio."
            ),
        )
        return CONTENT
    kind, text = found
    services, chat_id = context.services, chat_id_of(update)
    try:
        broadcast = await services.broadcasts.draft(
            context.principal,
            target_of(context),
            source_chat_id=chat_id,
            source_message_id=message.message_id,
            content=kind,
            text=text,
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        if error.problem.value == "text_too_long":
            return CONTENT
        drop_draft(context)
        return END
    draft(context)["id"] = broadcast.id
    await reply(update, _("Preview — this is exactly what trainees will see:"))
    await with_retries(lambda: context.bot.copy_message(chat_id, chat_id, message.message_id))
    summary = fmt(
        _("Send it to {people} in {cohorts}?"),
        people=people(broadcast.recipients),
        cohorts=", ".join(name(c.name) for c in await my_cohorts(context) if c.id in broadcast.cohort_ids),
    )
    rows = [
        [("✅ " + _("Send now"), f"bc:go:{broadcast.id}")],
        [("⏰ " + _("Send at a time…"), f"bc:at:{broadcast.id}")],
        [(_("Cancel"), f"bc:no:{broadcast.id}")],
    ]
    await reply(update, summary, buttons(rows))
    return CONFIRM


# ---------------------------------------------------------------------------------------- confirmation


def broadcast_id_of(update: Update) -> int | None:
    query = update.callback_query
    return None if query is None else parse_positive_int((query.data or "").rsplit(":", 1)[-1])


async def confirm(update: Update, context: BotContext, send_at: dt.datetime | None = None) -> int:
    """Plan it (once: a second press finds it already confirmed) and turn this message into the live status."""
    broadcast_id = draft(context).get("id") if send_at is not None else broadcast_id_of(update)
    if not isinstance(broadcast_id, int):
        await answer_callback(update, _("This button is no longer active."))
        return END
    services = context.services
    try:
        planned = await services.broadcasts.confirm(context.principal, broadcast_id, send_at)
    except DomainError as error:
        await answer_callback(update, problem_text(error), alert=True)
        if update.callback_query is None:
            await reply(update, problem_text(error))
        return AT if send_at is not None else END
    if planned is None:
        await answer_callback(update, _("This announcement is already on its way."))
        return END
    await answer_callback(update, _("On its way."))
    drop_draft(context)
    progress = await services.broadcasts.progress(broadcast_id)
    assert progress is not None
    zone = await zone_of(context, progress.broadcast.cohort_ids)
    text = status_text(progress, zone, dt.datetime.now(dt.UTC))
    query = update.callback_query
    if query is not None and isinstance(query.message, Message):
        status = await with_retries(lambda: edit_status(query.message, text, broadcast_id))  # type: ignore[arg-type]
    else:
        status = await reply(update, text, running_markup(broadcast_id))
    await services.broadcasts.set_status_message(context.principal, broadcast_id, status.chat_id, status.message_id)
    return END


async def edit_status(message: Message, text: str, broadcast_id: int) -> Message:
    """The pressed summary becomes the live status message."""
    edited = await message.edit_text(
        rtl_safe(text), parse_mode=ParseMode.HTML, reply_markup=running_markup(broadcast_id)
    )
    return edited if isinstance(edited, Message) else message


async def send_now(update: Update, context: BotContext) -> int:
    return await confirm(update, context)


async def ask_time(update: Update, context: BotContext) -> int:
    broadcast_id = broadcast_id_of(update)
    if broadcast_id is None or draft(context).get("id") != broadcast_id:
        await answer_callback(update, _("This button is no longer active."))
        return CONFIRM
    await answer_callback(update)
    zone = await zone_of(context, draft(context).get("cohorts", []))
    await edit_or_reply(
        update,
        fmt(
            _("At what time ({zone})? For example {example_today} today, or {example_day}."),
            zone=zone,
            example_today="18:30",
            example_day="2026-12-20 09:00",
        ),
    )
    return AT


def parse_when(text: str, zone: str, now: dt.datetime) -> dt.datetime | None:
    """ "18:30" (today, or tomorrow once it has passed), "2026-12-20 09:00", "20/12/2026 9:00" → aware UTC; None also
    for a day no clock can hold (year 1 in a zone ahead of UTC)."""
    local = parse_local_when(text, zone, now)
    if local is None:
        return None
    try:
        return dt.datetime.combine(*local, tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)
    except OverflowError:
        return None


def parse_local_when(text: str, zone: str, now: dt.datetime) -> tuple[dt.date, dt.time] | None:
    """What `parse_when` reads, as the local day and time: the service checks their range before converting."""
    parts = normalize_digits(text).split()
    local_now = now.astimezone(ZoneInfo(zone))
    moment = parse_time(parts[-1]) if parts else None
    if moment is None or len(parts) > 2:
        return None
    if len(parts) == 2:
        day = parse_date(parts[0])
        if day is None:
            return None
    else:
        day = local_now.date() if moment > local_now.time() else local_now.date() + dt.timedelta(days=1)
    return day, moment


async def time_typed(update: Update, context: BotContext) -> int:
    message = update.effective_message
    zone = await zone_of(context, draft(context).get("cohorts", []))
    when = parse_local_when(message.text or "" if message else "", zone, dt.datetime.now(dt.UTC))
    if when is None:
        await reply(update, _("Please write a time like 18:30, or a date and time like 2026-12-20 09:00."))
        return AT
    try:
        send_at = context.services.broadcasts.send_moment(*when, zone)
    except DomainError as error:
        await reply(update, problem_text(error))
        return AT
    return await confirm(update, context, send_at=send_at)


async def give_up(update: Update, context: BotContext) -> int:
    """Cancel, No or /cancel before confirming: the draft (if any) is dropped, nothing is sent."""
    await answer_callback(update)
    await discard_draft(context)
    await edit_or_reply(update, _("Cancelled: nothing was sent."))
    return END


async def discard_draft(context: BotContext) -> None:
    """The draft (if any) is dropped: its row, if it got one, is cancelled before anything was sent."""
    broadcast_id = draft(context).get("id")
    if isinstance(broadcast_id, int):
        with contextlib.suppress(DomainError):
            await context.services.broadcasts.discard(context.principal, broadcast_id)
    drop_draft(context)


async def other_command(update: Update, context: BotContext) -> int:
    """Another command while an announcement is being written: the draft is dropped (nothing was sent), and the
    command is then handled as usual — its questions' answers must not land in this draft."""
    await discard_draft(context)
    await reply(update, _("The announcement you were writing was dropped; nothing was sent."))
    await hand_on(update, context)
    return END


async def reask(update: Update, context: BotContext) -> None:
    if update.callback_query is not None:
        await answer_callback(update, _("This button is no longer active."))
        return
    await reply(update, fmt(_("Please use the buttons above, or send {cancel} to stop."), cancel=cmd("/cancel")))


async def zone_of(context: BotContext, cohort_ids: list[int] | tuple[int, ...]) -> str:
    for cohort in await my_cohorts(context):
        if cohort.id in cohort_ids:
            return cohort.timezone
    return context.services.settings.bot_timezone


TRAINER = Audience.TRAINER
BROADCAST = Command(("broadcast",), TRAINER, begin, menu=N_("Send an announcement to your cohorts"))
ID = r"\d{1,9}"


def broadcast_conversation() -> ConversationHandler[BotContext]:
    other = Typed("broadcast: anything else", TRAINER, reask, ~filters.COMMAND & ~HANDED_ON)
    # Only this conversation's own stale buttons: Cancel/CSV of a running broadcast and other features' buttons pass.
    stale = Button("bc", TRAINER, reask, "(?!x:|csv:|go:).*")
    stop_button = Button("bc", TRAINER, give_up, "stop")
    next_button = Button("bc", TRAINER, targets_chosen, "next")
    another_command = filters.COMMAND & ~HANDED_ON & ~filters.Regex(r"^/broadcast(@\w+)?(\s|$)")
    return conversation(
        "broadcast",
        entry=[BROADCAST],
        states={
            TARGET: [Button("bc", TRAINER, target_toggled, f"t:{ID}"), next_button, stop_button, stale, other],
            FILTER: [Button("bc", TRAINER, filter_chosen, "all|towns|absent"), stale, other],
            TOWNS: [
                Button("bc", TRAINER, town_toggled, f"w:{ID}"),
                Button("bc", TRAINER, towns_chosen, "next"),
                stop_button,
                stale,
                other,
            ],
            CONTENT: [Typed("broadcast: content", TRAINER, content_sent, ~filters.COMMAND & ~HANDED_ON), stale],
            CONFIRM: [
                Button("bc", TRAINER, send_now, f"go:{ID}"),
                Button("bc", TRAINER, ask_time, f"at:{ID}"),
                Button("bc", TRAINER, give_up, f"no:{ID}"),
                stale,
                other,
            ],
            AT: [Typed("broadcast: send at", TRAINER, time_typed, filters.TEXT & ~filters.COMMAND), stale, other],
        },
        fallbacks=[
            Command(("cancel",), Audience.ANYONE, give_up),
            Typed("broadcast: another command", Audience.ANYONE, other_command, another_command),
        ],
    )
