"""Coordinators: /newcohort (with its curriculum), /invite, /invites (revoke), /endcohort, /grant, /revoke; /cohorts
for trainers too."""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import N_, _, current_locale, ngettext
from bot.parsing import (
    parse_cohort_name,
    parse_date,
    parse_invite_words,
    parse_positive_int,
    parse_telegram_id,
    parse_time,
)
from bot.qr import qr_png
from bot.services.access import Audience
from bot.services.cohorts import INVITE_DAYS_MAX, INVITE_USES_MAX, deep_link
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt, local_date, local_datetime, local_time, ltr, name, normalize_digits, normalize_key
from handlers.core.context import BotApplication, BotContext
from handlers.core.menus import refresh_chat_menu
from handlers.core.problems import problem_text
from handlers.core.registry import Button, Command, Typed, conversation
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply, reply_photo
from handlers.lessons.curricula import curriculum_label, lessons_text
from storage.dto import CohortDTO, CohortStatus, CurriculumDTO, InviteDTO, Role

COHORT_NAME, START_DATE, LESSON_TIME, CURRICULUM = range(4)
END = ConversationHandler.END
DRAFT = "new_cohort"
START_WINDOW = (dt.timedelta(days=365), dt.timedelta(days=730))  # how far back / ahead a start date may be
MAX_CURRICULUM_BUTTONS = 20


def new_cohort_draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


async def new_cohort(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    if context.args:
        return await cohort_name_typed(update, context, " ".join(context.args))
    await reply(update, _("Let's create a cohort. What is its name? (for example: Baghdad digital campaigns, March)"))
    return COHORT_NAME


async def cohort_name_typed(update: Update, context: BotContext, typed: str | None = None) -> int:
    text = typed if typed is not None else (update.message.text if update.message and update.message.text else "")
    cohort_name = parse_cohort_name(text)
    if cohort_name is None:
        await reply(update, _("Please type a name of 2 to 64 characters."))
        return COHORT_NAME
    summaries = await context.services.cohorts.summaries(context.principal)
    if any(normalize_key(s.cohort.name) == normalize_key(cohort_name) for s in summaries):
        await reply(
            update, fmt(_("A cohort named {cohort} already exists. Choose another name."), cohort=name(cohort_name))
        )
        return COHORT_NAME
    new_cohort_draft(context)["name"] = cohort_name
    await reply(update, fmt(_("When does it start? Type the date as {example}."), example=ltr("2026-12-01")))
    return START_DATE


async def start_date_typed(update: Update, context: BotContext) -> int:
    text = update.message.text if update.message and update.message.text else ""
    start = parse_date(text)
    today = dt.datetime.now(context.services.settings.zone).date()
    if start is None or not today - START_WINDOW[0] <= start <= today + START_WINDOW[1]:
        await reply(
            update,
            fmt(
                _("That is not a date I can use. Type it as {example}, within the next two years."),
                example=ltr("2026-12-01"),
            ),
        )
        return START_DATE
    new_cohort_draft(context)["start"] = start.isoformat()
    await reply(
        update, fmt(_("At what time should the daily lesson go out? Type it as {example}."), example=ltr("18:30"))
    )
    return LESSON_TIME


async def lesson_time_typed(update: Update, context: BotContext) -> int:
    text = update.message.text if update.message and update.message.text else ""
    lesson_time = parse_time(text)
    if lesson_time is None:
        await reply(
            update, fmt(_("That is not a time I can use. Type it as {example} (24-hour clock)."), example=ltr("18:30"))
        )
        return LESSON_TIME
    new_cohort_draft(context)["time"] = lesson_time.strftime("%H:%M")
    return await ask_curriculum(update, context)


async def ask_curriculum(update: Update, context: BotContext) -> int:
    """One button per imported curriculum and "No curriculum"; without any curriculum the step is skipped."""
    items = await context.services.curricula.all()
    if not items:
        return await create_cohort(update, context, take_draft(context), None)
    rows = [[(curriculum_label(item), f"nc:cur:{item.id}")] for item in items[:MAX_CURRICULUM_BUTTONS]]
    rows.append([(_("No curriculum"), "nc:cur:none")])
    await reply(update, _("Which curriculum should the cohort follow? One lesson goes out each day."), buttons(rows))
    return CURRICULUM


def take_draft(context: BotContext) -> dict[str, Any]:
    """The finished draft, removed before any await: a second tap (updates run concurrently) finds none."""
    assert context.user_data is not None
    value = context.user_data.pop(DRAFT, None)
    return value if isinstance(value, dict) else {}


async def curriculum_chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    values = take_draft(context)
    if not values:  # tapped twice: the first tap is creating the cohort
        await answer_callback(update, _("This button is no longer active."))
        return END
    choice = query.data.removeprefix("nc:cur:")
    curriculum: CurriculumDTO | None = None
    if choice != "none":
        curriculum_id = parse_positive_int(choice)
        curriculum = await context.services.curricula.by_id(curriculum_id) if curriculum_id else None
        if curriculum is None:  # a stale or forged button: ask again, create nothing
            new_cohort_draft(context).update(values)
            await answer_callback(update, _("That choice is no longer available."))
            return await ask_curriculum(update, context)
    await answer_callback(update)
    return await create_cohort(update, context, values, curriculum)


async def create_cohort(
    update: Update, context: BotContext, values: dict[str, Any], curriculum: CurriculumDTO | None
) -> int:
    if not context.principal.is_coordinator:  # the role may have been revoked during the flow
        await reply(update, _("Sorry, only coordinators can do that."))
        return END
    try:
        created = await context.services.cohorts.create(
            context.principal,
            name=values["name"],
            start_date=dt.date.fromisoformat(values["start"]),
            lesson_time=dt.time.fromisoformat(values["time"]),
            timezone=context.services.settings.bot_timezone,
            curriculum_id=curriculum.id if curriculum else None,
        )
    except DomainError as error:
        if error.problem is Problem.CURRICULUM_NOT_FOUND:
            new_cohort_draft(context).update(values)
            return await ask_curriculum(update, context)
        await reply(update, problem_text(error))
        return END
    except KeyError:
        await reply(update, fmt(_("Please start again with {command}."), command=cmd("/newcohort")))
        return END
    cohort = created.cohort
    lines = [
        fmt(
            _("Cohort {cohort} created: it starts on {date}, with a lesson every day at {time}."),
            cohort=name(cohort.name),
            date=local_date(cohort.start_date),
            time=local_time(cohort.lesson_time),
        ),
        fmt(
            _("Curriculum: {title}, {lessons}."),
            title=name(curriculum.title(current_locale())),
            lessons=lessons_text(curriculum.lesson_count),
        )
        if curriculum
        else _("No curriculum: this cohort gets no daily lessons."),
    ]
    if update.callback_query is not None:
        await edit_or_reply(update, "\n".join(lines))  # the curriculum question becomes the answer
    else:
        await reply(update, "\n".join(lines))
    await send_invite(update, context, cohort, created.invite)
    return END


async def cancel_new_cohort(update: Update, context: BotContext) -> int:
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    await reply(update, _("Cancelled; no cohort was created."))
    return END


async def reask(update: Update, context: BotContext) -> None:
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))


async def send_invite(update: Update, context: BotContext, cohort: CohortDTO, invite: InviteDTO) -> None:
    """The link with what it allows: until when, how many people, and for a trainer invite who should get it."""
    link = deep_link(context.bot.username, invite.token)
    role = _("trainers") if invite.role is Role.TRAINER else _("trainees")
    lines: list[str] = [fmt(_("Invite link for {role} of {cohort}:"), role=role, cohort=name(cohort.name)), ltr(link)]
    if invite.expires_at is not None:
        lines.append(fmt(_("Valid until {when}."), when=local_datetime(invite.expires_at, cohort.timezone)))
    if invite.max_uses is not None:
        lines.append(
            ngettext("It can be used {count} time.", "It can be used {count} times.", invite.max_uses).format(
                count=ltr(invite.max_uses)
            )
        )
    else:
        lines.append(_("Any number of people can use it until then."))
    if invite.role is Role.TRAINER:
        lines.append(
            fmt(
                _("Whoever opens it becomes a trainer of {cohort}: give it only to the trainer, never forward it."),
                cohort=name(cohort.name),
            )
        )
        lines.append(_("Share the link, or let the trainer scan the QR code below."))
    else:
        lines.append(_("Share the link, or let people scan the QR code below."))
    await reply(update, "\n".join(lines))
    await reply_photo(update, qr_png(link), fmt(_("Scan to join {cohort}"), cohort=name(cohort.name)))


async def find_cohort(update: Update, context: BotContext, cohort_name: str, usage: str) -> CohortDTO | None:
    if not cohort_name.strip():
        await reply(update, fmt(_("Usage: {usage}"), usage=cmd(usage)))
        return None
    try:
        return await context.services.cohorts.find(cohort_name)
    except DomainError as error:
        await reply(
            update, problem_text(error) + "\n" + fmt(_("Send {cohorts} to see the cohorts."), cohorts=cmd("/cohorts"))
        )
        return None


async def invite(update: Update, context: BotContext) -> None:
    """/invite <cohort> [trainer] [uses N] [days N]: a trainer invite admits one person for 7 days unless chosen."""
    words = parse_invite_words(context.args or [])
    cohort = await find_cohort(update, context, words.cohort, "/invite cohort [trainer] [uses N] [days N]")
    if cohort is None:
        return
    role = Role.TRAINER if words.trainer else Role.TRAINEE
    try:
        if words.out_of_range:
            raise DomainError(Problem.INVITE_LIMITS, uses=INVITE_USES_MAX, days=INVITE_DAYS_MAX)
        created = await context.services.cohorts.create_invite(
            context.principal, cohort.id, role, days=words.days, max_uses=words.uses
        )
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await send_invite(update, context, cohort, created)


async def list_cohorts(update: Update, context: BotContext) -> None:
    summaries = await context.services.cohorts.summaries(context.principal)
    if not summaries:
        await reply(update, fmt(_("There are no cohorts yet. Create one with {command}."), command=cmd("/newcohort")))
        return
    lines: list[str] = [_("<b>Cohorts</b>")]
    for summary in summaries:
        cohort = summary.cohort
        trainees = ngettext("{count} trainee", "{count} trainees", summary.trainees).format(count=ltr(summary.trainees))
        trainers = ngettext("{count} trainer", "{count} trainers", summary.trainers).format(count=ltr(summary.trainers))
        status = _("ended") if cohort.status is CohortStatus.ENDED else _("active")
        lines.append(
            fmt(
                _("• {cohort} — {trainees}, {trainers}; starts {date}; {status}"),
                cohort=name(cohort.name),
                trainees=trainees,
                trainers=trainers,
                date=local_date(cohort.start_date),
                status=status,
            )
        )
    await reply(update, "\n".join(lines))


def invite_line(item: InviteDTO, cohort: CohortDTO, now: dt.datetime) -> str:
    role = _("trainers") if item.role is Role.TRAINER else _("trainees")
    state = {
        None: _("active"),
        "revoked": _("revoked"),
        "expired": _("expired"),
        "used_up": _("used up"),
    }[item.problem(now)]
    used = ngettext("used {count} time", "used {count} times", item.uses).format(count=ltr(item.uses))
    return fmt(
        _("#{number} for {role}: {state}, {used}, created {when}"),
        number=item.id,
        role=role,
        state=state,
        used=used,
        when=local_datetime(item.created_at, cohort.timezone),
    )


async def list_invites(update: Update, context: BotContext) -> None:
    cohort = await find_cohort(update, context, " ".join(context.args or []), "/invites cohort")
    if cohort is None:
        return
    try:
        items = await context.services.cohorts.invites(context.principal, cohort.id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    if not items:
        await reply(update, fmt(_("{cohort} has no invites."), cohort=name(cohort.name)))
        return
    now = dt.datetime.now(dt.UTC)
    lines: list[str] = [fmt(_("<b>Invites of {cohort}</b>"), cohort=name(cohort.name))]
    lines += [invite_line(item, cohort, now) for item in items]
    usable = [item for item in items if item.problem(now) is None]
    rows = [[(fmt(_("Revoke #{number}"), number=item.id), f"inv:revoke:{item.id}")] for item in usable[:20]]
    await reply(update, "\n".join(lines), buttons(rows) if rows else None)


async def revoke_invite(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    invite_id = parse_positive_int(query.data.rsplit(":", 1)[1])
    if invite_id is None:
        await answer_callback(update, _("This button is no longer active."))
        return
    try:
        revoked = await context.services.cohorts.revoke_invite(context.principal, invite_id)
    except DomainError as error:
        refusal = problem_text(error)
        await answer_callback(update, refusal, alert=True)
        return
    await answer_callback(update, fmt(_("Invite #{number} revoked."), number=revoked.id))
    await reply(update, fmt(_("Invite #{number} revoked: its link no longer works."), number=revoked.id))


async def end_cohort(update: Update, context: BotContext) -> None:
    cohort = await find_cohort(update, context, " ".join(context.args or []), "/endcohort cohort")
    if cohort is None:
        return
    if cohort.status is CohortStatus.ENDED:
        await reply(update, fmt(_("{cohort} has already ended."), cohort=name(cohort.name)))
        return
    try:
        await context.services.cohorts.set_status(context.principal, cohort.id, CohortStatus.ENDED)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    await reply(update, fmt(_("{cohort} has ended; its invite links no longer work."), cohort=name(cohort.name)))


def id_words(context: BotContext) -> list[str]:
    return [normalize_digits(a) for a in (context.args or []) if a.casefold() not in {"coordinator", "منسق"}]


def target_user_id(context: BotContext) -> int | None:
    args = id_words(context)
    return parse_telegram_id(args[0]) if len(args) == 1 else None


async def refused_id(update: Update, context: BotContext) -> bool:
    """A typed number that cannot be a Telegram id (23 digits, say): said so, and True."""
    args = id_words(context)
    if len(args) != 1 or not (args[0].isascii() and args[0].isdigit()) or parse_telegram_id(args[0]) is not None:
        return False
    await reply(
        update,
        fmt(_("That number is not a Telegram id. The person can see their id with {whoami}."), whoami=cmd("/whoami")),
    )
    return True


async def grant(update: Update, context: BotContext) -> None:
    if await refused_id(update, context):
        return
    telegram_id = target_user_id(context)
    if telegram_id is None:
        await reply(
            update,
            fmt(
                _("Usage: {usage} (the person can see their id with {whoami})"),
                usage=cmd("/grant 123456789"),
                whoami=cmd("/whoami"),
            ),
        )
        return
    try:
        changed = await context.services.roles.grant_coordinator(context.principal, telegram_id)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    text = _("{id} is now a coordinator.") if changed else _("{id} is already a coordinator.")
    await reply(update, fmt(text, id=ltr(telegram_id)))
    if changed:
        await refresh_chat_menu(context.bot, context.services, telegram_id)


async def revoke(update: Update, context: BotContext) -> None:
    if await refused_id(update, context):
        return
    telegram_id = target_user_id(context)
    if telegram_id is None:
        await reply(update, fmt(_("Usage: {usage}"), usage=cmd("/revoke 123456789")))
        return
    try:
        changed = await context.services.roles.revoke_coordinator(context.principal, telegram_id, keep_one=True)
    except DomainError as error:
        await reply(update, problem_text(error))
        return
    text = _("{id} is no longer a coordinator.") if changed else _("{id} was not a coordinator.")
    await reply(update, fmt(text, id=ltr(telegram_id)))
    if changed:
        await refresh_chat_menu(context.bot, context.services, telegram_id)


COORDINATOR = Audience.COORDINATOR


def new_cohort_conversation() -> ConversationHandler[BotContext]:
    text = filters.TEXT & ~filters.COMMAND
    other = Typed("new cohort: anything else", COORDINATOR, reask, ~filters.COMMAND)
    return conversation(
        "new_cohort",
        entry=[Command(("newcohort",), COORDINATOR, new_cohort, menu=N_("Create a cohort"))],
        states={
            COHORT_NAME: [Typed("new cohort: name", COORDINATOR, cohort_name_typed, text), other],
            START_DATE: [Typed("new cohort: start date", COORDINATOR, start_date_typed, text), other],
            LESSON_TIME: [Typed("new cohort: lesson time", COORDINATOR, lesson_time_typed, text), other],
            CURRICULUM: [Button("nc", COORDINATOR, curriculum_chosen, r"cur:(?:\d{1,9}|none)"), other],
        },
        fallbacks=[Command(("cancel",), Audience.ANYONE, cancel_new_cohort)],
    )


INVITE = Command(("invite",), COORDINATOR, invite, menu=N_("New invite link: /invite cohort [trainer]"))
COHORTS = Command(("cohorts",), Audience.TRAINER, list_cohorts, menu=N_("Cohorts and their members"))
INVITES = Command(("invites",), COORDINATOR, list_invites, menu=N_("A cohort's invites, to revoke them"))
REVOKE_INVITE = Button("inv", COORDINATOR, revoke_invite, r"revoke:\d{1,9}")
END_COHORT = Command(("endcohort",), COORDINATOR, end_cohort, menu=N_("End a cohort: its invites stop working"))
GRANT = Command(("grant",), COORDINATOR, grant, menu=N_("Make someone a coordinator: /grant id"))
REVOKE = Command(("revoke",), COORDINATOR, revoke, menu=N_("Remove a coordinator: /revoke id"))


def setup(application: BotApplication) -> None:
    application.add_handler(new_cohort_conversation())
    for declaration in (INVITE, COHORTS, INVITES, REVOKE_INVITE, END_COHORT, GRANT, REVOKE):
        application.add_handler(declaration.handler())
