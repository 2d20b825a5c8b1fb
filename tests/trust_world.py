"""A small organisation for the trust-boundary tests: two cohorts, someone in each role, a session about to start,
and a fingerprint of every table to prove that a refused action changed nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from storage.dto import Role
from storage.models import Base
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness, make_settings
from tests.fake_telegram import FakeTelegram, Limits


class Who(StrEnum):
    STRANGER = "stranger"
    TRAINEE = "trainee"
    OTHER_TRAINEE = "trainee of another cohort"
    OTHER_TRAINER = "trainer of another cohort"
    TRAINER = "trainer"
    COORDINATOR = "coordinator"


IDS = {
    Who.STRANGER: 7199,
    Who.TRAINEE: 7101,
    Who.OTHER_TRAINEE: 7102,
    Who.OTHER_TRAINER: 7103,
    Who.TRAINER: 7104,
    Who.COORDINATOR: COORDINATOR_ID,
}
# Tables that change without anyone acting: PTB's saved conversation state.
VOLATILE = frozenset({"bot_state", "alembic_version"})


@dataclass(frozen=True, slots=True)
class World:
    alpha: int  # the cohort of TRAINEE and TRAINER
    beta: int  # the cohort of OTHER_TRAINEE and OTHER_TRAINER
    gamma: int  # a cohort nobody is in (ended by the coordinator in the matrix)
    alpha_session: int
    beta_session: int
    alpha_invite: int
    trainee_person: int
    alpha_plan: int  # TRAINEE's campaign plan
    alpha_broadcast: int  # TRAINER's announcement to Alpha (a draft)


async def build_world(db: Database) -> World:
    now = dt.datetime.now(dt.UTC)
    async with db.unit_of_work() as uow:
        cohorts = []
        for name in ("Alpha", "Beta", "Gamma"):
            cohort = await uow.cohorts.add(
                name=name,
                name_key=name.lower(),
                timezone="Asia/Baghdad",
                start_date=now.date(),
                lesson_time=dt.time(18, 30),
                now=now,
            )
            cohorts.append(cohort.id)
        alpha, beta, gamma = cohorts
        invite = await uow.invites.add(
            token="alpha-invite-token-0001", cohort_id=alpha, role=Role.TRAINEE, expires_at=None, max_uses=None, now=now
        )
        persons: dict[Who, int] = {}
        memberships = {
            Who.TRAINEE: (alpha, Role.TRAINEE),
            Who.OTHER_TRAINEE: (beta, Role.TRAINEE),
            Who.OTHER_TRAINER: (beta, Role.TRAINER),
            Who.TRAINER: (alpha, Role.TRAINER),
        }
        for who, (cohort_id, role) in memberships.items():
            person = await uow.people.add(IDS[who], now, "en")
            await uow.people.register(
                person.id,
                full_name=f"{who.value.title()} Person",
                name_key=f"{who.value} person",
                town="هيت",
                locale="en",
                consent_at=now,
            )
            await uow.memberships.add(person.id, cohort_id, role, now)
            persons[who] = person.id
        sessions = []
        for cohort_id in (alpha, beta):
            session = await uow.sessions.add(
                cohort_id=cohort_id,
                title="Opening",
                place="Baghdad",
                starts_at=now + dt.timedelta(minutes=30),
                created_by=None,
                now=now,
            )
            sessions.append(session.id)
        plan = await uow.campaigns.add_plan(
            owner_id=persons[Who.TRAINEE],
            cohort_id=alpha,
            now=now,
            problem="Few young voters",
            goal="More registrations",
            target_metric="signups",
            target_count=100,
            audience="Students in Hit",
            platforms=["fb"],
        )
        broadcast = await uow.broadcasts.add(
            sender_id=persons[Who.TRAINER],
            source_chat_id=IDS[Who.TRAINER],
            source_message_id=1,
            content="text",
            text="Meeting moved",
            cohort_ids=[alpha],
            towns=None,
            only_absent=False,
            recipients=1,
            now=now,
        )
        await uow.commit()
    return World(alpha, beta, gamma, sessions[0], sessions[1], invite.id, persons[Who.TRAINEE], plan.id, broadcast.id)


async def fingerprint(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (but the volatile ones), in a stable order."""
    rows: dict[str, list[tuple[object, ...]]] = {}
    async with db.reading() as uow:
        for table in Base.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            result = await uow.session.execute(select(table))
            rows[table.name] = sorted((tuple(map(repr, row)) for row in result), key=repr)
    return rows


def changed_tables(
    before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]]
) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


@asynccontextmanager
async def world_bot(database_url: str, **settings: object) -> AsyncIterator[tuple[BotHarness, World]]:
    """The real bot in this world, against a fake Telegram without flood limits."""
    server = FakeTelegram(limits=Limits(enabled=False))
    await server.start()
    harness = BotHarness(server, make_settings(database_url, server, **settings))
    await harness.start()
    try:
        yield harness, await build_world(harness.db)
    finally:
        await harness.stop()
        await server.stop()
