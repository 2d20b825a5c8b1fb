"""End to end: a waiting campaign step never hijacks what comes next — a bare check-in code after Done (the optional
proof step), a trainer's command after 💬 Comment, text after the step's idle time — and a half-finished plan is kept
when something else takes over. Also: moving a post within a full day, and a series past its end date."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest

from bot.services.access import OPERATOR
from bot.services.campaigns.reminders import PLAN_NOTE
from bot.services.campaigns.rules import PostFields
from handlers.campaigns import flow as campaign_flow
from storage.attendance.dto import AttendanceStatus
from storage.campaigns.dto import PostKind, Repeat
from storage.dto import Role
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.e2e.test_e2e_attendance import code_in, is_photo
from tests.e2e.test_e2e_campaign_reminders import make_plan
from tests.e2e.test_e2e_campaigns import TIMEOUT, add_member, edited, is_reminder, person, person_id
from tests.e2e.test_e2e_lessons import lesson_cohort, plain, services, showing

ZONE = ZoneInfo("Asia/Baghdad")


async def test_done_keeps_a_half_finished_plan_and_a_bare_checkin_code_still_checks_in(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Falluja Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6701, Role.TRAINEE, "Maha Owner")
    maha = person(fake, 6701, "Maha", "en")
    plan_id = await make_plan(bot, 6701, cohort_id)
    session = await services(bot).attendance.add_session(
        OPERATOR,
        cohort_id,
        title="Day 2: planning",
        starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5),
        place=None,
    )

    # Maha is half-way through a second plan when a reminder of the first one comes.
    await maha.send("/campaign")
    listing = await maha.expect(showing("Your campaign plans"))
    await maha.press("➕ New plan", message=listing)
    await maha.sees(edited(listing, "1/6 The problem"))
    await maha.send("Broken street lights in Falluja")
    await maha.expect(showing("2/6 The goal"))
    at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    await services(bot).campaigns.plans.add_post(6701, plan_id, PostFields(at, PostKind.CAMPAIGN, "fb", "Night photos"))
    reminder = await maha.expect(is_reminder, timeout=TIMEOUT)
    await maha.press("✅ Done", message=reminder)
    await maha.sees(edited(reminder, "Send the post's link or a screenshot"))
    await maha.expect(showing("Your unfinished campaign plan is kept"))  # not silently thrown away

    # The trainer opens the session's check-in; Maha types the bare code while the proof step is open.
    coordinator = person(fake, COORDINATOR_ID, "Noor", "en")
    await coordinator.send("/opencheckin")
    code = code_in(await coordinator.expect(is_photo))
    await maha.send(code)
    await maha.expect(showing("stays marked done, without a proof"))
    await maha.expect(showing("Checked in to Day 2: planning"))
    async with bot.db.unit_of_work() as uow:
        record = await uow.attendance.get(session.id, await person_id(bot, 6701))
    assert record is not None and record.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
    view = await services(bot).campaigns.plans.view(6701, plan_id)
    assert view.stats.done == 1 and [r.proof for r in view.records] == [None]  # the code is no proof

    # /campaign offers the half-finished plan again, at the question it stopped at.
    await maha.send("/campaign")
    offer = await maha.expect(showing("You have an unfinished plan: Broken street lights in Falluja"))
    await maha.press("▶️ Go on with the unfinished plan", message=offer)
    question = await maha.sees(edited(offer, "2/6 The goal"))
    await maha.send("The council repairs the lights on the main road")
    metric = await maha.expect(showing("3/6 A measurable target"))
    assert metric.message_id != question.message_id
    assert len(await services(bot).campaigns.plans.plans(6701)) == 1  # nothing saved before the last step


async def test_a_command_ends_a_trainers_comment_step_and_an_idle_step_lets_text_through(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Diyala Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6801, Role.TRAINEE, "Sami Owner")
    await add_member(bot, cohort_id, 6802, Role.TRAINER, "Rana Trainer")
    rana = person(fake, 6802, "Rana", "en")
    plan_id = await make_plan(bot, 6801, cohort_id)

    await rana.send("/campaigns")
    listing = await rana.expect(showing("Campaign plans of Diyala Cohort"))
    await rana.press("🔍 1", message=listing)
    detail = await rana.sees(edited(listing, "Problem:"))
    await rana.press("💬 Comment", message=detail)
    await rana.expect(showing("Type your comment"))
    await rana.send("/newsession")  # she changed her mind: the command is handled, the comment step is over
    await rana.expect(showing("What day is the session?"))
    day = dt.datetime.now(ZONE).date() + dt.timedelta(days=7)
    await rana.send(day.isoformat())
    await rana.expect(showing("At what time does it start?"))
    await rana.send("/cancel")
    await rana.expect(showing("Cancel"))

    # A comment step left alone longer than the idle time (a restart loses its timeout): text is not a comment.
    await rana.press("💬 Comment", message=detail)
    await rana.expect(showing("Type your comment"))
    assert bot.runner is not None
    waiting = bot.runner.application.user_data[6802]["campaign"]
    waiting["seen"] = time.time() - 31 * 60
    await rana.send("Where is the bus stop?")
    await rana.expect(showing("I didn't understand that"))

    review = await services(bot).campaigns.plans.view(6801, plan_id)
    assert review.comments == []  # neither the date nor the question was posted as a comment
    async with bot.db.unit_of_work() as uow:
        assert await uow.deliveries.of_kind(PLAN_NOTE) == []  # and the trainee was told of nothing


async def test_moving_a_post_within_a_full_day_and_a_series_past_its_end(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Hit Movers", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6901, Role.TRAINEE, "Ali Owner")
    ali = person(fake, 6901, "Ali", "en")
    plan_id = await make_plan(bot, 6901, cohort_id)
    plans = services(bot).campaigns.plans
    full = dt.datetime.now(ZONE).date() + dt.timedelta(days=5)
    for hour in range(10, 15):  # a full day: five posts
        moment = dt.datetime.combine(full, dt.time(hour), tzinfo=ZONE)
        await plans.add_post(6901, plan_id, PostFields(moment, PostKind.CAMPAIGN, "fb", f"Idea {hour}"))
    first = dt.datetime.now(ZONE).date() + dt.timedelta(days=10)
    series = await plans.add_post(
        6901,
        plan_id,
        PostFields(
            dt.datetime.combine(first, dt.time(9), tzinfo=ZONE),
            PostKind.CAMPAIGN,
            "ig",
            "Weekly tips",
            Repeat.WEEKLY,
            first + dt.timedelta(days=14),
        ),
    )

    # The 10:00 post moves to 20:00 the same day: the day stays at five posts, so it is allowed.
    await ali.send("/campaign")
    card = await ali.expect(showing("Your campaign plans"))
    await ali.press("#ملعب_الرمادي", message=card)
    await ali.sees(edited(card, "Campaign plan"))
    await ali.press("📋 Posts", message=card)
    await ali.sees(lambda m: m.message_id == card.message_id and "✏️ 6" in m.button_texts())
    await ali.press("✏️ 1", message=card)
    await ali.sees(lambda m: m.message_id == card.message_id and "Time" in m.button_texts())
    await ali.press("Time", message=card)
    await ali.sees(edited(card, "When should it go out?"))
    await ali.send(f"{full.isoformat()} 20:00")
    moved = await ali.expect(showing("Post changed"))
    assert "Idea 10" in plain(moved) and "20:00" in plain(moved)
    day = sorted(
        p.starts_at.astimezone(ZONE).hour for p in (await plans.view(6901, plan_id)).posts if p.idea[:4] == "Idea"
    )
    assert day == [11, 12, 13, 14, 20]

    # The weekly series moved past its end date: asked again whether and until when it repeats, and saved so.
    await ali.press("📋 The plan", message=moved)
    await ali.sees(edited(moved, "Campaign plan"))
    await ali.press("📋 Posts", message=moved)
    await ali.sees(lambda m: m.message_id == moved.message_id and "✏️ 6" in m.button_texts())
    await ali.press("✏️ 6", message=moved)
    await ali.sees(lambda m: m.message_id == moved.message_id and "Time" in m.button_texts())
    await ali.press("Time", message=moved)
    await ali.sees(edited(moved, "When should it go out?"))
    later = first + dt.timedelta(days=20)
    await ali.send(f"{later.isoformat()} 09:00")
    await ali.expect(showing("needs an end date after its first day"))
    repeat = await ali.expect(showing("Does it repeat?"))
    await ali.press("Every week", message=repeat)
    await ali.sees(edited(repeat, "Until when?"))
    until = later + dt.timedelta(days=21)
    await ali.send(until.isoformat())
    saved = await ali.expect(showing("Post changed"))
    assert "Weekly tips" in plain(saved)
    _plan, post, _zone = await plans.post(6901, series.id)
    assert post.starts_at.astimezone(ZONE).date() == later and post.repeat_until == until
    assert post.repeat is Repeat.WEEKLY


async def test_an_unanswered_step_times_out_and_keeps_a_half_finished_plan(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(campaign_flow, "STEP_IDLE", dt.timedelta(seconds=1))  # the conversation's timeout
    await bot.restart()
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Ramadi Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 7001, Role.TRAINEE, "Huda Planner")
    huda = person(fake, 7001, "Huda", "en")
    await huda.send("/campaign")
    await huda.expect(showing("1/6 The problem"))
    await huda.send("No shade at the bus stops of Ramadi")
    await huda.expect(showing("2/6 The goal"))
    await asyncio.sleep(2.5)  # no answer: the step is over
    await huda.send("The council builds ten shelters")
    await huda.expect(showing("I didn't understand that"))  # not taken as the goal
    await huda.send("/campaign")
    offer = await huda.expect(showing("You have an unfinished plan: No shade at the bus stops"))
    await huda.press("🗑 Discard it", message=offer)
    await huda.sees(edited(offer, "The unfinished plan was discarded."))
    assert await services(bot).campaigns.plans.plans(7001) == []
