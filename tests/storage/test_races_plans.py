"""Races on what trainees build and do, on SQLite and PostgreSQL: parallel requests never get past a campaign
planner's limit (the ones refused get the limit's ordinary answer); a lesson marked done twice at once, or a
curriculum imported twice at once, is one row."""

from __future__ import annotations

import datetime as dt

from bot.services.access import OPERATOR
from bot.services.campaigns.feature import Campaigns, build_campaigns
from bot.services.campaigns.rules import PLANS_PER_TRAINEE, POSTS_PER_DAY, TEAMMATES_MAX, PlanFields, PostFields
from bot.services.errors import Problem
from bot.services.lessons import LessonService
from bot.services.lessons.curricula import CurriculumService, ImportStatus
from storage.campaigns.dto import PostKind
from storage.uow import Database
from tests.crowd import enrol
from tests.curriculum_samples import sample
from tests.racing import race

START = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)
PLAN = PlanFields("Rubbish in Hit", "Bins in the market", "followers", 500, None, "Youth of Hit", ("fb", "ig"), "#x")
OWNER = 501


def clock() -> dt.datetime:
    return START


async def planner(db: Database) -> tuple[Campaigns, int, int]:
    """The campaign services, a cohort with trainees 501…510 and a plan of 501; (services, cohort id, plan id)."""
    campaigns = build_campaigns(db, grace=dt.timedelta(hours=6), default_zone="Asia/Baghdad", on_planned=lambda: None,
                                clock=clock)  # fmt: skip
    async with db.unit_of_work() as uow:
        cohort = await uow.cohorts.add(name="Hit", name_key="hit", timezone="Asia/Baghdad",
                                       start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), now=START)  # fmt: skip
        await uow.commit()
    await enrol(db, cohort.id, OWNER, 10, joined=START - dt.timedelta(days=1), locale="en")
    plan = await campaigns.plans.create(OWNER, cohort.id, PLAN)
    return campaigns, cohort.id, plan.id


async def test_plans_made_at_once_stop_at_the_limit(db: Database) -> None:
    campaigns, cohort_id, _plan = await planner(db)
    outcome = await race(db, *[campaigns.plans.create(OWNER, cohort_id, PLAN) for _ in range(PLANS_PER_TRAINEE + 4)])
    assert len(outcome.results) == PLANS_PER_TRAINEE - 1  # one plan was there before
    assert outcome.problems == {Problem.PLAN_LIMIT: 5}
    assert len(await campaigns.plans.plans(OWNER)) == PLANS_PER_TRAINEE


async def test_posts_added_at_once_on_one_day_stop_at_the_limit(db: Database) -> None:
    campaigns, _cohort, plan_id = await planner(db)
    day = START + dt.timedelta(days=2)
    posts = [PostFields(day + dt.timedelta(minutes=10 * n), PostKind.CAMPAIGN, "fb", f"Idea {n}") for n in range(9)]
    outcome = await race(db, *[campaigns.plans.add_post(OWNER, plan_id, post) for post in posts])
    assert len(outcome.results) == POSTS_PER_DAY
    assert outcome.problems == {Problem.POSTS_PER_DAY: 4}
    assert len((await campaigns.plans.view(OWNER, plan_id)).posts) == POSTS_PER_DAY


async def test_posts_moved_and_added_at_once_on_one_day_stop_at_the_limit(db: Database) -> None:
    campaigns, _cohort, plan_id = await planner(db)
    day, other_day = START + dt.timedelta(days=2), START + dt.timedelta(days=3)
    full = [PostFields(day + dt.timedelta(minutes=10 * n), PostKind.CAMPAIGN, "fb", "x") for n in range(4)]
    for post in full:
        await campaigns.plans.add_post(OWNER, plan_id, post)
    elsewhere = [await campaigns.plans.add_post(OWNER, plan_id, PostFields(other_day + dt.timedelta(minutes=n),
                 PostKind.CAMPAIGN, "ig", "y")) for n in range(3)]  # fmt: skip
    moves = [campaigns.plans.update_post(OWNER, p.id, starts_at=day + dt.timedelta(hours=2 + n))
             for n, p in enumerate(elsewhere)]  # fmt: skip
    outcome = await race(db, *moves)
    assert len(outcome.results) == 1
    assert outcome.problems == {Problem.POSTS_PER_DAY: 2}


async def test_teammates_added_at_once_stop_at_the_limit(db: Database) -> None:
    campaigns, cohort_id, plan_id = await planner(db)
    async with db.unit_of_work() as uow:
        mates = [p.id for _m, p in await uow.memberships.members(cohort_id) if p.telegram_id != OWNER]
    outcome = await race(db, *[campaigns.plans.toggle_teammate(OWNER, plan_id, mate) for mate in mates])
    assert outcome.results == [True] * TEAMMATES_MAX
    assert outcome.problems == {Problem.TEAM_LIMIT: len(mates) - TEAMMATES_MAX}
    assert len((await campaigns.plans.view(OWNER, plan_id)).plan.teammates) == TEAMMATES_MAX


async def lesson_trainee(db: Database) -> tuple[LessonService, int, int, int]:
    """A cohort whose first lesson is out and one trainee of it; (lessons, cohort id, Telegram id, person id)."""
    curricula = CurriculumService(db, clock)
    imported = await curricula.import_document(OPERATOR, sample(), "course.yaml")
    async with db.unit_of_work() as uow:
        cohort = await uow.cohorts.add(name="Hit", name_key="hit", timezone="Asia/Baghdad",
                                       start_date=dt.date(2026, 11, 1), lesson_time=dt.time(18), now=START,
                                       curriculum_id=imported.curriculum.id)  # fmt: skip
        await uow.commit()
    (trainee,) = await enrol(db, cohort.id, OWNER, 1, joined=START - dt.timedelta(days=1), locale="en")
    async with db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(trainee)
    assert person is not None
    return LessonService(db, curricula, clock=clock), cohort.id, trainee, person.id


async def test_a_lesson_marked_done_and_opened_at_once_is_one_progress_row(db: Database) -> None:
    lessons, cohort_id, trainee, person_id = await lesson_trainee(db)
    taps = [lessons.mark_done(trainee, cohort_id, 1) for _ in range(3)]
    outcome = await race(db, *taps, lessons.open(trainee, cohort_id, 1))
    assert sorted(r for r in outcome.results if isinstance(r, bool)) == [False, False, True]
    async with db.unit_of_work() as uow:
        progress = await uow.progress.for_any(person_id)
    assert len(progress) == 1 and progress[0].done_at == START


async def test_a_lesson_opened_twice_at_once_claims_its_quiz_for_one_reply(db: Database) -> None:
    """Each tap's reply sends the questions it claimed: two taps at once must not both send the quiz."""
    lessons, cohort_id, trainee, _person_id = await lesson_trainee(db)
    outcome = await race(db, *[lessons.open(trainee, cohort_id, 1) for _ in range(4)])
    claims = [view.to_send for view in outcome.results]
    assert len(claims) == 4 and outcome.refusals == []
    questions = [question for claim in claims for question in claim]
    assert questions and sorted(questions) == sorted(set(questions))  # each question claimed once, by one tap
    assert sum(1 for claim in claims if claim) == 1
    # A claim whose reply never arrived (no poll recorded) is taken again once it is stale.
    later = LessonService(db, CurriculumService(db, clock), clock=lambda: START + dt.timedelta(minutes=3))
    assert (await later.open(trainee, cohort_id, 1)).to_send == tuple(sorted(questions))


async def test_a_quiz_answer_and_a_later_tap_arriving_twice_count_once(db: Database) -> None:
    lessons, cohort_id, trainee, person_id = await lesson_trainee(db)
    async with db.unit_of_work() as uow:
        await lessons.record_poll(uow, poll_id="p1", person_id=person_id, cohort_id=cohort_id, lesson="first",
                                  question=0, correct=(1,))  # fmt: skip
        await uow.commit()
    outcome = await race(db, *[lessons.record_answer("p1", trainee, (1,)) for _ in range(3)])
    answers = [result for result in outcome.results if result is not None]
    assert len(answers) == 1 and answers[0].right == 1 and answers[0].quiz_done
    outcome = await race(db, *[lessons.later(trainee, cohort_id, 1) for _ in range(3)])
    assert sorted(new for _when, new in outcome.results) == [False, False, True]
    assert len({when for when, _new in outcome.results}) == 1
    async with db.unit_of_work() as uow:
        assert len(await uow.quizzes.for_person(person_id, cohort_id)) == 1


async def test_a_curriculum_imported_twice_at_once_is_one_curriculum(db: Database) -> None:
    curricula = CurriculumService(db, clock)
    outcome = await race(db, *[curricula.import_document(OPERATOR, sample(), f"course{n}.yaml") for n in range(3)])
    assert ImportStatus.CREATED in {result.status for result in outcome.results}
    assert len({result.curriculum.id for result in outcome.results}) == 1
    assert len(await curricula.all()) == 1
