"""People: one row per Telegram id, bare until registration (consent) fills in the name and town."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.atomic import insert_ignoring
from storage.dto import PersonDTO, PersonStatus
from storage.models import Person


def person_dto(row: Person) -> PersonDTO:
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


class PeopleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> PersonDTO | None:
        row = await self._session.scalar(select(Person).where(Person.telegram_id == telegram_id))
        return person_dto(row) if row else None

    async def by_id(self, person_id: int) -> PersonDTO | None:
        row = await self._session.get(Person, person_id)
        return person_dto(row) if row else None

    async def lock(self, telegram_id: int) -> PersonDTO | None:
        """The person, row-locked until commit (PostgreSQL; SQLite has one writer anyway): serialises one
        person's concurrent updates, such as two quiz answers arriving together or two wrong check-in codes."""
        row = await self._session.scalar(
            select(Person)
            .where(Person.telegram_id == telegram_id)
            .with_for_update(key_share=True)
            .execution_options(populate_existing=True)
        )
        return person_dto(row) if row else None

    async def add(self, telegram_id: int, now: dt.datetime, locale: str | None = None) -> PersonDTO:
        row = Person(telegram_id=telegram_id, locale=locale, status=PersonStatus.ACTIVE, created_at=now)
        self._session.add(row)
        await self._session.flush()
        return person_dto(row)

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
