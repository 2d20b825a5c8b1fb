"""End to end, privacy: /mydata shows the stored values themselves, /forgetme leaves nothing of the person in any
table (walked from the metadata, see tests/privacy.py), and a stranger leaves no row before consent."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from typing import Any

from bot.services.access import Principal, resolve_principal
from bot.services.campaigns.rules import PlanFields, PostFields
from bot.services.lessons import LESSON, QUIZ
from storage.attendance.dto import AttendanceStatus
from storage.campaigns.dto import PostKind, ProofKind
from storage.dto import Role
from tests.conftest import BotHarness
from tests.e2e.test_e2e_attendance import add_session, code_in
from tests.e2e.test_e2e_campaign_reminders import make_plan
from tests.e2e.test_e2e_campaigns import TIMEOUT, Patient, add_member, edited, is_reminder, person, person_id
from tests.e2e.test_e2e_lessons import lesson_cohort, plain, services, settled, showing
from tests.fake_telegram import SentMessage
from tests.privacy import Traces, leftovers, person_columns

HUDA, ZAID, LAYLA = 7_300_000_101, 7_300_000_102, 7_300_000_104  # ten digits: never met by chance in a text
NAME, TOWN = "Zaid Forgettable", "Qaryat Zaid"
PROOF_LINK = "https://www.instagram.com/p/zaid-proof-1"
NOTE = "Zaid came with his cousin"
OWN_PLAN = PlanFields(
    problem="Zaid's own problem: no library in the village",
    goal="The council opens a reading room",
    target_metric="signups",
    target_count=40,
    target_unit=None,
    audience="Pupils of the village",
    platforms=("fb",),
    hashtag="#ZaidReads",
)
COMMENT = "Layla says: a fine start, Zaid"


async def principal_of(bot: BotHarness, telegram_id: int) -> Principal:
    async with bot.db.unit_of_work() as uow:
        return await resolve_principal(uow, telegram_id, "en", "ar")


async def register_typing_the_town(user: Patient, token: str) -> None:
    await user.start(token)
    await user.expect(lambda m: "English" in m.button_texts())
    await user.press("English")
    await user.sees(showing("full name"))
    await user.send(NAME)
    await user.expect(lambda m: "Other" in m.button_texts())
    await user.press("Other")
    await user.sees(showing("type the name of your town"))
    await user.send(TOWN)
    consent = await user.expect(lambda m: "I agree" in m.button_texts())
    await user.press("I agree", message=consent)
    await user.sees(showing("You are registered in"))


async def mark_done_with_proof(user: Patient, idea: str, proof: str | None) -> None:
    """The reminder of the post with this idea: Done, then a link (or, with None, a screenshot) as the proof."""
    reminder: SentMessage = await user.expect(lambda m: is_reminder(m) and idea in plain(m), timeout=TIMEOUT)
    await user.press("✅ Done", message=reminder)
    await user.sees(edited(reminder, "Send the post's link or a screenshot"))
    if proof is None:
        await user.send_photo()
    else:
        await user.send(proof)
    await user.expect(showing("Proof saved"))


async def forget(user: Patient) -> None:
    await user.send("/forgetme")
    confirm = await user.expect(showing("Delete everything?"))
    await user.press("Yes, delete my data", message=confirm)
    await user.sees(showing("your data was deleted"))


def test_the_walk_discovers_every_column_that_names_a_person() -> None:
    found = person_columns()
    expected = {
        ("people", "id"),
        ("people", "telegram_id"),
        ("memberships", "person_id"),
        ("coordinators", "telegram_id"),
        ("deliveries", "person_id"),
        ("deliveries", "chat_id"),
        ("lesson_progress", "person_id"),
        ("quiz_polls", "person_id"),
        ("broadcasts", "sender_id"),
        ("broadcasts", "source_chat_id"),
        ("broadcasts", "status_chat_id"),
        ("training_sessions", "created_by"),
        ("checkins", "opened_by"),
        ("checkins", "chat_id"),
        ("attendance", "person_id"),
        ("attendance_changes", "person_id"),
        ("attendance_changes", "changed_by"),
        ("checkin_attempts", "person_id"),
        ("campaign_plans", "owner_id"),
        ("campaign_teammates", "person_id"),
        ("campaign_occurrences", "by_id"),
        ("campaign_occurrences", "approved_by"),
        ("campaign_comments", "author_id"),
    }
    assert expected <= found, expected - found


async def test_mydata_shows_the_values_and_forgetme_leaves_nothing(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, token = await lesson_cohort(bot, "Privacy Cohort", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    await add_member(bot, cohort_id, HUDA, Role.TRAINEE, "Huda Owner")
    await add_member(bot, cohort_id, LAYLA, Role.TRAINER, "Layla Trainer")
    zaid, layla = person(fake, ZAID, "Zaid", "en"), person(fake, LAYLA, "Layla", "en")

    # Registered through the bot (a typed town); a late joiner: lesson 1 and its quiz come at once.
    await register_typing_the_town(zaid, token)
    lesson = await zaid.expect(showing("Lesson 1 of 2"), timeout=TIMEOUT)
    first = await zaid.expect(lambda m: m.poll is not None, timeout=TIMEOUT)
    second = await zaid.expect(lambda m: m.poll is not None and m is not first, timeout=TIMEOUT)
    # Once recorded: a press or an answer racing the delivery's own record is a separate, older race.
    await settled(bot, LESSON, 1)
    await settled(bot, QUIZ, 2)
    await zaid.press("✅ Done", message=lesson)
    await zaid.answer_poll(first, [0])  # right
    await zaid.answer_poll(second, [1])  # wrong
    await zaid.expect(showing("Quiz done"), timeout=TIMEOUT)

    # A check-in: one wrong code (kept for the limit), then the right one; a roll note about him.
    session_id = await add_session(bot, cohort_id, "Day 1: storytelling", dt.datetime.now(dt.UTC), "Hall A")
    await layla.send("/checkin_open")
    shown = await layla.expect(lambda m: m.method == "sendPhoto")
    code = code_in(shown)
    await zaid.send("0000" if code != "0000" else "1111")
    await zaid.expect(showing("tries left"))
    await zaid.send(code)
    await zaid.expect(showing("Checked in to Day 1: storytelling"))
    zaid_id = await person_id(bot, ZAID)
    await services(bot).attendance.mark(
        await principal_of(bot, LAYLA), session_id, zaid_id, AttendanceStatus.LATE, note=NOTE
    )

    # Huda's plan with Zaid as teammate: he marks two of her posts done, with a link and with a screenshot.
    plan_id = await make_plan(bot, HUDA, cohort_id, ZAID)
    await zaid.expect(showing("added you to the campaign plan"), timeout=TIMEOUT)
    plans = services(bot).campaigns.plans
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    for seconds, idea in ((3, "Huda's first post"), (6, "Huda's second post")):
        post = await plans.add_post(HUDA, plan_id, PostFields(tomorrow, PostKind.CAMPAIGN, "fb", idea))
        await plans.update_post(HUDA, post.id, starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds))
    await mark_done_with_proof(zaid, "Huda's first post", PROOF_LINK)
    await mark_done_with_proof(zaid, "Huda's second post", None)
    view = await plans.view(HUDA, plan_id)
    screenshot = next(r.proof for r in view.records if r.proof_kind is ProofKind.PHOTO)
    assert screenshot and {r.by_id for r in view.records} == {zaid_id}
    approved = await services(bot).campaigns.review.approve(await principal_of(bot, LAYLA), view.records[0].id)
    assert approved

    # His own plan, with a post and the trainer's comment.
    own = await plans.create(ZAID, cohort_id, OWN_PLAN)
    await plans.add_post(ZAID, own.id, PostFields(tomorrow, PostKind.PROMOTION, "fb", "Zaid's reading-room post"))
    await services(bot).campaigns.review.comment(await principal_of(bot, LAYLA), own.id, COMMENT)

    # /mydata: the values themselves.
    zaid.skip_all()
    await zaid.send("/mydata")
    begins = await zaid.expect(showing("Everything we store about you"))
    ends = await zaid.sees(showing("To delete all of it"))  # the last part, when split
    parts = [m for m in zaid.inbox if begins.message_id <= m.message_id <= ends.message_id and m.text]
    text = "\n".join(plain(m) for m in parts)
    assert not [m for m in zaid.inbox if m.method == "sendDocument"]  # not that long: messages only
    for expected in (
        str(ZAID),
        NAME,
        TOWN,
        "English",
        "Privacy Cohort (trainee)",
        "lesson 1 (day-1): received",
        "question 1: you chose 1 (right)",
        "question 2: you chose 2 (wrong)",
        "Day 1: storytelling (Privacy Cohort)",
        f"the note: «{NOTE}»",
        "Wrong check-in codes kept for the limit",
        "Your plan #ZaidReads",
        OWN_PLAN.problem,
        "Zaid's reading-room post",
        COMMENT,
        "Teammate in the plan",
        "«Huda's first post»",
        PROOF_LINK,
        f"Telegram file id {screenshot}",
    ):
        assert expected in text, expected

    # /forgetme, then nothing of Zaid anywhere.
    await forget(zaid)
    traces = Traces(ZAID, zaid_id, (NAME, TOWN, PROOF_LINK, screenshot, NOTE, OWN_PLAN.problem, COMMENT))
    assert await leftovers(bot.db, traces) == []
    view = await plans.view(HUDA, plan_id)  # Huda's plan keeps the two posts done, as anonymous counts
    assert view.stats.done == 2 and {(r.by_id, r.proof) for r in view.records} == {(None, None)}
    assert view.plan.teammates == ()
    async with bot.db.unit_of_work() as uow:
        anonymous = await uow.progress.for_cohort(cohort_id)
    assert [(p.person_id, p.done_at is not None) for p in anonymous] == [(None, True)]  # a count, nobody's

    # The trainer asks too: her check-in, roll change, approval and comment lose their author.
    layla_id = await person_id(bot, LAYLA)
    await forget(layla)
    assert await leftovers(bot.db, Traces(LAYLA, layla_id, ("Layla Trainer",))) == []


async def test_a_long_mydata_comes_with_a_json_file(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Busy Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, HUDA, Role.TRAINEE, "هدى صاحبة الخطة")
    plans = services(bot).campaigns.plans
    plan = await plans.create(HUDA, cohort_id, OWN_PLAN)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    ideas = [f"فكرة المنشور رقم {n}: " + "نص طويل " * 12 for n in range(60)]
    for n, idea in enumerate(ideas):
        at = start + dt.timedelta(days=n // 5, hours=n % 5)
        await plans.add_post(HUDA, plan.id, PostFields(at, PostKind.CAMPAIGN, "fb", idea))
    huda = person(fake, HUDA, "Huda", "ar")

    await huda.send("/mydata")
    document = await huda.expect(lambda m: m.method == "sendDocument", timeout=TIMEOUT)
    texts = [m for m in huda.inbox if m.method == "sendMessage"]
    assert 1 <= len(texts) <= 2 and "my-data.json" in plain(texts[-1])
    assert all(len(m.text or "") <= 4096 for m in texts)
    assert document.file_name == "my-data.json" and document.file_bytes is not None
    data: dict[str, Any] = json.loads(document.file_bytes.decode("utf-8"))
    assert "هدى صاحبة الخطة".encode() in document.file_bytes  # UTF-8, not \\u escapes
    assert data["telegram_id"] == HUDA and data["name"] == "هدى صاحبة الخطة"
    (stored,) = data["plans"]
    assert stored["problem"] == OWN_PLAN.problem and [p["idea"] for p in stored["posts"]] == ideas
    assert stored["posts"][0]["starts_at"].endswith("+00:00")  # UTC, with the zone
    assert data["memberships"][0]["cohort"] == "Busy Cohort" and data["memberships"][0]["role"] == "trainee"


async def test_a_stranger_leaves_nothing_before_consent(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, token = await lesson_cohort(bot, "Consent Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    stranger = person(fake, 7_300_000_201, "Stranger", "ar")
    traces = Traces(stranger.id, None, ("Sami Stranger", "Qaryat Sami"))

    # /language: the answer is in the chosen language and says so; nothing is kept.
    await stranger.send("/language")
    await stranger.expect(lambda m: "English" in m.button_texts())
    await stranger.press("English")
    answer = await stranger.sees(showing("nothing is saved before you join a cohort"))
    assert "This answer is in English" in plain(answer)
    for text in ("/start", "/help", "/whoami", "/mydata", "/campaign", "/broadcast", "/newcohort", "/checkin 1234",
                 "/myattendance", "/today", "/start ci_NoSuchCheckin", "hello", "/forgetme"):  # fmt: skip
        await stranger.send(text)
        await stranger.next_message(timeout=TIMEOUT)
    await asyncio.sleep(1)  # past the persistence interval: whatever would be flushed is flushed
    assert await leftovers(bot.db, traces) == []

    # Registration up to the consent question: the name and the town typed so far are held in memory only.
    await stranger.start(token)
    await stranger.expect(lambda m: "English" in m.button_texts())
    await stranger.press("English")
    await stranger.sees(showing("full name"))
    await stranger.send("Sami Stranger")
    await stranger.expect(lambda m: "Other" in m.button_texts())
    await stranger.press("Other")
    await stranger.sees(showing("type the name of your town"))
    await stranger.send("Qaryat Sami")
    consent = await stranger.expect(lambda m: "I agree" in m.button_texts())
    await asyncio.sleep(1)
    assert await leftovers(bot.db, traces) == []
    await stranger.press("I do not agree", message=consent)
    await stranger.sees(showing("nothing was saved"))
    await asyncio.sleep(1)
    assert await leftovers(bot.db, traces) == []

    # A restart in the middle: the answers so far are gone (they were never stored); the invite link works again.
    await stranger.start(token)
    await stranger.expect(lambda m: "English" in m.button_texts())
    await stranger.press("English")
    await stranger.sees(showing("full name"))
    await stranger.send("Sami Stranger")
    towns = await stranger.expect(lambda m: "Hit" in m.button_texts())
    await bot.restart()
    assert await leftovers(bot.db, traces) == []
    stale = await stranger.press("Hit", message=towns)
    assert "لم يعد يعمل" in (stale.get("text") or "")  # "no longer active", in the app's language
    assert await leftovers(bot.db, traces) == []
    await register_typing_the_town(stranger, token)
    async with bot.db.unit_of_work() as uow:
        joined = await uow.people.by_telegram_id(stranger.id)
        cohort = await uow.cohorts.by_id(cohort_id)
    assert joined is not None and (joined.full_name, joined.town, joined.locale) == (NAME, TOWN, "en")
    assert joined.consent_at is not None and cohort is not None


async def test_the_last_coordinator_cannot_forget_themselves_but_one_of_two_can(bot: BotHarness) -> None:
    fake = bot.fake
    noor = fake.user(1000, "Noor", language_code="en")
    await noor.send("/forgetme")
    question = await noor.expect("Delete everything?")
    await noor.press("Yes, delete my data", message=question)
    await noor.sees("At least one coordinator must remain")
    async with bot.db.reading() as uow:
        assert await uow.coordinators.all_ids() == [1000]
    await noor.send("/grant 1001")
    await noor.expect("1001")
    await noor.send("/forgetme")
    question = await noor.expect("Delete everything?")
    await noor.press("Yes, delete my data", message=question)
    await noor.sees("Done: your data was deleted.")
    async with bot.db.reading() as uow:
        assert await uow.coordinators.all_ids() == [1001]
