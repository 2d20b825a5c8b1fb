"""Which cohort or session a trainer's attendance command is about: their cohorts, the one a text names, and the
labels of the "which session?" buttons."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.services.access import Audience
from bot.services.attendance import CohortDTO, CohortStatus, SessionDTO
from bot.services.attendance.lookup import split_cohort
from bot.text import fmt, name, normalize_key
from handlers.attendance.views import local
from handlers.core.context import BotContext
from handlers.core.ui import reply

TRAINER = Audience.TRAINER
MAX_CHOICES = 8


def stale() -> str:
    return _("This button is no longer active.")


async def my_cohorts(update: Update, context: BotContext, wanted: str) -> list[CohortDTO] | None:
    """The cohorts the person manages (active ones); with a name, only that one. None once a refusal is sent."""
    summaries = await context.services.cohorts.summaries(context.principal)
    cohorts = [s.cohort for s in summaries]
    if wanted.strip():
        key = normalize_key(wanted)
        found = [c for c in cohorts if normalize_key(c.name) == key]
        if not found:
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return None
        return found
    active = [c for c in cohorts if c.status is CohortStatus.ACTIVE]
    if not active:
        await reply(update, _("You have no active cohorts."))
        return None
    return active


async def names_a_cohort(context: BotContext, text: str) -> bool:
    summaries = await context.services.cohorts.summaries(context.principal)
    return any(normalize_key(s.cohort.name) == normalize_key(text) for s in summaries)


async def named_cohort(update: Update, context: BotContext, text: str) -> tuple[CohortDTO, str] | None:
    """The cohort named by the longest leading run of words of `text` (names may have spaces), and the words after
    it. No such cohort, or one that is not theirs: a polite refusal, and None."""
    summaries = await context.services.cohorts.summaries(context.principal)  # theirs only
    found = split_cohort(text, [s.cohort for s in summaries])
    if found is None:
        await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(text)))
        return None
    return found


def choice_label(session: SessionDTO, cohort: CohortDTO) -> str:
    """A button's text (plain, not HTML): "03/12 18:00 · Day 1 · Hit"."""
    start = local(session.starts_at, cohort.timezone)
    return f"{start:%d/%m %H:%M} · {session.title} · {cohort.name}"[:60]
