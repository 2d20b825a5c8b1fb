"""Campaign occurrences: one post on one day marked done or skipped, its proof and its approval. Mixed into
CampaignRepository."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring, inserted
from storage.campaigns.comments import chunks
from storage.campaigns.dto import Mark, OccurrenceDTO, ProofKind
from storage.campaigns.models import CampaignOccurrence, CampaignPlan, CampaignTeammate


def _occurrence(row: CampaignOccurrence) -> OccurrenceDTO:
    return OccurrenceDTO(
        id=row.id,
        post_id=row.post_id,
        plan_id=row.plan_id,
        occurs_at=row.occurs_at,
        state=Mark(row.state),
        by_id=row.by_id,
        marked_at=row.marked_at,
        proof_kind=ProofKind(row.proof_kind) if row.proof_kind else None,
        proof=row.proof,
        proof_at=row.proof_at,
        approved_at=row.approved_at,
        approved_by=row.approved_by,
    )


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class OccurrenceQueries:
    _session: AsyncSession

    async def mark(
        self, *, post_id: int, plan_id: int, occurs_at: dt.datetime, state: Mark, by_id: int, now: dt.datetime
    ) -> bool:
        """Record done or skipped for an occurrence; False when it already had a record (the first one counts)."""
        values = {
            "post_id": post_id,
            "plan_id": plan_id,
            "occurs_at": occurs_at,
            "state": state.value,
            "by_id": by_id,
            "marked_at": now,
        }
        statement = insert_ignoring(self._session, CampaignOccurrence, ["post_id", "occurs_at"]).values(values)
        return bool(await inserted(self._session, statement))

    async def occurrence(self, post_id: int, occurs_at: dt.datetime) -> OccurrenceDTO | None:
        row = await self._session.scalar(
            select(CampaignOccurrence).where(
                CampaignOccurrence.post_id == post_id, CampaignOccurrence.occurs_at == occurs_at
            )
        )
        return _occurrence(row) if row else None

    async def occurrence_by_id(self, occurrence_id: int) -> OccurrenceDTO | None:
        row = await self._session.get(CampaignOccurrence, occurrence_id)
        return _occurrence(row) if row else None

    async def set_proof(self, occurrence_id: int, kind: ProofKind, value: str, now: dt.datetime) -> None:
        await self._session.execute(
            update(CampaignOccurrence)
            .where(CampaignOccurrence.id == occurrence_id)
            .values(proof_kind=kind.value, proof=value, proof_at=now, approved_at=None, approved_by=None)
        )

    async def approve(self, occurrence_id: int, by_id: int | None, now: dt.datetime) -> bool:
        """Approve a proof once; False when there is none or it was approved before."""
        result = await self._session.execute(
            update(CampaignOccurrence)
            .where(
                CampaignOccurrence.id == occurrence_id,
                CampaignOccurrence.proof.is_not(None),
                CampaignOccurrence.approved_at.is_(None),
            )
            .values(approved_at=now, approved_by=by_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def occurrences_of_plans(self, plan_ids: Sequence[int]) -> list[OccurrenceDTO]:
        found: list[OccurrenceDTO] = []
        for chunk in chunks(list(plan_ids)):
            rows = await self._session.scalars(
                select(CampaignOccurrence)
                .where(CampaignOccurrence.plan_id.in_(chunk))
                .order_by(CampaignOccurrence.occurs_at)
            )
            found += [_occurrence(r) for r in rows]
        return found

    async def closed(self, post_ids: Sequence[int]) -> set[tuple[int, dt.datetime]]:
        """(post id, occurrence time) of every occurrence already done or skipped."""
        found: set[tuple[int, dt.datetime]] = set()
        for chunk in chunks(list(post_ids)):
            rows = await self._session.execute(
                select(CampaignOccurrence.post_id, CampaignOccurrence.occurs_at).where(
                    CampaignOccurrence.post_id.in_(chunk)
                )
            )
            found |= {(post_id, _aware(occurs_at)) for post_id, occurs_at in rows}
        return found

    async def closed_between(self, after: dt.datetime, through: dt.datetime) -> set[tuple[int, dt.datetime]]:
        """(post id, occurrence time) of every occurrence in (after, through] already done or skipped."""
        rows = await self._session.execute(
            select(CampaignOccurrence.post_id, CampaignOccurrence.occurs_at).where(
                CampaignOccurrence.occurs_at > after, CampaignOccurrence.occurs_at <= through
            )
        )
        return {(post_id, _aware(occurs_at)) for post_id, occurs_at in rows}

    async def done_by_person(self, cohort_id: int) -> dict[int, int]:
        """Occurrences done per plan member (owner and teammates) in a cohort's plans."""
        done = (
            select(CampaignOccurrence.plan_id, func.count(CampaignOccurrence.id).label("n"))
            .where(CampaignOccurrence.state == Mark.DONE)
            .group_by(CampaignOccurrence.plan_id)
            .subquery()
        )
        counts: dict[int, int] = defaultdict(int)
        owners = await self._session.execute(
            select(CampaignPlan.owner_id, done.c.n)
            .join(done, done.c.plan_id == CampaignPlan.id)
            .where(CampaignPlan.cohort_id == cohort_id)
        )
        for person_id, n in owners:
            counts[person_id] += int(n)
        mates = await self._session.execute(
            select(CampaignTeammate.person_id, done.c.n)
            .join(CampaignPlan, CampaignPlan.id == CampaignTeammate.plan_id)
            .join(done, done.c.plan_id == CampaignPlan.id)
            .where(CampaignPlan.cohort_id == cohort_id)
        )
        for person_id, n in mates:
            counts[person_id] += int(n)
        return dict(counts)
