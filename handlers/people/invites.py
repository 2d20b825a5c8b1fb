"""Invite links: /invite makes one (a trainee or a trainer invite, with its limits), /invites lists a cohort's
invites with a button to revoke each usable one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated

from telegram import Update

from bot.i18n import N_, _, ngettext
from bot.parsing import parse_invite_words
from bot.qr import qr_png
from bot.services.access import Audience
from bot.services.errors import DomainError, Problem
from bot.services.people import INVITE_DAYS_MAX, INVITE_USES_MAX, CohortDTO, InviteDTO, Role, deep_link
from bot.text import fmt, local_datetime, ltr, name
from handlers.core.buttons import Codec, Num, pressed
from handlers.core.context import BotContext
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, reply, reply_photo
from handlers.people.cohorts import find_cohort
from handlers.problems import problem_text

COORDINATOR = Audience.COORDINATOR


@dataclass(frozen=True)
class InvitePress:
    invite_id: Annotated[int, Num(minimum=0)]  # from 0: a forged 0 is a stale button to a coordinator too


REVOKE_PRESSED = Codec("inv", InvitePress, tag="revoke")


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
    rows = [
        [(fmt(_("Revoke #{number}"), number=item.id), REVOKE_PRESSED.encode(InvitePress(item.id)))]
        for item in usable[:20]
    ]
    await reply(update, "\n".join(lines), buttons(rows) if rows else None)


async def revoke_invite(update: Update, context: BotContext) -> None:
    press = pressed(update, REVOKE_PRESSED)
    if press is None or press.invite_id == 0:
        await answer_callback(update, _("This button is no longer active."))
        return
    try:
        revoked = await context.services.cohorts.revoke_invite(context.principal, press.invite_id)
    except DomainError as error:
        refusal = problem_text(error)
        await answer_callback(update, refusal, alert=True)
        return
    await answer_callback(update, fmt(_("Invite #{number} revoked."), number=revoked.id))
    await reply(update, fmt(_("Invite #{number} revoked: its link no longer works."), number=revoked.id))


INVITE = Command(("invite",), COORDINATOR, invite, menu=N_("New invite link: /invite cohort [trainer]"))
INVITES = Command(("invites",), COORDINATOR, list_invites, menu=N_("A cohort's invites, to revoke them"))
REVOKE_INVITE = Button.of(REVOKE_PRESSED, COORDINATOR, revoke_invite)
