"""The announcement being written: the conversation's states, its typed draft, the sender's cohorts."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from bot.services.access import Audience
from bot.services.broadcasts import CohortDTO, CohortStatus, Target
from bot.services.errors import DomainError
from handlers.core.context import BotContext
from handlers.core.conversation import Draft

TARGET, FILTER, TOWNS, CONTENT, CONFIRM, AT = range(6)
MAX_TARGETS = 30
TRAINER = Audience.TRAINER


@dataclass(frozen=True)
class AnnouncementDraft:
    cohort_ids: tuple[int, ...] = ()
    towns: tuple[str, ...] | None = None  # None: every town
    offered_towns: tuple[str, ...] = ()  # the towns on the buttons, by place
    only_absent: bool = False
    broadcast_id: int | None = None  # once the content is drafted

    @property
    def target(self) -> Target:
        return Target(self.cohort_ids, self.towns, self.only_absent)


DRAFT = Draft("broadcast", AnnouncementDraft)


def current(context: BotContext) -> AnnouncementDraft:
    """The draft so far (an empty one when there is none)."""
    return DRAFT.get(context) or AnnouncementDraft()


async def discard_draft(context: BotContext) -> None:
    """The draft (if any) is dropped: its row, if it got one, is cancelled before anything was sent."""
    broadcast_id = current(context).broadcast_id
    if broadcast_id is not None:
        with contextlib.suppress(DomainError):
            await context.services.broadcasts.discard(context.principal, broadcast_id)
    DRAFT.drop(context)


async def my_cohorts(context: BotContext) -> list[CohortDTO]:
    summaries = await context.services.cohorts.summaries(context.principal)
    return [s.cohort for s in summaries if s.cohort.status is CohortStatus.ACTIVE][:MAX_TARGETS]


async def zone_of(context: BotContext, cohort_ids: tuple[int, ...]) -> str:
    for cohort in await my_cohorts(context):
        if cohort.id in cohort_ids:
            return cohort.timezone
    return context.services.settings.bot_timezone
