"""Defence in depth: every privileged service operation checks who acts against the database itself, so a handler that
forgets a check (or holds a Principal resolved before a role was removed) still cannot act.

For each operation: a stranger, a trainee, a trainer of another cohort, a trainer removed from the cohort after their
Principal was resolved and a coordinator revoked likewise are refused with NOT_ALLOWED and no row of any table
changes; then the allowed person succeeds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select

import storage.attendance.models
import storage.campaigns.models  # noqa: F401
from bot.app import build_services
from bot.context import Services
from bot.services.access import (
    OPERATOR,
    Actor,
    Principal,
    require_coordinator,
    require_manager,
    resolve_principal,
)
from bot.services.broadcasts import Target
from bot.services.campaigns.rules import PlanFields, PostFields
from bot.services.errors import DomainError, Problem
from storage.attendance.dto import AttendanceStatus
from storage.broadcasts import BroadcastState
from storage.campaigns.dto import Mark, PostKind, ProofKind
from storage.dto import CohortStatus, Role
from storage.models import Base, Membership
from storage.uow import Database, UnitOfWork
from tests.conftest import COORDINATOR_ID, make_settings
from tests.crowd import add_trainer, enrol
from tests.curriculum_samples import sample

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)  # 15:00 in Baghdad
PLAN = PlanFields("Rubbish in Hit", "Bins in the market", "followers", 500, None, "Youth of Hit", ("fb", "ig"), "#x")
TRAINEE, TRAINEE_OF_B, TRAINER, OTHER_TRAINER, REMOVED_TRAINER = 8001, 8101, 8201, 8301, 8401
REVOKED_COORDINATOR, SECOND_COORDINATOR, STRANGER = 8501, 8601, 8701


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


@dataclass
class World:
    db: Database
    s: Services
    clock: Clock
    folder: Path
    a: int  # the cohort everything below belongs to
    b: int  # another cohort
    session: int  # of A, starting now, its check-in open
    later_session: int  # of A, in an hour, no check-in yet
    checkin: int
    invite: int
    draft: int  # a broadcast to A drafted by TRAINER
    sending: int  # a broadcast to A confirmed by TRAINER
    plan: int  # TRAINEE's campaign plan in A
    proof: int  # an occurrence of it marked done with a proof
    trainee_person: int
    actors: dict[str, Principal]


async def principal(db: Database, telegram_id: int) -> Principal:
    """What access control would have resolved at the start of an update."""
    async with db.reading() as uow:
        return await resolve_principal(uow, telegram_id, "en", "en")


@pytest.fixture
async def world(db: Database, tmp_path: Path) -> World:
    clock = Clock()
    services = build_services(make_settings(db.url), db, clock)
    curriculum = await services.curricula.import_document(OPERATOR, sample(), "course.yaml")
    a = await services.cohorts.create(
        OPERATOR,
        name="Hit",
        start_date=dt.date(2026, 11, 20),
        lesson_time=dt.time(18),
        timezone="Asia/Baghdad",
        curriculum_id=curriculum.curriculum.id,
    )
    b = await services.cohorts.create(
        OPERATOR, name="Ramadi", start_date=dt.date(2026, 11, 20), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    a_id, b_id, joined = a.cohort.id, b.cohort.id, NOW - dt.timedelta(days=7)
    await enrol(db, a_id, TRAINEE, 3, joined=joined, locale="en")
    await enrol(db, b_id, TRAINEE_OF_B, 1, joined=joined, locale="en")
    await add_trainer(db, TRAINER, a_id, joined=joined)
    await add_trainer(db, OTHER_TRAINER, b_id, joined=joined)
    removed_person = await add_trainer(db, REMOVED_TRAINER, a_id, joined=joined)
    for telegram_id in (REVOKED_COORDINATOR, SECOND_COORDINATOR):
        assert await services.roles.grant_coordinator(OPERATOR, telegram_id)
    actors = {
        "stranger": await principal(db, STRANGER),
        "trainee": await principal(db, TRAINEE),
        "other trainer": await principal(db, OTHER_TRAINER),
        "removed trainer": await principal(db, REMOVED_TRAINER),
        "revoked coordinator": await principal(db, REVOKED_COORDINATOR),
        "trainer": await principal(db, TRAINER),
        "coordinator": await principal(db, COORDINATOR_ID),
    }
    assert actors["removed trainer"].can_manage(a_id) and actors["revoked coordinator"].is_coordinator
    async with db.unit_of_work() as uow:  # the roles go after the Principals were resolved
        await uow.session.execute(delete(Membership).where(Membership.person_id == removed_person))
        assert await uow.coordinators.revoke(REVOKED_COORDINATOR)
        await uow.commit()

    trainer, coordinator = actors["trainer"], actors["coordinator"]
    clock.now = NOW - dt.timedelta(hours=3)  # a plan whose post was done two hours ago, with a proof
    plan = await services.campaigns.plans.create(TRAINEE, a_id, PLAN)
    at = NOW - dt.timedelta(hours=2)
    post = await services.campaigns.plans.add_post(TRAINEE, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x"))
    clock.now = at
    await services.campaigns.reminders.mark(TRAINEE, post.id, at, Mark.DONE)
    assert await services.campaigns.reminders.add_proof(TRAINEE, post.id, at, ProofKind.LINK, "https://x.example/p")
    proof = (await services.campaigns.plans.view(TRAINEE, plan.id)).records[0].id
    clock.now = NOW

    session = await services.attendance.add_session(trainer, a_id, title="Day 1", starts_at=NOW)
    later = await services.attendance.add_session(trainer, a_id, title="Day 2", starts_at=NOW + dt.timedelta(hours=1))
    view, _new = await services.attendance.open_checkin(trainer, session.id)
    invite = await services.cohorts.create_invite(coordinator, a_id, Role.TRAINEE)
    target = Target((a_id,))
    draft = await services.broadcasts.draft(
        trainer, target, source_chat_id=TRAINER, source_message_id=1, content="text", text="Hello"
    )
    sending = await services.broadcasts.draft(
        trainer, target, source_chat_id=TRAINER, source_message_id=2, content="text", text="On its way"
    )
    assert await services.broadcasts.confirm(trainer, sending.id, NOW + dt.timedelta(hours=1)) == 3
    async with db.unit_of_work() as uow:
        trainee = await uow.people.by_telegram_id(TRAINEE)
    assert trainee is not None
    folder = tmp_path / "curricula"
    folder.mkdir()
    (folder / "other.yaml").write_text(sample(slug="other-course"), encoding="utf-8")
    return World(
        db=db,
        s=services,
        clock=clock,
        folder=folder,
        a=a_id,
        b=b_id,
        session=session.id,
        later_session=later.id,
        checkin=view.checkin.id,
        invite=invite.id,
        draft=draft.id,
        sending=sending.id,
        plan=plan.id,
        proof=proof,
        trainee_person=trainee.id,
        actors=actors,
    )


async def snapshot(db: Database) -> dict[str, set[tuple[Any, ...]]]:
    """Every row of every table."""
    async with db.reading() as uow:
        return {
            table.name: {tuple(row) for row in await uow.session.execute(select(table))}
            for table in Base.metadata.sorted_tables
        }


Call = Callable[[World, Actor], Awaitable[object]]

# Who acts: coordinator operations, operations of a cohort's managers (its trainers and the coordinators), those of a
# broadcast's sender (or a coordinator), and the review of a plan (which a trainer of another cohort does not see).
COORDINATOR_OPS: dict[str, Call] = {
    "grant coordinator": lambda w, who: w.s.roles.grant_coordinator(who, 9999),
    "revoke coordinator": lambda w, who: w.s.roles.revoke_coordinator(who, SECOND_COORDINATOR),
    "create cohort": lambda w, who: w.s.cohorts.create(
        who, name="Falluja", start_date=dt.date(2027, 1, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    ),
    "change schedule": lambda w, who: w.s.cohorts.set_schedule(who, w.a, lesson_time=dt.time(19)),
    "end cohort": lambda w, who: w.s.cohorts.set_status(who, w.a, CohortStatus.ENDED),
    "create invite": lambda w, who: w.s.cohorts.create_invite(who, w.a, Role.TRAINER),
    "list invites": lambda w, who: w.s.cohorts.invites(who, w.a),
    "revoke invite": lambda w, who: w.s.cohorts.revoke_invite(who, w.invite),
    "import curriculum from chat": lambda w, who: w.s.curricula.import_document(
        who, sample(slug="chat-course"), "chat:chat-course.yaml"
    ),
    "import curriculum file": lambda w, who: w.s.curricula.import_file(who, w.folder / "other.yaml"),
    "import curriculum folder": lambda w, who: w.s.curricula.import_folder(who, w.folder),
}
MANAGER_OPS: dict[str, Call] = {
    "add session": lambda w, who: w.s.attendance.add_session(
        who, w.a, title=f"Day 3 ({getattr(who, 'telegram_id', 0)})", starts_at=NOW + dt.timedelta(days=1)
    ),
    "list sessions": lambda w, who: w.s.attendance.sessions(who, w.a),
    "one session": lambda w, who: w.s.attendance.session(who, w.session),
    "open check-in": lambda w, who: w.s.attendance.open_checkin(who, w.later_session),
    "close check-in": lambda w, who: w.s.attendance.close(who, w.checkin),
    "rotate check-in": lambda w, who: w.s.attendance.set_rotation(who, w.checkin, True),
    "count check-in": lambda w, who: w.s.attendance.view(who, w.checkin),
    "show check-in": lambda w, who: w.s.attendance.set_display(who, w.checkin, 1, 2),
    "open check-ins of a cohort": lambda w, who: w.s.attendance.open_checkins(who, w.a),
    "roll": lambda w, who: w.s.attendance.roll(who, w.session),
    "mark on the roll": lambda w, who: w.s.attendance.mark(
        who, w.session, w.trainee_person, AttendanceStatus.EXCUSED, "sick"
    ),
    "finish the roll": lambda w, who: w.s.attendance.finish_roll(who, w.session),
    "attendance summary": lambda w, who: w.s.attendance_reports.summary(who, w.a),
    "attendance export": lambda w, who: w.s.attendance_reports.grid(who, w.a),
    "attendance sessions": lambda w, who: w.s.attendance_reports.sessions_of(who, w.a),
    "attendance of a session": lambda w, who: w.s.attendance_reports.session_detail(who, w.session),
    "lesson stats": lambda w, who: w.s.lesson_stats.cohort_stats(who, w.a, "en"),
    "cohort members": lambda w, who: w.s.cohorts.members(who, w.a, Role.TRAINEE),
    "broadcast draft": lambda w, who: w.s.broadcasts.draft(
        who, Target((w.a,)), source_chat_id=1, source_message_id=3, content="text", text="Hi"
    ),
    "broadcast count": lambda w, who: w.s.broadcasts.count(who, Target((w.a,))),
    "broadcast towns": lambda w, who: w.s.broadcasts.towns(who, [w.a]),
    "review plans of a cohort": lambda w, who: w.s.campaigns.review.plans(who, w.a),
    "review a cohort's plans board": lambda w, who: w.s.campaigns.review.cohort_plans(who, w.a),
}
SENDER_OPS: dict[str, Call] = {
    "broadcast confirm": lambda w, who: w.s.broadcasts.confirm(who, w.draft),
    "broadcast confirm at a time": lambda w, who: w.s.broadcasts.confirm(who, w.draft, NOW + dt.timedelta(hours=2)),
    "broadcast discard": lambda w, who: w.s.broadcasts.discard(who, w.draft),
    "broadcast cancel": lambda w, who: w.s.broadcasts.cancel(who, w.sending),
    "broadcast report": lambda w, who: w.s.broadcasts.report(who, w.sending),
    "broadcast status message": lambda w, who: w.s.broadcasts.set_status_message(who, w.sending, 1, 2),
}
REVIEW_OPS: dict[str, Call] = {
    "review a plan": lambda w, who: w.s.campaigns.review.plan(who, w.plan),
    "comment on a plan": lambda w, who: w.s.campaigns.review.comment(who, w.plan, "Well done"),
    "see a proof": lambda w, who: w.s.campaigns.review.proof(who, w.proof),
    "approve a proof": lambda w, who: w.s.campaigns.review.approve(who, w.proof),
}
MANAGER_ONLY = {"broadcast draft": ("trainer",)}  # a coordinator who never registered has no person to send as
REFUSED = ("stranger", "trainee", "other trainer", "removed trainer", "revoked coordinator")
CASES = (
    [(name, call, (*REFUSED, "trainer"), ("coordinator",)) for name, call in COORDINATOR_OPS.items()]
    + [(name, call, REFUSED, MANAGER_ONLY.get(name, ("trainer", "coordinator"))) for name, call in MANAGER_OPS.items()]
    + [(name, call, REFUSED, ("trainer", "coordinator")) for name, call in REVIEW_OPS.items()]
    + [(name, call, REFUSED, ("trainer", "coordinator")) for name, call in SENDER_OPS.items()]
)


@pytest.mark.parametrize(("name", "call", "refused", "allowed"), CASES, ids=[case[0] for case in CASES])
async def test_the_service_refuses_who_may_not_and_changes_nothing(
    world: World, name: str, call: Call, refused: tuple[str, ...], allowed: tuple[str, ...]
) -> None:
    before = await snapshot(world.db)
    for who in refused:
        with pytest.raises(DomainError) as caught:
            await call(world, world.actors[who])
        # A trainer of another cohort is not told that a plan of this one exists.
        hidden = name in REVIEW_OPS and who == "other trainer"
        expected = Problem.PLAN_NOT_FOUND if hidden else Problem.NOT_ALLOWED
        assert caught.value.problem is expected, f"{name} by the {who}: {caught.value.problem}"
        assert await snapshot(world.db) == before, f"{name} by the {who} changed something"
    for who in allowed:
        await call(world, world.actors[who])  # no DomainError


async def test_a_broadcast_to_two_cohorts_is_not_confirmed_once_the_sender_left_one(world: World) -> None:
    """Drafted by a trainer of A and B; removed from B before confirming: refused (now or at a time), nothing is
    planned; back in B, the same draft goes."""
    services, db = world.s, world.db
    person = await add_trainer(db, TRAINER, world.b, joined=NOW)  # TRAINER now trains both
    sender = await principal(db, TRAINER)
    assert sender.trainer_of == {world.a, world.b}
    draft = await services.broadcasts.draft(
        sender, Target((world.a, world.b)), source_chat_id=TRAINER, source_message_id=9, content="text", text="Both"
    )
    async with db.unit_of_work() as uow:
        await uow.session.execute(
            delete(Membership).where(Membership.person_id == person, Membership.cohort_id == world.b)
        )
        await uow.commit()
    before = await snapshot(db)
    for send_at in (None, NOW + dt.timedelta(hours=3)):
        with pytest.raises(DomainError) as caught:
            await services.broadcasts.confirm(sender, draft.id, send_at)  # the old Principal still lists B
        assert caught.value.problem is Problem.NOT_ALLOWED
    assert await snapshot(db) == before
    async with db.unit_of_work() as uow:
        assert (await uow.broadcasts.by_id(draft.id)).state == BroadcastState.DRAFT  # type: ignore[union-attr]

    await add_trainer(db, TRAINER, world.b, joined=NOW)
    assert await services.broadcasts.confirm(sender, draft.id) == 4  # three in A, one in B


async def test_a_coordinator_revoked_in_the_database_cannot_grant_with_an_old_principal(world: World) -> None:
    old = world.actors["revoked coordinator"]
    assert old.is_coordinator  # what the handler still holds
    with pytest.raises(DomainError) as caught:
        await world.s.roles.grant_coordinator(old, REVOKED_COORDINATOR)  # not even back to themselves
    assert caught.value.problem is Problem.NOT_ALLOWED
    assert sorted(await world.s.roles.coordinators()) == [COORDINATOR_ID, SECOND_COORDINATOR]


async def test_lists_are_scoped_to_what_the_actor_manages_now(world: World) -> None:
    """/cohorts, /trainees, /attendance, /campaigns, /checkin_open, /roll, /broadcasts: a trainee or a stranger sees
    nothing, a trainer their own cohorts, a coordinator all."""
    s, a, b = world.s, world.a, world.b

    async def seen(who: str) -> dict[str, object]:
        actor = world.actors[who]
        return {
            "cohorts": sorted(x.cohort.id for x in await s.cohorts.summaries(actor)),
            "overview": sorted(x.cohort.id for x in await s.attendance_reports.overview(actor)),
            "review": sorted(c.id for c in await s.campaigns.review.cohorts(actor)),
            "check-ins": [v.checkin.id for v in await s.attendance.open_checkins(actor)],
            "near": sorted(x.id for x, _c in await s.attendance.near(actor)),
            "recent": sorted(x.id for x, _c in await s.attendance.recent(actor)),
            "near, of A and B": [x.id for x, _c in await s.attendance.near(actor, frozenset({a, b}))],
            "broadcasts": sorted(p.broadcast.id for p in await s.broadcasts.recent(actor)),
        }

    keys = ("cohorts", "overview", "review", "check-ins", "near", "recent", "near, of A and B", "broadcasts")
    nothing: dict[str, object] = {key: [] for key in keys}
    for who in ("stranger", "trainee", "removed trainer", "revoked coordinator"):
        assert await seen(who) == nothing, who
    assert await seen("other trainer") == {**nothing, "cohorts": [b], "overview": [b], "review": [b]}
    sessions = sorted([world.session, world.later_session])
    mine = {
        "cohorts": [a],
        "overview": [a],
        "review": [a],
        "check-ins": [world.checkin],
        "near": sessions,
        "recent": sessions,
        "near, of A and B": sessions,
        "broadcasts": [world.sending],  # drafts are not listed
    }
    assert await seen("trainer") == mine
    assert await seen("coordinator") == {**mine, "cohorts": sorted([a, b]), "overview": [a, b], "review": [a, b]}


async def test_a_trainer_cannot_use_a_cohorts_lessons_as_a_trainee(world: World) -> None:
    """A trainer of A who is a trainee of B: the lesson buttons of A (forged) neither open nor mark anything, so
    A's lesson statistics count only its trainees."""
    async with world.db.unit_of_work() as uow:
        trainer = await uow.people.by_telegram_id(TRAINER)
        assert trainer is not None
        await uow.memberships.add(trainer.id, world.b, Role.TRAINEE, NOW)
        await uow.commit()
    lessons = world.s.lessons
    before = await snapshot(world.db)
    for call in (lessons.open, lessons.mark_done, lessons.later):
        with pytest.raises(DomainError) as caught:
            await call(TRAINER, world.a, 1)
        assert caught.value.problem is Problem.NOT_ALLOWED
    with pytest.raises(DomainError) as caught:
        await lessons.record_sent_polls(TRAINER, world.a, "first", [(0, "poll-1", (0,))])
    assert caught.value.problem is Problem.NOT_ALLOWED
    assert await lessons.peek(TRAINER, world.a, 1) is None
    assert await snapshot(world.db) == before
    assert (await lessons.open(TRAINEE, world.a, 1)).number == 1  # a trainee of A may


async def test_a_role_removed_meanwhile_waits_for_the_act_it_allowed(world: World) -> None:
    """The check and the act see the same roles: removing a trainer from the cohort, or revoking a coordinator, while
    an operation they were allowed is under way waits until it is done (PostgreSQL: the rows are share-locked)."""
    db, trainer, coordinator = world.db, world.actors["trainer"], world.actors["coordinator"]

    async def remove_trainer() -> None:
        async with db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(TRAINER)
            assert person is not None
            await uow.session.execute(delete(Membership).where(Membership.person_id == person.id))
            await uow.commit()

    async def revoke_coordinator() -> None:
        assert await world.s.roles.revoke_coordinator(OPERATOR, COORDINATOR_ID)

    checks: list[tuple[Callable[[UnitOfWork], Awaitable[object]], Callable[[], Coroutine[Any, Any, None]]]] = [
        (lambda uow: require_manager(uow, trainer, world.a), remove_trainer),
        (lambda uow: require_coordinator(uow, coordinator), revoke_coordinator),
    ]
    for check, removal in checks:
        async with db.unit_of_work() as uow:
            await check(uow)
            removing = asyncio.create_task(removal())
            await asyncio.sleep(0.5)
            assert not removing.done()  # it waits for the act the role allowed
            await uow.commit()
        await asyncio.wait_for(removing, 15)
    for check_again in (
        world.s.attendance.roll(trainer, world.session),
        world.s.roles.grant_coordinator(coordinator, 9999),
    ):
        with pytest.raises(DomainError) as caught:
            await check_again
        assert caught.value.problem is Problem.NOT_ALLOWED
