"""Data for the attendance benchmarks: fresh databases, the bot's settings, and a seeded cohort (bulk inserts)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from sqlalchemy import insert, select

from bench.common import BenchTelegram
from bot.services.access import OPERATOR, Principal
from bot.services.people import CohortService
from bot.settings import Settings, load_settings
from storage.attendance.models import AttendanceChange, AttendanceRecord
from storage.dto import Role
from storage.models import Membership, Person
from storage.uow import Database
from tests.conftest import reset_postgres

COORDINATOR_ID = 1000
FIRST_ID = 5_000_000
TOWNS = ("هيت", "الرمادي", "الفلوجة", "ديالى", "بغداد")
STATUSES = ("present",) * 14 + ("late",) * 2 + ("excused", "absent", None, None)  # 70 / 10 / 5 / 5 / 10 %
CHUNK = 2000
COORDINATOR = Principal(telegram_id=COORDINATOR_ID, locale="ar", is_coordinator=True)


async def fresh_url(url: str | None, tmp: Path, name: str) -> str:
    if url is None:
        return f"sqlite+aiosqlite:///{tmp / name}"
    await reset_postgres(url)
    return url


def settings_for(url: str, tmp: Path, fake: BenchTelegram | None = None) -> Settings:
    values: dict[str, object] = {
        "database_url": url,
        "telegram_bot_token": fake.token if fake else "1:bench",
        "bot_coordinators": (COORDINATOR_ID,),
        "bot_heartbeat_file": tmp / "heartbeat",
        "curriculum_dir": tmp / "no-curricula",
        "_env_file": None,
    }
    if fake is not None:
        values |= {"telegram_api_base_url": fake.base_url, "telegram_api_base_file_url": fake.base_file_url}
    return load_settings(**values)


async def seed(db: Database, name: str, trainees: int, sessions: int, now: dt.datetime) -> int:
    """A cohort with `trainees` registered trainees and `sessions` held sessions (one a day before now)."""
    cohort = (
        await CohortService(db).create(
            OPERATOR, name=name, start_date=dt.date(2026, 1, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
        )
    ).cohort
    joined = now - dt.timedelta(days=sessions + 10)
    people = [
        {
            "telegram_id": FIRST_ID + i,
            "full_name": f"متدرب {i}",
            "name_key": f"متدرب {i:05d}",
            "locale": "ar",
            "town": TOWNS[i % len(TOWNS)],
            "consent_at": joined,
            "status": "active",
            "created_at": joined,
        }
        for i in range(trainees)
    ]
    rng = random.Random(42)
    async with db.unit_of_work() as uow:
        for start in range(0, len(people), CHUNK):
            await uow.session.execute(insert(Person), people[start : start + CHUNK])
        ids = list(
            await uow.session.scalars(
                select(Person.id).where(Person.telegram_id >= FIRST_ID).order_by(Person.telegram_id)
            )
        )
        members = [
            {"person_id": i, "cohort_id": cohort.id, "role": Role.TRAINEE.value, "joined_at": joined} for i in ids
        ]
        await uow.session.execute(insert(Membership), members)
        for number in range(sessions):
            starts = now - dt.timedelta(days=sessions - number)
            session = await uow.sessions.add(
                cohort_id=cohort.id,
                title=f"الجلسة {number + 1}",
                place="قاعة",
                starts_at=starts,
                created_by=None,
                now=now,
            )
            await uow.sessions.mark_roll_taken(session.id, starts + dt.timedelta(hours=1))
            records, changes = [], []
            for person in ids:
                status = rng.choice(STATUSES)
                if status is None:
                    continue
                at = starts + dt.timedelta(minutes=rng.randint(0, 30))
                source = "checkin" if status in ("present", "late") else "roll"
                records.append({"session_id": session.id, "person_id": person, "status": status, "source": source,
                                "checked_in_at": at if source == "checkin" else None, "updated_at": at})  # fmt: skip
                changes.append({"session_id": session.id, "person_id": person, "changed_by": person, "changed_at": at,
                                "before": None, "after": status, "source": source, "note": None})  # fmt: skip
            for start in range(0, len(records), CHUNK):
                await uow.session.execute(insert(AttendanceRecord), records[start : start + CHUNK])
                await uow.session.execute(insert(AttendanceChange), changes[start : start + CHUNK])
        await uow.commit()
    return cohort.id
