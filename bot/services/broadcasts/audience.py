"""Who an announcement goes to: the registered trainees of the target cohorts, filtered by town and attendance."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.services.access import Actor, Authority, require_managers
from bot.services.errors import DomainError, Problem
from storage.dto import CohortStatus, Recipient
from storage.uow import UnitOfWork

# Absent from the last session, per cohort: person ids, or None when the cohort has had no session yet.
AbsentLookup = Callable[[int], Awaitable[frozenset[int] | None]]
Absentees = dict[int, frozenset[int] | None]


@dataclass(frozen=True, slots=True)
class Target:
    cohort_ids: tuple[int, ...]
    towns: tuple[str, ...] | None = None  # None: every town
    only_absent: bool = False


async def check_cohorts(uow: UnitOfWork, actor: Actor, cohort_ids: Sequence[int]) -> Authority:
    """The actor manages every one of these cohorts now (read in the caller's unit of work)."""
    if not cohort_ids:
        raise DomainError(Problem.NO_RECIPIENTS)
    return await require_managers(uow, actor, cohort_ids)


async def absentees(absent: AbsentLookup | None, target: Target) -> Absentees:
    """Per cohort, who missed its last session (asked before any unit of work opens: never nest them)."""
    if not target.only_absent or absent is None:
        return {}
    return {cohort_id: await absent(cohort_id) for cohort_id in target.cohort_ids}


async def recipients(uow: UnitOfWork, target: Target, absent_by_cohort: Absentees) -> list[Recipient]:
    """Registered trainees of the target cohorts (once each), filtered by town and attendance."""
    chosen: dict[int, Recipient] = {}
    for cohort_id in target.cohort_ids:
        cohort = await uow.cohorts.by_id(cohort_id)
        if cohort is None or cohort.status is not CohortStatus.ACTIVE:
            continue
        absent = absent_by_cohort.get(cohort_id)
        for recipient in await uow.memberships.recipients(cohort_id, include_blocked=True):
            if target.towns is not None and recipient.town not in target.towns:
                continue
            if target.only_absent and (absent is None or recipient.person_id not in absent):
                continue
            chosen.setdefault(recipient.person_id, recipient)
    return list(chosen.values())
