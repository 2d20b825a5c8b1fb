"""Many registered trainees at once, written straight to the database (for delivery tests and benchmarks).

Registration itself is tested end to end elsewhere; what these people are for is receiving messages.
"""

from __future__ import annotations

import datetime as dt

from storage.dto import Role
from storage.uow import Database

TOWNS = ("هيت", "الرمادي", "الفلوجة", "ديالى", "بغداد")


async def enrol(
    db: Database,
    cohort_id: int,
    first_id: int,
    count: int,
    *,
    joined: dt.datetime,
    locale: str = "ar",
    role: Role = Role.TRAINEE,
) -> list[int]:
    """`count` consenting trainees with Telegram ids first_id, first_id + 1, …; returns the ids."""
    ids = list(range(first_id, first_id + count))
    async with db.unit_of_work() as uow:
        for index, telegram_id in enumerate(ids):
            person = await uow.people.add(telegram_id, joined, locale)
            await uow.people.register(
                person.id,
                full_name=f"Trainee {telegram_id}",
                name_key=f"trainee {telegram_id}",
                town=TOWNS[index % len(TOWNS)],
                locale=locale,
                consent_at=joined,
            )
            await uow.memberships.add(person.id, cohort_id, role, joined)
        await uow.commit()
    return ids


async def add_trainer(db: Database, telegram_id: int, *cohort_ids: int, joined: dt.datetime) -> int:
    """A registered person who trains these cohorts (services read the role from the database); their person id."""
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
        if person is None:
            person = await uow.people.add(telegram_id, joined, "en")
            await uow.people.register(
                person.id,
                full_name=f"Trainer {telegram_id}",
                name_key=f"trainer {telegram_id}",
                town=TOWNS[0],
                locale="en",
                consent_at=joined,
            )
        for cohort_id in cohort_ids:
            await uow.memberships.add(person.id, cohort_id, Role.TRAINER, joined)
        await uow.commit()
    return person.id
