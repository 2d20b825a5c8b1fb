"""/broadcast, first steps: which cohorts, everyone or some towns (or those absent), then the content is asked for."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update

from bot.i18n import _
from bot.services.broadcasts import CohortDTO
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt
from handlers.broadcasts.buttons import NEXT, STOP, TOGGLE_COHORT, TOGGLE_TOWN, WHO, CohortPick, TownPick, WhoPick
from handlers.broadcasts.draft import CONTENT, DRAFT, FILTER, TARGET, TOWNS, AnnouncementDraft, current, my_cohorts
from handlers.broadcasts.views import people
from handlers.core.buttons import EMPTY, pressed
from handlers.core.context import BotContext
from handlers.core.conversation import END
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply
from handlers.problems import problem_text

Rows = list[list[tuple[str, str]]]


def next_or_stop() -> list[tuple[str, str]]:
    return [(_("Next ➡"), NEXT.encode(EMPTY)), (_("Cancel"), STOP.encode(EMPTY))]


async def begin(update: Update, context: BotContext) -> int:
    DRAFT.drop(context)
    cohorts = await my_cohorts(context)
    if not cohorts:
        await reply(update, _("You have no active cohort to send an announcement to."))
        return END
    DRAFT.put(context, AnnouncementDraft(cohort_ids=(cohorts[0].id,) if len(cohorts) == 1 else ()))
    await show_targets(update, context, cohorts)
    return TARGET


async def show_targets(update: Update, context: BotContext, cohorts: list[CohortDTO]) -> None:
    chosen = set(current(context).cohort_ids)
    rows: Rows = [
        [(("✅ " if c.id in chosen else "▫️ ") + c.name[:40], TOGGLE_COHORT.encode(CohortPick(c.id)))] for c in cohorts
    ]
    rows.append(next_or_stop())
    await edit_or_reply(
        update, _("📣 <b>New announcement</b>\nWho should get it? Tap the cohorts, then Next."), buttons(rows)
    )


async def target_toggled(update: Update, context: BotContext) -> int:
    pick = pressed(update, TOGGLE_COHORT)
    cohorts = await my_cohorts(context)
    if pick is None or pick.cohort_id not in {c.id for c in cohorts}:
        await answer_callback(update, _("This button is no longer active."))
        return TARGET
    draft = current(context)
    DRAFT.put(context, replace(draft, cohort_ids=tuple(sorted(set(draft.cohort_ids) ^ {pick.cohort_id}))))
    await answer_callback(update)
    await show_targets(update, context, cohorts)
    return TARGET


async def targets_chosen(update: Update, context: BotContext) -> int:
    draft = current(context)
    if not draft.cohort_ids:
        await answer_callback(update, _("Choose at least one cohort first."), alert=True)
        return TARGET
    await answer_callback(update)
    try:
        everyone = await context.services.broadcasts.count(context.principal, draft.target)
        if everyone == 0:
            raise DomainError(Problem.NO_RECIPIENTS)
    except DomainError as error:
        await edit_or_reply(update, problem_text(error))
        DRAFT.drop(context)
        return END
    everyone_label: str = fmt(_("Everyone ({people})"), people=people(everyone))
    rows: Rows = [
        [(everyone_label, WHO.encode(WhoPick("all")))],
        [(_("Only some towns"), WHO.encode(WhoPick("towns")))],
    ]
    if context.services.broadcasts.absent is not None:
        rows.append([(_("Only those absent from the last session"), WHO.encode(WhoPick("absent")))])
    await edit_or_reply(update, _("Everyone in these cohorts, or only some of them?"), buttons(rows))
    return FILTER


async def filter_chosen(update: Update, context: BotContext) -> int:
    pick = pressed(update, WHO)
    assert pick is not None  # the declaration routes only what WHO decodes
    await answer_callback(update)
    draft = replace(current(context), towns=None, only_absent=pick.who == "absent")
    if pick.who == "towns":
        towns = await context.services.broadcasts.towns(context.principal, draft.cohort_ids)
        DRAFT.put(context, replace(draft, offered_towns=tuple(town for town, _count in towns), towns=()))
        await show_towns(update, context)
        return TOWNS
    DRAFT.put(context, draft)
    return await ask_content(update, context)


async def show_towns(update: Update, context: BotContext) -> None:
    draft = current(context)
    chosen = set(draft.towns or ())
    rows: Rows = [
        [(("✅ " if town in chosen else "▫️ ") + town[:40], TOGGLE_TOWN.encode(TownPick(index)))]
        for index, town in enumerate(draft.offered_towns)
    ]
    rows.append(next_or_stop())
    await edit_or_reply(update, _("Which towns? Tap them, then Next."), buttons(rows))


async def town_toggled(update: Update, context: BotContext) -> int:
    pick = pressed(update, TOGGLE_TOWN)
    draft = current(context)
    if pick is None or pick.index >= len(draft.offered_towns):
        await answer_callback(update, _("This button is no longer active."))
        return TOWNS
    chosen = set(draft.towns or ()) ^ {draft.offered_towns[pick.index]}
    DRAFT.put(context, replace(draft, towns=tuple(sorted(chosen))))
    await answer_callback(update)
    await show_towns(update, context)
    return TOWNS


async def towns_chosen(update: Update, context: BotContext) -> int:
    if not current(context).towns:
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
