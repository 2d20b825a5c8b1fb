"""Trainers: follow their trainees (/trainees). Coordinators see every cohort."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _, ngettext
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.services.people import CohortStatus, Role
from bot.text import fmt, local_date, name
from handlers.core.context import BotContext
from handlers.core.registry import Command
from handlers.core.ui import reply
from handlers.problems import problem_text


async def list_trainees(update: Update, context: BotContext) -> None:
    services = context.services
    summaries = await services.cohorts.summaries(context.principal)
    wanted = " ".join(context.args or []).strip()
    if wanted:
        summaries = [s for s in summaries if s.cohort.name.casefold() == wanted.casefold()]
        if not summaries:
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return
    active = [s for s in summaries if s.cohort.status is CohortStatus.ACTIVE] or summaries
    if not active:
        await reply(update, _("You have no cohorts yet."))
        return
    lines: list[str] = []
    for summary in active:
        cohort = summary.cohort
        try:
            members = await services.cohorts.members(context.principal, cohort.id, Role.TRAINEE)
        except DomainError as error:  # no longer theirs
            await reply(update, problem_text(error))
            return
        header = ngettext("{cohort}: {count} trainee", "{cohort}: {count} trainees", len(members))
        lines.append("<b>" + fmt(header, cohort=name(cohort.name), count=len(members)) + "</b>")
        for index, (membership, person) in enumerate(members, start=1):
            lines.append(
                fmt(
                    _("{number}. {name} — {town}, joined {date}"),
                    number=index,
                    name=name(person.full_name or "?"),
                    town=name(person.town or "?"),
                    date=local_date(membership.joined_at.date()),
                )
            )
        lines.append("")
    await reply(update, "\n".join(lines).strip())


TRAINEES = Command(("trainees",), Audience.TRAINER, list_trainees, menu=N_("List the trainees of your cohorts"))
