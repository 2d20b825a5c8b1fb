"""Trainers and coordinators: /lessonstats — per-lesson figures and the delivery report per day."""

from __future__ import annotations

from telegram import Update

from bot.i18n import N_, _, current_locale, ngettext
from bot.services.access import Audience
from bot.services.errors import DomainError, Problem
from bot.services.lessons import CohortStats, CohortStatus, DayReport, DeliveryState, LessonStat, percent
from bot.text import esc, fmt, local_date, ltr, name
from handlers.core.buttons import pressed
from handlers.core.context import BotContext
from handlers.core.delivery_texts import reason_text, state_name
from handlers.core.registry import Button, Command
from handlers.core.ui import answer_callback, buttons, reply
from handlers.lessons.buttons import STATS_PRESS, StatsPress
from handlers.problems import problem_text

STATE_ORDER = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.BLOCKED, DeliveryState.SKIPPED)


def lesson_lines(stat: LessonStat) -> list[str]:
    def share(part: int) -> str:
        value = percent(part, stat.delivered)
        return "—" if value is None else f"{value}%"

    correct = percent(stat.correct, stat.answered)
    lines: list[str] = [
        fmt("<b>{number}. {title}</b>", number=stat.number, title=stat.title),
        fmt(
            ngettext(
                "received {delivered} · opened {opened} · done {done} · quiz correct {correct} ({answers} answer)",
                "received {delivered} · opened {opened} · done {done} · quiz correct {correct} ({answers} answers)",
                stat.answered,
            ),
            delivered=stat.delivered,
            opened=ltr(share(stat.opened)),
            done=ltr(share(stat.done)),
            correct=ltr("—" if correct is None else f"{correct}%"),
            answers=stat.answered,
        ),
    ]
    if stat.hardest is not None and stat.hardest.correct < stat.hardest.answered:
        lines.append(
            fmt(
                _("hardest: «{question}» — {right} of {answered} right"),
                question=stat.hardest.text,
                right=stat.hardest.correct,
                answered=stat.hardest.answered,
            )
        )
    return lines


def day_lines(report: DayReport) -> list[str]:
    counts = " · ".join(f"{esc(state_name(state))} {ltr(report.states[state])}" for state in STATE_ORDER)
    lines = [fmt("{day}: ", day=local_date(report.day)) + counts]
    for (state, reason), count in report.reasons.most_common():
        lines.append(
            fmt("   {state}: {reason} ({count})", state=state_name(state), reason=reason_text(reason), count=count)
        )
    return lines


def stats_text(stats: CohortStats) -> str:
    locale = current_locale()
    head = fmt(
        _("📈 <b>{cohort}</b> · {curriculum}\nLessons out: {released} of {total} · trainees: {trainees}"),
        cohort=name(stats.cohort.name),
        curriculum=stats.curriculum.title.get(locale),
        released=stats.released,
        total=len(stats.curriculum.lessons),
        trainees=stats.trainees,
    )
    lines = [head, ""]
    if not stats.lessons:
        lines.append(_("No lesson has gone out yet."))
    for stat in stats.lessons:
        lines += [*lesson_lines(stat), ""]
    lines.append("📬 <b>" + _("Deliveries per day") + "</b>")
    if not stats.days:
        lines.append(_("Nothing was sent in the last two weeks."))
    for report in stats.days:
        lines += day_lines(report)
    return "\n".join(lines)


async def send_stats(update: Update, context: BotContext, cohort_id: int, *, gone_quietly: bool = False) -> None:
    """The cohort's statistics; with `gone_quietly`, a cohort deleted meanwhile (an old button) gets no answer."""
    try:
        stats = await context.services.lesson_stats.cohort_stats(context.principal, cohort_id, current_locale())
    except DomainError as error:
        if not (gone_quietly and error.problem is Problem.COHORT_NOT_FOUND):
            await reply(update, problem_text(error))
        return
    await reply(update, stats_text(stats))


async def lesson_stats(update: Update, context: BotContext) -> None:
    principal, services = context.principal, context.services
    wanted = " ".join(context.args or []).strip()
    if wanted:
        try:
            cohort = await services.cohorts.find(wanted)
        except DomainError:
            cohort = None
        if cohort is None or not principal.can_manage(cohort.id):
            await reply(update, fmt(_("There is no cohort named {cohort} among yours."), cohort=name(wanted)))
            return
        await send_stats(update, context, cohort.id)
        return
    summaries = await services.cohorts.summaries(principal)
    with_lessons = [s.cohort for s in summaries if s.cohort.curriculum_id is not None]
    active = [c for c in with_lessons if c.status is CohortStatus.ACTIVE] or with_lessons
    if not active:
        await reply(update, _("None of your cohorts has lessons yet."))
        return
    if len(active) == 1:
        await send_stats(update, context, active[0].id)
        return
    rows = [[(cohort.name[:40], STATS_PRESS.encode(StatsPress(cohort.id)))] for cohort in active[:20]]
    await reply(update, _("Which cohort?"), buttons(rows))


async def stats_button(update: Update, context: BotContext) -> None:
    press = pressed(update, STATS_PRESS)
    if press is None or not context.principal.can_manage(press.cohort_id):
        await answer_callback(update, _("This button is no longer active."))
        return
    await answer_callback(update)
    await send_stats(update, context, press.cohort_id, gone_quietly=True)


LESSON_STATS = Command(
    ("lessonstats",), Audience.TRAINER, lesson_stats, menu=N_("Lesson statistics and deliveries: /lessonstats cohort")
)
STATS_BUTTON = Button.of(STATS_PRESS, Audience.TRAINER, stats_button)
