"""/broadcast, first steps: which cohorts, everyone or some towns (or those absent), then the content is asked for."""

from __future__ import annotations

from telegram import Update

from bot.i18n import _
from bot.parsing import parse_int, parse_positive_int
from bot.services.broadcasts import CohortDTO
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt
from handlers.broadcasts.draft import CONTENT, END, FILTER, TARGET, TOWNS, draft, drop_draft, my_cohorts, target_of
from handlers.broadcasts.views import people
from handlers.core.context import BotContext
from handlers.core.problems import problem_text
from handlers.core.ui import answer_callback, buttons, edit_or_reply, reply


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
