"""The announcement being written: the conversation's states, its draft in user_data, the sender's cohorts."""

from __future__ import annotations

import contextlib
from typing import Any

from telegram.ext import ConversationHandler

from bot.services.access import Audience
from bot.services.broadcasts import CohortDTO, CohortStatus, Target
from bot.services.errors import DomainError
from handlers.core.context import BotContext

TARGET, FILTER, TOWNS, CONTENT, CONFIRM, AT = range(6)
END = ConversationHandler.END
DRAFT = "broadcast"
MAX_TARGETS = 30
TRAINER = Audience.TRAINER
ID = r"\d{1,9}"


def draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    value = context.user_data.setdefault(DRAFT, {})
    assert isinstance(value, dict)
    return value


def drop_draft(context: BotContext) -> None:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)


async def discard_draft(context: BotContext) -> None:
    """The draft (if any) is dropped: its row, if it got one, is cancelled before anything was sent."""
    broadcast_id = draft(context).get("id")
    if isinstance(broadcast_id, int):
        with contextlib.suppress(DomainError):
            await context.services.broadcasts.discard(context.principal, broadcast_id)
    drop_draft(context)


async def my_cohorts(context: BotContext) -> list[CohortDTO]:
    summaries = await context.services.cohorts.summaries(context.principal)
    return [s.cohort for s in summaries if s.cohort.status is CohortStatus.ACTIVE][:MAX_TARGETS]


def target_of(context: BotContext) -> Target:
    values = draft(context)
    towns = values.get("towns")
    return Target(tuple(values.get("cohorts", [])), None if towns is None else tuple(towns), bool(values.get("absent")))


async def zone_of(context: BotContext, cohort_ids: list[int] | tuple[int, ...]) -> str:
    for cohort in await my_cohorts(context):
        if cohort.id in cohort_ids:
            return cohort.timezone
    return context.services.settings.bot_timezone
