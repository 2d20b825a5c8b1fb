"""Memberships: who is a trainee or trainer of which cohort."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.dto import MembershipDTO, PersonDTO, PersonStatus, Recipient, Role
from storage.models import Membership, Person
from storage.people.persons import person_dto


def _membership(row: Membership) -> MembershipDTO:
    return MembershipDTO(
        id=row.id,
        person_id=row.person_id,
        cohort_id=row.cohort_id,
        role=Role(row.role),
        joined_at=row.joined_at,
    )


class MembershipRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, person_id: int, cohort_id: int, role: Role, now: dt.datetime) -> MembershipDTO:
        row = Membership(person_id=person_id, cohort_id=cohort_id, role=role, joined_at=now)
        self._session.add(row)
        await self._session.flush()
        return _membership(row)

    async def get(self, person_id: int, cohort_id: int) -> MembershipDTO | None:
        row = await self._session.scalar(
            select(Membership).where(Membership.person_id == person_id, Membership.cohort_id == cohort_id)
        )
        return _membership(row) if row else None

    async def for_person(self, person_id: int) -> list[MembershipDTO]:
        rows = await self._session.scalars(
            select(Membership).where(Membership.person_id == person_id).order_by(Membership.joined_at)
        )
        return [_membership(r) for r in rows]

    async def set_role(self, membership_id: int, role: Role) -> None:
        await self._session.execute(update(Membership).where(Membership.id == membership_id).values(role=role))

    async def members(self, cohort_id: int, role: Role | None = None) -> list[tuple[MembershipDTO, PersonDTO]]:
        query = (
            select(Membership, Person)
            .join(Person, Person.id == Membership.person_id)
            .where(Membership.cohort_id == cohort_id)
            .order_by(Person.name_key, Person.id)
        )
        if role is not None:
            query = query.where(Membership.role == role)
        rows = await self._session.execute(query)
        return [(_membership(m), person_dto(p)) for m, p in rows]

    async def recipients(
        self, cohort_id: int, role: Role = Role.TRAINEE, *, include_blocked: bool = False
    ) -> list[Recipient]:
        """Registered members of a cohort: whom scheduled messages go to (reachable ones, unless asked)."""
        statuses = [PersonStatus.ACTIVE, PersonStatus.BLOCKED] if include_blocked else [PersonStatus.ACTIVE]
        rows = await self._session.execute(
            select(Person.id, Person.telegram_id, Membership.joined_at, Person.town, Person.status)
            .join(Membership, Membership.person_id == Person.id)
            .where(
                Membership.cohort_id == cohort_id,
                Membership.role == role,
                Person.status.in_(statuses),
                Person.consent_at.is_not(None),
            )
            .order_by(Person.id)
        )
        return [
            Recipient(person_id, telegram_id, joined_at, town, PersonStatus(status))
            for person_id, telegram_id, joined_at, town, status in rows
        ]

    async def trainer_telegram_ids(self) -> list[int]:
        rows = await self._session.scalars(
            select(Person.telegram_id)
            .join(Membership, Membership.person_id == Person.id)
            .where(Membership.role == Role.TRAINER)
            .distinct()
        )
        return list(rows)

    async def trained_by(self, person_id: int) -> frozenset[int]:
        """The cohorts this person trains, their membership rows share-locked until commit (PostgreSQL; SQLite has
        one writer anyway): removing one waits for the act it authorised (`bot.services.access`)."""
        rows = await self._session.scalars(
            select(Membership.cohort_id)
            .where(Membership.person_id == person_id, Membership.role == Role.TRAINER)
            .with_for_update(read=True)
        )
        return frozenset(rows)
