"""Repositories: queries in, dataclasses out. They flush but never commit (the unit of work does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import AlreadyExists, insert_ignoring, inserted
from storage.dto import (
    CohortDTO,
    CohortStatus,
    CohortSummary,
    InviteDTO,
    MembershipDTO,
    PersonDTO,
    PersonStatus,
    Recipient,
    Role,
)
from storage.models import BotState, Cohort, Coordinator, Invite, Membership, Person


def _person(row: Person) -> PersonDTO:
    return PersonDTO(
        id=row.id,
        telegram_id=row.telegram_id,
        full_name=row.full_name,
        locale=row.locale,
        town=row.town,
        consent_at=row.consent_at,
        status=PersonStatus(row.status),
        created_at=row.created_at,
    )


def _cohort(row: Cohort) -> CohortDTO:
    return CohortDTO(
        id=row.id,
        name=row.name,
        timezone=row.timezone,
        start_date=row.start_date,
        lesson_time=row.lesson_time,
        status=CohortStatus(row.status),
        created_at=row.created_at,
        curriculum_id=row.curriculum_id,
        rest_days=parse_weekdays(row.rest_days),
        observe_holidays=bool(row.observe_holidays),
        nudge_time=row.nudge_time,
        lessons_planned=row.lessons_planned or 0,
    )


def parse_weekdays(text: str | None) -> frozenset[int]:
    """ "5,6" → {5, 6}: ISO weekdays as stored in cohorts.rest_days."""
    return frozenset(int(part) for part in (text or "").split(",") if part.strip().isdigit())


def format_weekdays(days: frozenset[int] | set[int]) -> str:
    return ",".join(str(day) for day in sorted(days))


def _membership(row: Membership) -> MembershipDTO:
    return MembershipDTO(
        id=row.id,
        person_id=row.person_id,
        cohort_id=row.cohort_id,
        role=Role(row.role),
        joined_at=row.joined_at,
    )


def _invite(row: Invite) -> InviteDTO:
    return InviteDTO(
        id=row.id,
        token=row.token,
        cohort_id=row.cohort_id,
        role=Role(row.role),
        expires_at=row.expires_at,
        max_uses=row.max_uses,
        uses=row.uses,
        revoked_at=row.revoked_at,
        created_at=row.created_at,
    )


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> PersonDTO | None:
        row = await self._session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        return _person(row) if row else None

    async def by_id(self, person_id: int) -> PersonDTO | None:
        row = await self._session.get(Person, person_id)
        return _person(row) if row else None

    async def lock(self, telegram_id: int) -> PersonDTO | None:
        """The person, row-locked until commit (PostgreSQL; SQLite has one writer anyway): serialises one
        person's concurrent updates, such as two quiz answers arriving together or two wrong check-in codes."""
        row = await self._session.scalar(
            select(Person)
            .where(Person.telegram_id == telegram_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return _person(row) if row else None

    async def add(self, telegram_id: int, now: dt.datetime, locale: str | None = None) -> PersonDTO:
        row = Person(telegram_id=telegram_id, locale=locale, status=PersonStatus.ACTIVE, created_at=now)
        self._session.add(row)
        await self._session.flush()
        return _person(row)

    async def ensure(
        self, telegram_id: int, now: dt.datetime, locale: str | None = None, *, lock: bool = False
    ) -> PersonDTO:
        """The person, added first (a bare row: the id and the language) when unknown; two first messages at once
        make one row. With `lock`, row-locked until commit like `lock`."""
        find = self.lock if lock else self.by_telegram_id
        person = await find(telegram_id)
        if person is None:  # the insert waits for anyone inserting the same id at the same moment
            await self._session.execute(
                insert_ignoring(self._session, Person, ["telegram_id"]).values(
                    telegram_id=telegram_id, locale=locale, status=PersonStatus.ACTIVE.value, created_at=now
                )
            )
            person = await find(telegram_id)
        assert person is not None
        return person

    async def register(
        self,
        person_id: int,
        *,
        full_name: str,
        name_key: str,
        town: str,
        locale: str,
        consent_at: dt.datetime,
    ) -> None:
        await self._session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(
                full_name=full_name,
                name_key=name_key,
                town=town,
                locale=locale,
                consent_at=consent_at,
                status=PersonStatus.ACTIVE,
            )
        )

    async def set_locale(self, person_id: int, locale: str) -> None:
        await self._session.execute(update(Person).where(Person.id == person_id).values(locale=locale))

    async def set_status(self, telegram_id: int, status: PersonStatus) -> bool:
        result = await self._session.execute(
            update(Person).where(Person.telegram_id == telegram_id).values(status=status)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, person_id: int) -> None:
        await self._session.execute(delete(Person).where(Person.id == person_id))


class CohortRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        name: str,
        name_key: str,
        timezone: str,
        start_date: dt.date,
        lesson_time: dt.time,
        now: dt.datetime,
        curriculum_id: int | None = None,
        rest_days: frozenset[int] = frozenset({5}),
        observe_holidays: bool = True,
        nudge_time: dt.time | None = None,
    ) -> CohortDTO:
        """A new cohort; AlreadyExists when the name (its normalised key) is taken, also at the same moment."""
        statement = (
            insert_ignoring(self._session, Cohort, ["name_key"])
            .values(
                name=name,
                name_key=name_key,
                timezone=timezone,
                start_date=start_date,
                lesson_time=lesson_time,
                status=CohortStatus.ACTIVE.value,
                created_at=now,
                curriculum_id=curriculum_id,
                rest_days=format_weekdays(rest_days),
                observe_holidays=observe_holidays,
                nudge_time=nudge_time,
                lessons_planned=0,
            )
            .returning(Cohort.id)
        )
        cohort_id = await self._session.scalar(statement)
        if cohort_id is None:
            raise AlreadyExists(name_key)
        row = await self._session.get(Cohort, cohort_id)
        assert row is not None
        return _cohort(row)

    async def by_id(self, cohort_id: int) -> CohortDTO | None:
        row = await self._session.get(Cohort, cohort_id)
        return _cohort(row) if row else None

    async def lock(self, cohort_id: int) -> CohortDTO | None:
        """The cohort, row-locked until commit (see `storage.atomic`): serialises adding its sessions."""
        row = await self._session.scalar(
            select(Cohort)
            .where(Cohort.id == cohort_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return _cohort(row) if row else None

    async def by_name_key(self, name_key: str) -> CohortDTO | None:
        row = await self._session.scalar(select(Cohort).where(Cohort.name_key == name_key))
        return _cohort(row) if row else None

    async def by_ids(self, cohort_ids: Sequence[int]) -> list[CohortDTO]:
        if not cohort_ids:
            return []
        rows = await self._session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)).order_by(Cohort.id))
        return [_cohort(r) for r in rows]

    async def summaries(self, cohort_ids: Sequence[int] | None = None) -> list[CohortSummary]:
        """Cohorts with member counts per role; all cohorts when `cohort_ids` is None."""
        trainees = func.count(Membership.id).filter(Membership.role == Role.TRAINEE)
        trainers = func.count(Membership.id).filter(Membership.role == Role.TRAINER)
        query = (
            select(Cohort, trainees, trainers)
            .outerjoin(Membership, Membership.cohort_id == Cohort.id)
            .group_by(Cohort.id)
            .order_by(Cohort.start_date.desc(), Cohort.id.desc())
        )
        if cohort_ids is not None:
            query = query.where(Cohort.id.in_(cohort_ids))
        rows = await self._session.execute(query)
        return [CohortSummary(_cohort(c), int(n_trainees), int(n_trainers)) for c, n_trainees, n_trainers in rows]

    async def set_status(self, cohort_id: int, status: CohortStatus) -> None:
        await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(status=status))

    async def active(self) -> list[CohortDTO]:
        rows = await self._session.scalars(
            select(Cohort).where(Cohort.status == CohortStatus.ACTIVE).order_by(Cohort.id)
        )
        return [_cohort(r) for r in rows]

    async def set_curriculum(self, cohort_id: int, curriculum_id: int | None) -> None:
        await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(curriculum_id=curriculum_id))

    async def set_schedule(
        self,
        cohort_id: int,
        *,
        rest_days: frozenset[int] | None = None,
        observe_holidays: bool | None = None,
        nudge_time: dt.time | None = None,
        lesson_time: dt.time | None = None,
        start_date: dt.date | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if start_date is not None:
            values["start_date"] = start_date
        if rest_days is not None:
            values["rest_days"] = format_weekdays(rest_days)
        if observe_holidays is not None:
            values["observe_holidays"] = observe_holidays
        if nudge_time is not None:
            values["nudge_time"] = nudge_time
        if lesson_time is not None:
            values["lesson_time"] = lesson_time
        if values:
            await self._session.execute(update(Cohort).where(Cohort.id == cohort_id).values(**values))

    async def advance_planned(self, cohort_id: int, planned: int) -> bool:
        """Move the planner's bookmark forward (never back); False if another planner got there first."""
        result = await self._session.execute(
            update(Cohort)
            .where(Cohort.id == cohort_id, Cohort.lessons_planned < planned)
            .values(lessons_planned=planned)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


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
        return [(_membership(m), _person(p)) for m, p in rows]

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


class CoordinatorRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_coordinator(self, telegram_id: int) -> bool:
        return await self._session.get(Coordinator, telegram_id) is not None

    async def granted_at(self, telegram_id: int) -> dt.datetime | None:
        row = await self._session.get(Coordinator, telegram_id)
        return row.granted_at if row else None

    async def grant(self, telegram_id: int, now: dt.datetime) -> bool:
        """Grant the role; False when it was already held (also when granted by someone else at the same moment)."""
        statement = insert_ignoring(self._session, Coordinator, ["telegram_id"]).values(
            telegram_id=telegram_id, granted_at=now
        )
        return bool(await inserted(self._session, statement))

    async def revoke(self, telegram_id: int) -> bool:
        result = await self._session.execute(delete(Coordinator).where(Coordinator.telegram_id == telegram_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def lock_all(self) -> list[int]:
        """Every coordinator, row-locked until commit: two revokes counting at once cannot both see two left (the
        one that waited reads again and no longer sees the row the other deleted)."""
        rows = await self._session.scalars(
            select(Coordinator.telegram_id).order_by(Coordinator.telegram_id).with_for_update()
        )
        return list(rows)

    async def all_ids(self) -> list[int]:
        rows = await self._session.scalars(select(Coordinator.telegram_id).order_by(Coordinator.telegram_id))
        return list(rows)

    async def holds(self, telegram_id: int) -> bool:
        """Whether they are a coordinator, the row share-locked until commit (PostgreSQL; SQLite has one writer
        anyway): a revoke waits for the act it authorised (`bot.services.access`)."""
        found = await self._session.scalar(
            select(Coordinator.telegram_id).where(Coordinator.telegram_id == telegram_id).with_for_update(read=True)
        )
        return found is not None


class InviteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        token: str,
        cohort_id: int,
        role: Role,
        expires_at: dt.datetime | None,
        max_uses: int | None,
        now: dt.datetime,
    ) -> InviteDTO:
        row = Invite(
            token=token,
            cohort_id=cohort_id,
            role=role,
            expires_at=expires_at,
            max_uses=max_uses,
            uses=0,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _invite(row)

    async def by_token(self, token: str) -> InviteDTO | None:
        row = await self._session.scalar(select(Invite).where(Invite.token == token))
        return _invite(row) if row else None

    async def by_id(self, invite_id: int) -> InviteDTO | None:
        row = await self._session.get(Invite, invite_id)
        return _invite(row) if row else None

    async def for_cohort(self, cohort_id: int) -> list[InviteDTO]:
        rows = await self._session.scalars(
            select(Invite).where(Invite.cohort_id == cohort_id).order_by(Invite.created_at.desc())
        )
        return [_invite(r) for r in rows]

    async def use(self, invite_id: int) -> bool:
        """Count one use, atomically refusing when the cap is reached; False when it was."""
        result = await self._session.execute(
            update(Invite)
            .where(Invite.id == invite_id, (Invite.max_uses.is_(None)) | (Invite.uses < Invite.max_uses))
            .values(uses=Invite.uses + 1)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke(self, invite_id: int, now: dt.datetime) -> None:
        await self._session.execute(
            update(Invite).where(Invite.id == invite_id, Invite.revoked_at.is_(None)).values(revoked_at=now)
        )


class BotStateRepository:
    """Key-value JSON texts by namespace; used by the conversation persistence and small bot metadata."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, namespace: str) -> dict[str, str]:
        rows = await self._session.execute(select(BotState.key, BotState.data).where(BotState.namespace == namespace))
        return {key: data for key, data in rows}

    async def get(self, namespace: str, key: str) -> str | None:
        row = await self._session.get(BotState, (namespace, key))
        return row.data if row else None

    async def put(self, namespace: str, key: str, data: str) -> None:
        """Insert or replace (two writers of one key at once: the later one's data stays)."""
        new = insert_ignoring(self._session, BotState, ["namespace", "key"]).values(
            namespace=namespace, key=key, data=data
        )
        if not await inserted(self._session, new):
            await self._session.execute(
                update(BotState).where(BotState.namespace == namespace, BotState.key == key).values(data=data)
            )

    async def remove(self, namespace: str, key: str) -> None:
        await self._session.execute(delete(BotState).where(BotState.namespace == namespace, BotState.key == key))

    async def remove_key_everywhere(self, namespace_prefix: str, key: str) -> None:
        """Remove one key from every namespace that starts with the prefix (all conversations)."""
        await self._session.execute(
            delete(BotState).where(BotState.namespace.startswith(namespace_prefix), BotState.key == key)
        )
