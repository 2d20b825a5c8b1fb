"""The campaign services on a real database: the reminder schedule (keys, grace, rolling horizon, idempotence),
Done/Skip/Snooze/proof, who may do what, figures for /progress and what /forgetme removes."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.i18n import set_locale
from bot.services.access import Principal
from bot.services.campaigns.feature import Campaigns, build_campaigns
from bot.services.campaigns.reminders import HORIZON, PLAN_NOTE, POST_REMIND, ReminderGone, occurrence_prefix, stamp
from bot.services.campaigns.rules import PlanFields, PostFields
from bot.services.errors import DomainError, Problem
from bot.services.people import PeopleService
from bot.text import local_date
from handlers.campaigns.reminders import reminder_text
from handlers.campaigns.texts import plan_text
from handlers.problems import problem_text
from storage.campaigns.dto import Mark, PostKind, ProofKind, Repeat
from storage.dto import CohortStatus, DeliveryDTO, DeliveryState
from storage.uow import Database
from tests.crowd import add_trainer, enrol

START = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
GRACE = dt.timedelta(hours=6)
PLAN = PlanFields("Rubbish in Hit", "Bins in the market", "followers", 500, None, "Youth of Hit", ("fb", "ig"), "#x")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


async def setup(db: Database) -> tuple[Campaigns, Clock, int, int]:
    clock = Clock()
    campaigns = build_campaigns(db, grace=GRACE, default_zone="Asia/Baghdad", on_planned=lambda: None, clock=clock)
    async with db.unit_of_work() as uow:
        cohort = await uow.cohorts.add(name="Hit", name_key="hit", timezone="Asia/Baghdad",
                                       start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), now=START)  # fmt: skip
        other = await uow.cohorts.add(name="Ramadi", name_key="ramadi", timezone="Asia/Baghdad",
                                      start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), now=START)  # fmt: skip
        await uow.commit()
    await enrol(db, cohort.id, 501, 8, joined=START - dt.timedelta(days=1), locale="en")
    await enrol(db, other.id, 601, 1, joined=START - dt.timedelta(days=1), locale="en")
    await add_trainer(db, 900, cohort.id, joined=START - dt.timedelta(days=1))  # `trainer_of` below
    await add_trainer(db, 901, other.id, joined=START - dt.timedelta(days=1))
    return campaigns, clock, cohort.id, other.id


async def pid(db: Database, telegram_id: int) -> int:
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id


async def rows(db: Database) -> list[DeliveryDTO]:
    async with db.unit_of_work() as uow:
        return await uow.deliveries.of_kind(POST_REMIND)


async def test_reminders_are_keyed_per_occurrence_recipient_and_kind_on_a_rolling_horizon(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    await campaigns.plans.toggle_teammate(501, plan.id, await pid(db, 502))
    first = START + dt.timedelta(hours=10)
    weekly = PostFields(first, PostKind.CAMPAIGN, "fb", "Weekly", Repeat.WEEKLY, dt.date(2026, 12, 29), lead_minutes=60)
    post = await campaigns.plans.add_post(501, plan.id, weekly)

    planned = await rows(db)  # within 48 h: only the first occurrence, at its time and an hour before, for both
    owner, mate = await pid(db, 501), await pid(db, 502)
    assert sorted(d.key for d in planned) == sorted(
        f"{occurrence_prefix(post.id, first)}{person}:{tag}" for person in (owner, mate) for tag in ("at", "lead60")
    )
    for row in planned:
        assert row.expires_at == row.due_at + GRACE
        assert row.due_at == (first if row.key.endswith(":at") else first - dt.timedelta(hours=1))
    assert await campaigns.reminders.plan_due() == 0  # planning again adds nothing
    async with db.unit_of_work() as uow:  # even without the bookmark (a lost one): the keys are unique
        await uow.campaigns.update_post(post.id, START, planned_until=None)
        await uow.commit()
    assert await campaigns.reminders.plan_due() == 0
    async with db.unit_of_work() as uow:
        assert (await uow.campaigns.post(post.id)).planned_until == START + HORIZON  # type: ignore[union-attr]

    clock.now = START + dt.timedelta(days=6)  # the horizon rolls on: the second week comes into it
    assert await campaigns.reminders.plan_due() == 4
    assert await campaigns.reminders.plan_due() == 0
    assert len({d.key for d in await rows(db)}) == len(await rows(db)) == 8

    async with db.unit_of_work() as uow:  # an ended cohort's plans get no more reminders
        await uow.cohorts.set_status(cohort_id, CohortStatus.ENDED)
        await uow.commit()
    clock.now = START + dt.timedelta(days=13)
    assert await campaigns.reminders.plan_due() == 0


async def test_done_closes_pending_for_the_team_snooze_limit_and_proof(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    await campaigns.plans.toggle_teammate(501, plan.id, await pid(db, 502))
    at = START + dt.timedelta(hours=2)
    post = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.PROMOTION, "ig", "Invite"))
    clock.now = at
    for _ in range(3):
        assert await campaigns.reminders.snooze(501, post.id, at) is not None
    assert await campaigns.reminders.snooze(501, post.id, at) is None  # three snoozes at most
    assert not await campaigns.reminders.add_proof(501, post.id, at, ProofKind.LINK, "https://x.example/p")

    marked = await campaigns.reminders.mark(502, post.id, at, Mark.DONE)  # the teammate marks it done
    assert marked.first and marked.record is not None and marked.record.by_id == await pid(db, 502)
    assert {d.state for d in await rows(db)} == {DeliveryState.SKIPPED}  # at-rows and snoozes, for both
    again = await campaigns.reminders.mark(501, post.id, at, Mark.SKIPPED)
    assert not again.first and again.record is not None and again.record.state is Mark.DONE
    assert again.by_name == "Trainee 502"
    assert await campaigns.reminders.add_proof(501, post.id, at, ProofKind.PHOTO, "AgACphoto")
    with pytest.raises(DomainError) as refused:
        await campaigns.reminders.mark(501, post.id, at + dt.timedelta(minutes=1), Mark.DONE)
    assert refused.value.problem is Problem.OCCURRENCE_GONE
    with pytest.raises(DomainError) as refused:
        await campaigns.reminders.mark(503, post.id, at, Mark.DONE)  # not on the team
    assert refused.value.problem is Problem.NOT_ALLOWED
    expected = {await pid(db, 501): 1, await pid(db, 502): 1}
    async with db.unit_of_work() as uow:
        assert await campaigns.review.done_counts(uow, cohort_id) == expected


async def test_a_reminder_is_checked_again_when_it_is_sent(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    mate = await pid(db, 502)
    await campaigns.plans.toggle_teammate(501, plan.id, mate)
    at = START + dt.timedelta(hours=3)
    post = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x", lead_minutes=15))
    by_key = {d.key: d for d in await rows(db)}
    owner_at = by_key[f"{occurrence_prefix(post.id, at)}{await pid(db, 501)}:at"]
    mate_lead = by_key[f"{occurrence_prefix(post.id, at)}{mate}:lead15"]
    assert (await campaigns.reminders.load(owner_at)).post.id == post.id

    await campaigns.plans.toggle_teammate(501, plan.id, mate)  # removed from the team
    with pytest.raises(ReminderGone, match="no longer on the team"):
        await campaigns.reminders.load(mate_lead)
    owner_lead = by_key[f"{occurrence_prefix(post.id, at)}{await pid(db, 501)}:lead15"]
    await campaigns.plans.update_post(501, post.id, lead_minutes=60)
    with pytest.raises(ReminderGone, match="post changed"):
        await campaigns.reminders.load(owner_lead)
    await campaigns.plans.update_post(501, post.id, starts_at=at + dt.timedelta(hours=1))
    with pytest.raises(ReminderGone, match="post changed"):
        await campaigns.reminders.load(owner_at)
    clock.now = at + dt.timedelta(hours=1, minutes=1)
    later = occurrence_prefix(post.id, at + dt.timedelta(hours=1))
    moved = {d.key: d for d in await rows(db)}[f"{later}{await pid(db, 501)}:lead60"]
    with pytest.raises(ReminderGone, match="post time passed"):
        await campaigns.reminders.load(moved)
    assert stamp(at) != stamp(at + dt.timedelta(hours=1))


async def test_who_may_do_what(db: Database) -> None:
    campaigns, _clock, cohort_id, other_id = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    outsider = await pid(db, 601)
    for telegram_id, call, problem in (
        (501, lambda: campaigns.plans.toggle_teammate(501, plan.id, outsider), Problem.TEAMMATE_OTHER_COHORT),
        (502, lambda: campaigns.plans.update(502, plan.id, goal="Mine now"), Problem.PLAN_NOT_FOUND),
        (601, lambda: campaigns.plans.create(601, cohort_id, PLAN), Problem.NOT_ALLOWED),
    ):
        with pytest.raises(DomainError) as refused:
            await call()
        assert refused.value.problem is problem, telegram_id
    for number in range(502, 507):
        await campaigns.plans.toggle_teammate(501, plan.id, await pid(db, number))
    with pytest.raises(DomainError) as refused:
        await campaigns.plans.toggle_teammate(501, plan.id, await pid(db, 507))
    assert refused.value.problem is Problem.TEAM_LIMIT
    with pytest.raises(DomainError) as refused:  # a teammate sees the plan but cannot change it
        await campaigns.plans.update(502, plan.id, goal="Mine now")
    assert refused.value.problem is Problem.NOT_PLAN_OWNER
    assert (await campaigns.plans.view(502, plan.id)).plan.goal == PLAN.goal
    assert plan.cohort_id == cohort_id != other_id


async def test_forgetme_removes_the_owners_plans_and_anonymises_a_teammates_marks(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    other_plan = await campaigns.plans.create(503, cohort_id, PLAN)
    await campaigns.plans.toggle_teammate(503, other_plan.id, await pid(db, 501))
    at = START + dt.timedelta(hours=1)
    post = await campaigns.plans.add_post(503, other_plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x"))
    await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "mine"))
    clock.now = at
    await campaigns.reminders.mark(501, post.id, at, Mark.DONE)
    data = await PeopleService(db).my_data(501)
    assert len(data.plans) == 1 and len(data.team_places) == 1 and [m.by_you for m in data.marks] == [True]

    assert await PeopleService(db).forget(501)
    async with db.unit_of_work() as uow:
        assert await uow.campaigns.plan(plan.id) is None
        kept = await uow.campaigns.plan(other_plan.id)
        records = await uow.campaigns.occurrences_of_plans([other_plan.id])
    assert kept is not None and kept.teammates == ()
    assert [(r.state, r.by_id) for r in records] == [(Mark.DONE, None)]  # the count stays, anonymous


def bare(text: str) -> str:
    """Without the bidi isolation marks the texts carry."""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


def trainer_of(cohort_id: int, telegram_id: int = 900) -> Principal:
    return Principal(telegram_id=telegram_id, locale="en", trainer_of=frozenset({cohort_id}))


async def test_a_trainer_of_another_cohort_is_refused_by_the_review(db: Database) -> None:
    campaigns, clock, cohort_id, other_id = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    at = START + dt.timedelta(hours=1)
    post = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x"))
    clock.now = at
    await campaigns.reminders.mark(501, post.id, at, Mark.DONE)
    assert await campaigns.reminders.add_proof(501, post.id, at, ProofKind.LINK, "https://x.example/p")
    record = (await campaigns.plans.view(501, plan.id)).records[0]
    mine, elsewhere = trainer_of(cohort_id), trainer_of(other_id, 901)
    assert [v.plan.id for v in await campaigns.review.plans(mine, cohort_id)] == [plan.id]  # their own: allowed

    for call, problem in (
        (lambda: campaigns.review.plans(elsewhere, cohort_id), Problem.NOT_ALLOWED),
        (lambda: campaigns.review.plan(elsewhere, plan.id), Problem.PLAN_NOT_FOUND),
        (lambda: campaigns.review.comment(elsewhere, plan.id, "Not yours"), Problem.PLAN_NOT_FOUND),
        (lambda: campaigns.review.approve(elsewhere, record.id), Problem.PLAN_NOT_FOUND),
        (lambda: campaigns.review.proof(elsewhere, record.id), Problem.PLAN_NOT_FOUND),
    ):
        with pytest.raises(DomainError) as refused:
            await call()
        assert refused.value.problem is problem
    view = await campaigns.plans.view(501, plan.id)
    assert view.comments == [] and view.records[0].approved_at is None  # nothing changed
    async with db.unit_of_work() as uow:
        assert await uow.deliveries.of_kind(PLAN_NOTE) == []
    assert await campaigns.review.approve(mine, record.id)  # the cohort's own trainer may


async def test_deleting_a_marked_post_keeps_its_history(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    first = START + dt.timedelta(hours=2)
    weekly = PostFields(first, PostKind.CAMPAIGN, "fb", "Weekly", Repeat.WEEKLY, dt.date(2026, 12, 29))
    post = await campaigns.plans.add_post(501, plan.id, weekly)
    untouched = await campaigns.plans.add_post(501, plan.id, PostFields(first, PostKind.PROMOTION, "ig", "Never"))
    clock.now = first
    await campaigns.reminders.mark(501, post.id, first, Mark.DONE)
    assert await campaigns.reminders.add_proof(501, post.id, first, ProofKind.LINK, "https://x.example/1")
    before = (await campaigns.plans.view(501, plan.id)).stats
    assert before.done == 1

    assert await campaigns.plans.delete_post(501, post.id)  # kept, hidden
    assert not await campaigns.plans.delete_post(501, untouched.id)  # nothing marked: really deleted
    view = await campaigns.plans.view(501, plan.id)
    assert view.posts == [] and [p.id for p in view.removed] == [post.id]
    assert (view.stats.done, view.stats.planned, view.stats.upcoming) == (1, 1, 0)  # the future is gone, not the past
    assert [r.proof for r in view.records] == ["https://x.example/1"]
    owner = await pid(db, 501)
    async with db.unit_of_work() as uow:
        assert await campaigns.review.done_counts(uow, cohort_id) == {owner: 1}  # /progress
        assert await uow.campaigns.post(post.id) is None and await uow.campaigns.post(untouched.id) is None
        assert await uow.campaigns.post(post.id, with_deleted=True) is not None
        assert await uow.campaigns.post(untouched.id, with_deleted=True) is None
    reviewed = await campaigns.review.plan(trainer_of(cohort_id), plan.id)
    assert reviewed.stats.done == 1 and [p.id for p in reviewed.removed] == [post.id]
    assert all(d.state is DeliveryState.SKIPPED for d in await rows(db) if d.key.startswith(f"cr:{post.id}:"))
    clock.now = START + dt.timedelta(days=8)
    assert await campaigns.reminders.plan_due() == 0  # no reminders for the weeks after
    with pytest.raises(DomainError) as refused:
        await campaigns.reminders.mark(501, post.id, first + dt.timedelta(days=7), Mark.DONE)
    assert refused.value.problem is Problem.POST_NOT_FOUND
    assert (await campaigns.calendar.month(501, 2026, 12)).entries == []
    data = await PeopleService(db).my_data(501)
    assert [[p.deleted_at is not None for p in plan.posts] for plan in data.plans] == [[True]]  # still stored: shown


async def test_done_or_skip_waits_for_the_first_reminder(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    at = START + dt.timedelta(days=3)
    lead = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x", lead_minutes=60))
    plain = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "ig", "y"))
    for post_id, state in ((lead.id, Mark.DONE), (plain.id, Mark.SKIPPED)):
        with pytest.raises(DomainError) as refused:
            await campaigns.reminders.mark(501, post_id, at, state)
        assert refused.value.problem is Problem.OCCURRENCE_NOT_YET
    set_locale("en")
    assert "Not yet: this post is planned for" in problem_text(refused.value)
    assert (await campaigns.plans.view(501, plan.id)).records == []  # nothing changed

    clock.now = at - dt.timedelta(minutes=64)  # the lead reminder is due in 4 minutes: within the slack
    assert (await campaigns.reminders.mark(501, lead.id, at, Mark.DONE)).first
    with pytest.raises(DomainError):
        await campaigns.reminders.mark(501, plain.id, at, Mark.SKIPPED)  # its only reminder is an hour away
    clock.now = at - dt.timedelta(minutes=4)
    assert (await campaigns.reminders.mark(501, plain.id, at, Mark.SKIPPED)).first


async def test_a_late_lead_reminder_says_how_long_is_left(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    at = START + dt.timedelta(days=1, hours=1)
    post = await campaigns.plans.add_post(501, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", "x", lead_minutes=1440))
    owner = await pid(db, 501)
    lead_row = {d.key: d for d in await rows(db)}[f"{occurrence_prefix(post.id, at)}{owner}:lead1440"]
    set_locale("en")
    clock.now = at - dt.timedelta(days=1, minutes=2)  # on time
    assert "Coming up (1 day before)" in bare(reminder_text(await campaigns.reminders.load(lead_row)))
    clock.now = at - dt.timedelta(hours=19, minutes=10)  # after downtime, within the grace window
    late = bare(reminder_text(await campaigns.reminders.load(lead_row)))
    assert "Coming up in 19 hours" in late and "1 day before" not in late
    clock.now = at - dt.timedelta(minutes=40)
    assert "Coming up in 40 minutes" in bare(reminder_text(await campaigns.reminders.load(lead_row)))


async def test_plan_comments_show_the_cohorts_date(db: Database) -> None:
    campaigns, clock, cohort_id, _other = await setup(db)
    plan = await campaigns.plans.create(501, cohort_id, PLAN)
    clock.now = dt.datetime(2026, 12, 1, 22, 30, tzinfo=dt.UTC)  # 01:30 on 2 December in Baghdad
    await campaigns.review.comment(trainer_of(cohort_id), plan.id, "Late-night thoughts")
    set_locale("en")
    text = bare(plan_text(await campaigns.plans.view(501, plan.id)))
    assert f"💬 {bare(local_date(dt.date(2026, 12, 2)))}: Late-night thoughts" in text
