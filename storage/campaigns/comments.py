"""Campaign queries beyond plans and posts: trainers' comments, the people reminders go to, and reminder rows in the
outbox (closed by prefix when a post is done, skipped or deleted). Mixed into CampaignRepository."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.campaigns.dto import CommentDTO, Reachable
from storage.campaigns.models import CampaignComment, CampaignOccurrence
from storage.dto import DeliveryState, PersonStatus
from storage.models import Delivery, Person

CHUNK = 500  # ids per IN (...) list: far below SQLite's bound-parameter limit


def chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _comment(row: CampaignComment) -> CommentDTO:
    return CommentDTO(row.id, row.plan_id, row.author_id, row.text, row.created_at)


class CommentsAndPeople:
    _session: AsyncSession

    # ---------------------------------------------------------------------------------------- comments

    async def add_comment(self, plan_id: int, author_id: int | None, text: str, now: dt.datetime) -> CommentDTO:
        row = CampaignComment(plan_id=plan_id, author_id=author_id, text=text, created_at=now)
        self._session.add(row)
        await self._session.flush()
        return _comment(row)

    async def comment(self, comment_id: int) -> CommentDTO | None:
        row = await self._session.get(CampaignComment, comment_id)
        return _comment(row) if row else None

    async def comments(self, plan_ids: Sequence[int]) -> list[CommentDTO]:
        found: list[CommentDTO] = []
        for chunk in chunks(list(plan_ids)):
            rows = await self._session.scalars(
                select(CampaignComment).where(CampaignComment.plan_id.in_(chunk)).order_by(CampaignComment.id)
            )
            found += [_comment(r) for r in rows]
        return found

    async def forget_person(self, person_id: int) -> None:
        """Someone asked to be forgotten (before their person row goes; their own plans go with it). On other
        people's plans their done/skip marks stay as anonymous counts, without the proof (a link, or a screenshot's
        file id) they sent; approvals and comments they made lose their author."""
        await self._session.execute(
            update(CampaignOccurrence)
            .where(CampaignOccurrence.by_id == person_id)
            .values(by_id=None, proof_kind=None, proof=None, proof_at=None, approved_at=None, approved_by=None)
        )
        await self._session.execute(
            update(CampaignOccurrence).where(CampaignOccurrence.approved_by == person_id).values(approved_by=None)
        )
        await self._session.execute(
            update(CampaignComment).where(CampaignComment.author_id == person_id).values(author_id=None)
        )

    async def comments_written(self, person_id: int) -> list[CommentDTO]:
        rows = await self._session.scalars(
            select(CampaignComment).where(CampaignComment.author_id == person_id).order_by(CampaignComment.id)
        )
        return [_comment(r) for r in rows]

    # ------------------------------------------------------------------------------- people, reminders

    async def reachable(self, person_ids: Sequence[int]) -> dict[int, Reachable]:
        """Registered, unblocked people among these ids."""
        found: dict[int, Reachable] = {}
        for chunk in chunks(sorted(set(person_ids))):
            rows = await self._session.execute(
                select(Person.id, Person.telegram_id).where(
                    Person.id.in_(chunk), Person.status == PersonStatus.ACTIVE, Person.consent_at.is_not(None)
                )
            )
            found |= {person_id: Reachable(person_id, telegram_id) for person_id, telegram_id in rows}
        return found

    async def names(self, person_ids: Sequence[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for chunk in chunks(sorted(set(person_ids))):
            rows = await self._session.execute(select(Person.id, Person.full_name).where(Person.id.in_(chunk)))
            found |= {person_id: full_name or "?" for person_id, full_name in rows}
        return found

    async def close_reminders(
        self, key_prefix: str, reason: str, now: dt.datetime, *, person_id: int | None = None
    ) -> int:
        """Pending reminder rows whose key starts with the prefix are recorded as skipped (done, changed …)."""
        query = (
            update(Delivery)
            .where(Delivery.state == DeliveryState.PENDING, Delivery.key.startswith(key_prefix, autoescape=True))
            .values(state=DeliveryState.SKIPPED, reason=reason, updated_at=now)
        )
        if person_id is not None:
            query = query.where(Delivery.person_id == person_id)
        result = await self._session.execute(query)
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def count_keys(self, key_prefix: str) -> int:
        count = await self._session.scalar(
            select(func.count(Delivery.id)).where(Delivery.key.startswith(key_prefix, autoescape=True))
        )
        return int(count or 0)
