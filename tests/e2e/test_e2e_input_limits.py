"""End to end: what an attacker typed to crash handlers, answered politely with nothing changed; names whose comparison
key outgrows the name (ﷺ spells out 18 letters) register on both databases."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from bot.services.access import OPERATOR
from bot.text import normalize_key
from storage.dto import Role
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.crowd import enrol
from tests.e2e.test_e2e_broadcasts import TRAINER, cohort_of, start_broadcast
from tests.e2e.test_e2e_foundation import LINK, register, token_in
from tests.e2e.test_e2e_lessons import plain, services, showing
from tests.fake_telegram import FakeUser

LIGATURE_NAME = "محمد ﷺ ﷺ ﷺ ﷺ"  # 12 characters; its key has 80 (NFKC: ﷺ → صلى الله عليه وسلم)
WENT_WRONG = "went wrong"


def no_crash(user: FakeUser) -> None:
    said = [plain(m) for m in user.inbox]
    assert not [t for t in said if WENT_WRONG in t], said[-3:]


async def new_cohort(coordinator: FakeUser, cohort: str) -> str:
    """/newcohort typed through; returns the trainee invite token."""
    await coordinator.send("/newcohort")
    await coordinator.expect(showing("What is its name?"))
    await coordinator.send(cohort)
    await coordinator.expect(showing("When does it start?"))
    await coordinator.send((dt.date.today() + dt.timedelta(days=10)).isoformat())
    await coordinator.expect(showing("At what time"))
    await coordinator.send("18:30")
    return token_in(await coordinator.expect(lambda m: LINK.search(m.text or "") is not None))


async def test_a_name_with_ligatures_registers_and_a_cohort_full_of_them_is_created(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    too_long = " ".join(["ﷺ"] * 32)  # 63 characters, but a key of 607: the ordinary answer, nothing created
    await coordinator.send("/newcohort")
    await coordinator.expect(showing("What is its name?"))
    await coordinator.send(too_long)
    await coordinator.expect(showing("Please type a name of 2 to 64 characters."))
    await coordinator.send("/cancel")
    await coordinator.expect(showing("Cancelled"))
    full = " ".join(["ﷺ"] * 10)  # a key of 189 characters
    token = await new_cohort(coordinator, full)

    trainee = fake.user(7301, "Mohammed", language_code="en")
    await trainee.start(token)
    await trainee.expect(lambda m: "English" in m.button_texts())
    await trainee.press("English")
    await trainee.sees(showing("full name"))
    await trainee.send("محمد " + " ".join(["ﷺ"] * 20))  # 44 characters, a key of 384: asked again
    await trainee.expect(showing("between 2 and 64 characters"))
    await trainee.send("/cancel")
    await trainee.expect(showing("cancelled"))
    await register(trainee, token, language="English", name=LIGATURE_NAME, town="Hit", final="You are registered in")
    no_crash(trainee)
    no_crash(coordinator)
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(7301)
        cohort = await uow.cohorts.by_name_key(normalize_key(full))
    async with bot.db.engine.connect() as conn:
        key = (await conn.execute(text("SELECT name_key FROM people WHERE telegram_id = 7301"))).scalar_one()
    assert person is not None and (person.full_name, key) == (LIGATURE_NAME, normalize_key(LIGATURE_NAME))
    assert len(key) == 80
    assert cohort is not None and cohort.name == full
    assert [s.cohort.name for s in await services(bot).cohorts.summaries(OPERATOR)] == [
        full
    ]  # the over-long one was not created


async def test_a_5000_digit_campaign_target_is_refused(bot: BotHarness) -> None:
    fake = bot.fake
    created = await services(bot).cohorts.create(
        OPERATOR, name="Hit Targets", start_date=dt.date.today(), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    await enrol(bot.db, created.cohort.id, 7401, 1, joined=dt.datetime.now(dt.UTC), locale="en")
    huda = fake.user(7401, "Huda", language_code="en")
    await huda.send("/campaign")
    await huda.expect(showing("1/6 The problem"))
    await huda.send("Rubbish in the streets of Hit")
    await huda.expect(showing("2/6 The goal"))
    await huda.send("The municipality puts bins in the market")
    metric = await huda.expect(showing("3/6 A measurable target"))
    await huda.press("Followers", message=metric)
    await huda.sees(showing("How many?"))
    await huda.send("9" * 5000)
    await huda.expect(showing("whole number from 1 to 10000000"))
    await huda.send("٥٠٠")  # the step still waits, and takes a good answer
    await huda.expect(showing("4/6 The audience"))
    no_crash(huda)


async def test_post_times_in_year_1_and_9999_are_refused(bot: BotHarness) -> None:
    """Year 1 overflows UTC in a zone ahead of it (Baghdad), year 9999 in a zone behind it (New York)."""
    from bot.services.campaigns.rules import PlanFields

    fake = bot.fake
    cases = (
        ("Asia/Baghdad", 7501, ("0001-01-01 00:30", "already passed"), ("1/1/0001 1:00", "already passed")),
        ("America/New_York", 7502, ("9999-12-31 23:00", "more than a year ahead"), ("31/12/9999 22:00", "year ahead")),
    )
    for zone, telegram_id, *typed in cases:
        created = await services(bot).cohorts.create(
            OPERATOR, name=f"Posts {zone}", start_date=dt.date.today(), lesson_time=dt.time(18, 0), timezone=zone
        )
        await enrol(bot.db, created.cohort.id, telegram_id, 1, joined=dt.datetime.now(dt.UTC), locale="en")
        fields = PlanFields("Rubbish in Hit", "Bins in the market", "followers", 500, None, "Youth", ("ig",), "#Hit")
        plan = await services(bot).campaigns.plans.create(telegram_id, created.cohort.id, fields)
        huda = fake.user(telegram_id, "Huda", language_code="en")
        await huda.send("/whoami")
        anchor = await huda.expect(showing(str(telegram_id)))
        await huda.press_data(f"cp:ap:{plan.id}", anchor)
        await huda.sees(showing("When should it go out?"))
        for when, answer in typed:
            await huda.send(when)
            await huda.expect(showing(answer))
        await huda.send("tomorrow 18:00")  # still asking, and a good answer goes on
        await huda.expect(showing("What kind of post"))
        no_crash(huda)
        assert (await services(bot).campaigns.plans.view(telegram_id, plan.id)).posts == []


async def test_broadcast_send_at_far_in_the_past_or_future_is_refused(bot: BotHarness) -> None:
    fake = bot.fake
    await cohort_of(bot, "Hit Announcements", 2, first=741_000)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    await start_broadcast(trainer)
    await trainer.send("Tomorrow's session is at 10:00.")
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts())
    at_time = next(t for t in summary.button_texts() if "time" in t)
    await trainer.press(at_time, message=summary)
    await trainer.sees(showing("At what time"))
    for typed, answer in (
        ("0001-01-01 00:00", "already passed"),
        ("2020-01-01 09:00", "already passed"),
        ("9999-12-31 23:59", "more than a year ahead"),
        (f"{dt.date.today() + dt.timedelta(days=400)} 09:00", "more than a year ahead"),
    ):
        await trainer.send(typed)
        await trainer.expect(showing(answer))
    no_crash(trainer)
    async with bot.db.unit_of_work() as uow:
        assert await uow.deliveries.of_kind("broadcast") == []  # nothing planned
    await trainer.send("/cancel")
    await trainer.expect(showing("nothing was sent"))


async def test_grant_and_revoke_with_23_digits_answer_politely(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    for command in ("/revoke", "/grant"):
        await coordinator.send(f"{command} 12345678901234567890123")
        await coordinator.expect(showing("not a Telegram id"))
        await coordinator.send(f"{command} ١٢٣٤٥٦٧٨٩٠١٢٣٤٥٦٧٨٩٠١٢٣ coordinator")  # Arabic-Indic digits too
        await coordinator.expect(showing("not a Telegram id"))
    no_crash(coordinator)
    assert await services(bot).roles.coordinators() == [COORDINATOR_ID]
    await coordinator.send("/grant 4503599627370495")  # 2**52 - 1: the largest id Telegram can give
    await coordinator.expect(showing("is now a coordinator"))
    assert await services(bot).roles.coordinators() == [COORDINATOR_ID, 4503599627370495]


async def test_forged_buttons_with_huge_numbers_are_stale(bot: BotHarness) -> None:
    fake = bot.fake
    created = await services(bot).cohorts.create(
        OPERATOR, name="Hit Buttons", start_date=dt.date.today(), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    await enrol(bot.db, created.cohort.id, 7601, 1, joined=dt.datetime.now(dt.UTC), locale="en", role=Role.TRAINER)
    trainer = fake.user(7601, "Layla", language_code="en")
    await trainer.send("/whoami")
    anchor = await trainer.expect(showing("7601"))
    huge = "9" * 40
    for data in (
        f"ls:open:{huge}:1",
        f"rl:l:{huge}:0",
        f"rl:l:1:{huge}",
        f"inv:revoke:{huge}",
        f"cr:d:1:{huge}",
        f"cp:ap:{huge}",
        f"bc:x:{huge}",
    ):
        answer = await trainer.press_data(data, anchor)
        assert WENT_WRONG not in (answer.get("text") or ""), data
    no_crash(trainer)
