"""/forgetme for a trainer, on the services and a real database (both backends): what they made about others
stays with those people without them; what was only theirs (unsent announcements) goes; every table is walked."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from bot.services.access import OPERATOR, Principal
from bot.services.attendance import AttendanceService
from bot.services.broadcasts import BroadcastService, Target
from bot.services.campaigns.feature import build_campaigns
from bot.services.campaigns.rules import PlanFields, PostFields
from bot.services.people import CohortService, PeopleService
from storage import migrate
from storage.attendance.dto import AttendanceStatus
from storage.campaigns.dto import Mark, PostKind, ProofKind
from storage.dto import Role
from storage.outbox import FORGOTTEN_KEY
from storage.uow import Database
from tests.crowd import enrol
from tests.privacy import Traces, leftovers

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
TRAINER, TRAINEE = 7_300_000_900, 7_300_000_100
PLAN = PlanFields("Rubbish in Hit", "Bins in the market", "followers", 500, None, "Youth of Hit", ("fb",), "#x")


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> dt.datetime:
        return self.now


async def test_a_trainers_records_about_others_stay_without_them(db: Database) -> None:
    clock = Clock()
    cohort_id = (
        await CohortService(db, clock).create(
            OPERATOR, name="Hit", start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
        )
    ).cohort.id
    await enrol(db, cohort_id, TRAINEE, 2, joined=NOW - dt.timedelta(days=2), locale="en")
    await enrol(db, cohort_id, TRAINER, 1, joined=NOW - dt.timedelta(days=2), locale="en", role=Role.TRAINER)
    async with db.unit_of_work() as uow:
        trainer = await uow.people.by_telegram_id(TRAINER)
        trainee = await uow.people.by_telegram_id(TRAINEE)
    assert trainer is not None and trainee is not None
    principal = Principal(telegram_id=TRAINER, locale="en", person=trainer, trainer_of=frozenset({cohort_id}))

    # Announcements: one sent, one left as a draft, one discarded before confirming.
    broadcasts = BroadcastService(db, clock)
    target = Target((cohort_id,))
    sent = await broadcasts.draft(principal, target, source_chat_id=TRAINER, source_message_id=1, content="text",
                                  text="Tomorrow at ten in the hall")  # fmt: skip
    assert await broadcasts.confirm(principal, sent.id) == 2
    await broadcasts.set_status_message(principal, sent.id, TRAINER, 2)
    await broadcasts.draft(principal, target, source_chat_id=TRAINER, source_message_id=3, content="text",
                           text="My unsent draft")  # fmt: skip
    discarded = await broadcasts.draft(principal, target, source_chat_id=TRAINER, source_message_id=4,
                                       content="text", text="My discarded words")  # fmt: skip
    assert await broadcasts.discard(principal, discarded.id)

    # A session, its check-in shown in the trainer's chat, a roll change with a note.
    attendance = AttendanceService(db, clock=clock)
    session = await attendance.add_session(principal, cohort_id, title="Day 1", starts_at=NOW)
    view, _new = await attendance.open_checkin(principal, session.id)
    await attendance.set_display(principal, view.checkin.id, TRAINER, 9)
    await attendance.mark(principal, session.id, trainee.id, AttendanceStatus.EXCUSED, note="Bus was late")

    # A trainee's plan: the trainer comments and approves a proof.
    campaigns = build_campaigns(
        db, grace=dt.timedelta(hours=6), default_zone="Asia/Baghdad", on_planned=lambda: None, clock=clock
    )
    plan = await campaigns.plans.create(TRAINEE, cohort_id, PLAN)
    at = NOW + dt.timedelta(hours=1)
    post = await campaigns.plans.add_post(TRAINEE, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x"))
    clock.now = at
    await campaigns.reminders.mark(TRAINEE, post.id, at, Mark.DONE)
    await campaigns.reminders.add_proof(TRAINEE, post.id, at, ProofKind.LINK, "https://x.example/1")
    await campaigns.review.comment(principal, plan.id, "Well planned")
    (record,) = (await campaigns.plans.view(TRAINEE, plan.id)).records
    assert await campaigns.review.approve(principal, record.id)

    assert await PeopleService(db, clock).forget(TRAINER)
    traces = Traces(TRAINER, trainer.id, ("My unsent draft", "My discarded words", f"Trainee {TRAINER}"))
    assert await leftovers(db, traces) == []
    async with db.unit_of_work() as uow:
        kept = await uow.broadcasts.by_id(sent.id)
        changes = await uow.attendance.changes([session.id])
        comments = await uow.campaigns.comments([plan.id])
        approved = await uow.campaigns.occurrence_by_id(record.id)
    assert kept is not None and kept.text == "Tomorrow at ten in the hall"  # the trainees' /announcements
    assert (kept.sender_id, kept.source_chat_id, kept.status_chat_id) == (None, None, None)
    assert [(c.person_id, c.changed_by, c.note) for c in changes] == [(trainee.id, None, "Bus was late")]
    assert [(c.author_id, c.text) for c in comments] == [(None, "Well planned")]
    assert approved is not None and approved.approved_by is None and approved.proof == "https://x.example/1"

    # The trainee asks too: their outbox rows stay as counts whose keys name nobody.
    assert await PeopleService(db, clock).forget(TRAINEE)
    assert await leftovers(db, Traces(TRAINEE, trainee.id, (f"Trainee {TRAINEE}", "https://x.example/1"))) == []
    async with db.unit_of_work() as uow:
        rows = await uow.deliveries.of_kind("broadcast")
    mine = [d for d in rows if d.person_id is None]
    assert len(mine) == 1 and mine[0].key == f"{FORGOTTEN_KEY}{mine[0].id}" and mine[0].chat_id is None


async def test_migration_0009_removes_what_older_versions_kept_before_consent(empty_database_url: str) -> None:
    """Strangers' rows from the old /language and saved registration drafts go; coordinators and members stay."""
    database = Database(empty_database_url)
    now = "'2026-11-25 09:00:00+00'"
    try:
        await migrate.upgrade(database.engine, "0008")
        async with database.engine.begin() as conn:
            for person_id, telegram_id, consent in ((1, 41, "NULL"), (2, 42, "NULL"), (3, 43, now), (4, 44, "NULL")):
                await conn.execute(text(
                    "INSERT INTO people (id, telegram_id, status, created_at, consent_at) "
                    f"VALUES ({person_id}, {telegram_id}, 'active', {now}, {consent})"
                ))  # fmt: skip
            await conn.execute(text(f"INSERT INTO coordinators (telegram_id, granted_at) VALUES (42, {now})"))
            await conn.execute(text(
                "INSERT INTO cohorts (id, name, name_key, timezone, start_date, lesson_time, status, created_at, "
                "rest_days, observe_holidays, lessons_planned) VALUES (1, 'Hit', 'hit', 'Asia/Baghdad', '2026-12-01', "
                f"'18:00:00', 'active', {now}, '5', true, 0)"
            ))  # fmt: skip
            for person_id in (3, 4):  # 4 never consented but is a member (made by an operator): kept
                await conn.execute(text(
                    "INSERT INTO memberships (person_id, cohort_id, role, joined_at) "
                    f"VALUES ({person_id}, 1, 'trainee', {now})"
                ))  # fmt: skip
            drafts = {
                ("user_data", "41"): {"registration": {"name": "Sara", "town": "Hit"}},
                ("user_data", "43"): {"registration": {"name": "Ali"}, "campaign": {"flow": None}},
                ("conversation:registration", "41,41"): 3,
                ("conversation:campaign", "43,43"): 0,
            }
            for (namespace, key), value in drafts.items():
                await conn.execute(
                    text("INSERT INTO bot_state (namespace, key, data) VALUES (:n, :k, :d)"),
                    {"n": namespace, "k": key, "d": json.dumps(value)},
                )
        await migrate.upgrade(database.engine, "0009")
        async with database.engine.connect() as conn:
            kept = (await conn.execute(text("SELECT telegram_id FROM people ORDER BY telegram_id"))).scalars().all()
            assert kept == [42, 43, 44]
            state = dict(
                ((namespace, key), json.loads(data))
                for namespace, key, data in await conn.execute(text("SELECT namespace, key, data FROM bot_state"))
            )
            assert state == {("user_data", "43"): {"campaign": {"flow": None}}, ("conversation:campaign", "43,43"): 0}
    finally:
        await database.dispose()
