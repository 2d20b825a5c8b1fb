"""End to end: posting reminders after downtime (grace, then recorded as missed; nothing twice across restarts),
Snooze and Skip for a team, and what a post's change or deletion does to reminders already planned."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.services.campaigns.reminders import POST_REMIND, occurrence_prefix
from bot.services.campaigns.rules import PlanFields, PostFields
from storage.campaigns.dto import PostKind, ProofKind
from storage.dto import DeliveryState, Role
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.e2e.test_e2e_campaigns import (
    TIMEOUT,
    add_member,
    edited,
    eventually,
    is_reminder,
    person,
    person_id,
    reminders,
)
from tests.e2e.test_e2e_lessons import lesson_cohort, plain, services, showing

PLAN = PlanFields(
    problem="No safe place to play football in Ramadi",
    goal="The council opens the school yard on Fridays",
    target_metric="signups",
    target_count=80,
    target_unit=None,
    audience="Parents and boys of Ramadi",
    platforms=("fb", "ig"),
    hashtag="#ملعب_الرمادي",
)


async def make_plan(bot: BotHarness, owner: int, cohort_id: int, *teammates: int) -> int:
    plans = services(bot).campaigns.plans
    plan = await plans.create(owner, cohort_id, PLAN)
    for mate in teammates:
        await plans.toggle_teammate(owner, plan.id, await person_id(bot, mate))
    return plan.id


async def test_downtime_within_grace_once_beyond_grace_missed_no_duplicates(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Downtime Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6201, Role.TRAINEE, "Amal Owner")
    amal = person(fake, 6201, "Amal", "en")
    plan_id = await make_plan(bot, 6201, cohort_id)
    plans = services(bot).campaigns.plans
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    recent = await plans.add_post(6201, plan_id, PostFields(soon, PostKind.CAMPAIGN, "fb", "Within grace"))
    old = await plans.add_post(6201, plan_id, PostFields(soon, PostKind.PROMOTION, "ig", "Beyond grace"))

    # The bot was down for a long while: its last planning reached 8 hours ago; one post fell due an hour ago,
    # the other seven hours ago (DELIVERY_GRACE_HOURS is 6).
    await bot.stop()
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    db = Database(bot.settings.database_url)
    async with db.unit_of_work() as uow:
        for post, ago in ((recent, 1), (old, 7)):
            await uow.campaigns.update_post(
                post.id, now, starts_at=now - dt.timedelta(hours=ago), planned_until=now - dt.timedelta(hours=8)
            )
        await uow.commit()
    await db.dispose()
    await bot.start()

    late = await amal.expect(is_reminder, timeout=TIMEOUT)
    assert "Within grace" in plain(late)

    async def missed_recorded() -> bool:
        rows = [
            d for d in await reminders(bot) if d.key.startswith(occurrence_prefix(old.id, now - dt.timedelta(hours=7)))
        ]
        return bool(rows) and all(
            d.state is DeliveryState.SKIPPED and (d.reason or "").startswith("missed") for d in rows
        )

    await eventually(missed_recorded)
    await bot.restart()
    await asyncio.sleep(2)
    assert [plain(m) for m in amal.inbox if is_reminder(m)] == [plain(late)]  # once, across two restarts
    assert not [m for m in amal.inbox if "Beyond grace" in plain(m)]
    view = await plans.view(6201, plan_id)
    assert (view.stats.missed, view.stats.done, view.stats.on_time_percent) == (1, 0, 0)
    await amal.press("✅ Done", message=late)  # an hour late, within the grace window: on time
    await amal.sees(edited(late, "Send the post's link"))
    await amal.send_photo()  # a screenshot as the proof
    await amal.expect(showing("Proof saved"))
    view = await plans.view(6201, plan_id)
    assert (view.stats.missed, view.stats.done, view.stats.on_time_percent) == (1, 1, 50)
    assert [r.proof_kind for r in view.records] == [ProofKind.PHOTO]

    # A coordinator reviews it: the screenshot is shown again from its file id, then approved.
    coordinator = person(fake, COORDINATOR_ID, "Noor", "en")
    await coordinator.send("/campaigns")
    listing = await coordinator.expect(showing("Campaign plans of Downtime Cohort"))
    assert "missed 1" in plain(listing) and "on time 50%" in plain(listing)
    await coordinator.press("🔍 1", message=listing)
    detail = await coordinator.sees(edited(listing, "screenshot"))
    await coordinator.press("🖼 1", message=detail)
    photo = await coordinator.expect(lambda m: m.method == "sendPhoto")
    assert photo.params.get("photo") == view.records[0].proof


async def test_snooze_then_skip_by_a_teammate_closes_the_occurrence_for_everyone(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Team Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6301, Role.TRAINEE, "Sara Owner")
    await add_member(bot, cohort_id, 6302, Role.TRAINEE, "Rami Mate")
    sara, rami = person(fake, 6301, "Sara", "en"), person(fake, 6302, "Rami", "en")
    plan_id = await make_plan(bot, 6301, cohort_id, 6302)
    await rami.expect("added you to the campaign plan", timeout=TIMEOUT)
    plans = services(bot).campaigns.plans
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    post = await plans.add_post(6301, plan_id, PostFields(at, PostKind.CAMPAIGN, "fb", "Poll: where should we play?"))
    mine, theirs = await sara.expect(is_reminder, timeout=TIMEOUT), await rami.expect(is_reminder, timeout=TIMEOUT)

    await sara.press("⏰ Snooze 1 h", message=mine)
    await sara.sees(edited(mine, "Snoozed: I will remind you again at"))
    prefix = occurrence_prefix(post.id, post.starts_at)
    snoozed = [d for d in await reminders(bot) if d.key == f"{prefix}{await person_id(bot, 6301)}:z1"]
    assert [d.state for d in snoozed] == [DeliveryState.PENDING]
    assert dt.timedelta(minutes=59) < snoozed[0].due_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)

    await rami.press("⏭ Skip", message=theirs)
    await rami.sees(edited(theirs, "Skipped"))
    closed = [d for d in await reminders(bot) if d.key == snoozed[0].key]
    assert [(d.state, d.reason) for d in closed] == [(DeliveryState.SKIPPED, "post skipped")]
    refused = await sara.press("✅ Done", message=mine)
    assert refused.get("show_alert") and "already skipped" in refused["text"]
    view = await plans.view(6301, plan_id)
    assert (view.stats.skipped, view.stats.done) == (1, 0)
    assert [r.by_id for r in view.records] == [await person_id(bot, 6302)]


async def test_changed_post_skips_its_old_reminders_and_a_deleted_post_closes_them(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Change Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6401, Role.TRAINEE, "Lina Owner")
    lina = person(fake, 6401, "Lina", "en")
    plan_id = await make_plan(bot, 6401, cohort_id)
    plans = services(bot).campaigns.plans
    first = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(seconds=4)
    post = await plans.add_post(6401, plan_id, PostFields(first, PostKind.CAMPAIGN, "fb", "Old idea", lead_minutes=15))
    gone = await plans.add_post(
        6401, plan_id, PostFields(first + dt.timedelta(hours=3), PostKind.PROMOTION, "ig", "Gone")
    )
    # The first post moves an hour later before its reminder: the old row is skipped when due, the new one planned.
    await plans.update_post(6401, post.id, starts_at=first + dt.timedelta(hours=1), idea="New idea")
    await plans.delete_post(6401, gone.id)

    async def old_row_skipped() -> bool:
        rows = [d for d in await reminders(bot) if d.key.startswith(occurrence_prefix(post.id, first))]
        return bool(rows) and all((d.state, d.reason) == (DeliveryState.SKIPPED, "post changed") for d in rows)

    await eventually(old_row_skipped)
    await lina.no_message(within=1.0)
    rows = await reminders(bot)
    moved = occurrence_prefix(post.id, first + dt.timedelta(hours=1))
    assert sorted(d.key.rsplit(":", 1)[1] for d in rows if d.key.startswith(moved)) == ["at", "lead15"]
    assert all(d.state is DeliveryState.PENDING for d in rows if d.key.startswith(moved))
    deleted = [d for d in rows if d.key.startswith(f"cr:{gone.id}:")]
    assert deleted and all((d.state, d.reason) == (DeliveryState.SKIPPED, "post deleted") for d in deleted)
    assert {d.kind for d in rows} == {POST_REMIND}
