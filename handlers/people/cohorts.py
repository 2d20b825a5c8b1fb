"""/cohorts (for trainers too) and /endcohort; how a cohort named in a command is found."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _, ngettext
from bot.services.access import Audience
from bot.services.errors import DomainError
from bot.services.people import CohortDTO, CohortStatus
from bot.text import cmd, fmt, local_date, ltr, name
from handlers.core.context import BotContext
from handlers.core.registry import Command
from handlers.core.ui import reply
from handlers.problems import problem_text

COORDINATOR = Audience.COORDINATOR


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


COHORTS = Command(("cohorts",), Audience.TRAINER, list_cohorts, menu=N_("Cohorts and their members"))
END_COHORT = Command(("endcohort",), COORDINATOR, end_cohort, menu=N_("End a cohort: its invites stop working"))
