"""End to end: daily lessons and quizzes through the real Application and the fake Telegram server."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.services.access import OPERATOR
from bot.services.lessons import LESSON, QUIZ
from bot.services.people import CohortService
from storage.dto import DeliveryDTO, DeliveryState
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.crowd import enrol
from tests.e2e.test_e2e_foundation import register
from tests.fake_telegram import FakeUser, SentMessage

ZONE = ZoneInfo("Asia/Baghdad")


def loc(en: str, ar: str) -> dict[str, str]:
    return {"ar": ar, "en": en}


def question(text: str, correct: int) -> dict[str, Any]:
    return {
        "question": loc(f"{text}?", f"{text}؟"),
        "options": [loc("Yes", "نعم"), loc("No", "لا"), loc("Maybe", "ربما")],
        "correct": [correct],
        "explanation": loc("Think about it.", "فكّر في الأمر."),
    }


COURSE = yaml.safe_dump(
    {
        "id": "campaign-basics",
        "title": loc("Campaign basics", "أساسيات الحملات"),
        "lessons": [
            {
                "id": f"day-{day}",
                "title": loc(f"Lesson title {day}", f"عنوان الدرس {day}"),
                "prompt": loc(f"<b>Read this</b> on day {day}.", f"<b>اقرأ هذا</b> في اليوم {day}."),
                "task": loc("Post one photo.", "انشر صورة واحدة."),
                "links": [{"url": "https://www.facebook.com/help", "label": loc("Help", "مساعدة")}],
                "questions": [question(f"First question {day}", 0), question(f"Second question {day}", 2)],
            }
            for day in (1, 2)
        ],
    },
    allow_unicode=True,
)


def services(bot: BotHarness) -> Any:
    assert bot.runner is not None
    return bot.runner.application.bot_data["services"]


async def lesson_cohort(bot: BotHarness, name: str, first_lesson: dt.datetime) -> tuple[int, str]:
    """A cohort on COURSE whose first lesson is at `first_lesson`, every day a lesson day; (id, invite token)."""
    imported = await services(bot).curricula.import_document(OPERATOR, COURSE, "course.yaml")
    local = first_lesson.astimezone(ZONE)
    created = await services(bot).cohorts.create(
        OPERATOR,
        name=name,
        start_date=local.date(),
        lesson_time=local.time().replace(microsecond=0),
        timezone="Asia/Baghdad",
        curriculum_id=imported.curriculum.id,
        rest_days=frozenset(),
        observe_holidays=False,
    )
    return created.cohort.id, created.invite.token


async def move_first_lesson(bot: BotHarness, cohort_id: int, when: dt.datetime) -> None:
    """Change the schedule of record while the bot is stopped (as an operator would, from the CLI)."""
    local = when.astimezone(ZONE)
    db = Database(bot.settings.database_url)
    try:
        await CohortService(db).set_schedule(
            OPERATOR, cohort_id, start_date=local.date(), lesson_time=local.time().replace(microsecond=0)
        )
    finally:
        await db.dispose()


async def deliveries(bot: BotHarness, kind: str) -> list[DeliveryDTO]:
    async with bot.db.unit_of_work() as uow:
        return await uow.deliveries.of_kind(kind)


async def settled(bot: BotHarness, kind: str, count: int) -> None:
    """Wait until `count` deliveries of `kind` are recorded as sent (the record follows Telegram's answer)."""
    for _ in range(100):
        if sum(1 for d in await deliveries(bot, kind) if d.state is DeliveryState.SENT) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"fewer than {count} {kind} deliveries recorded as sent")


def plain(message: SentMessage) -> str:
    """The text without the direction marks around numbers and names (what a reader sees)."""
    return "".join(c for c in (message.text or "") if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


def showing(text: str) -> Any:
    return lambda message: text in plain(message)


def polls_of(user: FakeUser) -> list[SentMessage]:
    return [m for m in user.inbox if m.poll is not None]


async def test_lesson_and_quiz_delivered_answered_and_scored(bot: BotHarness) -> None:
    fake = bot.fake
    now = dt.datetime.now(dt.UTC)
    cohort_id, token = await lesson_cohort(bot, "Ramadi Lessons", now + dt.timedelta(days=3))
    huda = fake.user(4101, "Huda", language_code="en")
    zaid = fake.user(4102, "Zaid", language_code="ar")
    await register(huda, token, language="English", name="Huda Karim", town="Ramadi", final="Ramadi Lessons")
    await register(zaid, token, language="العربية", name="زيد علي", town="هيت", final="Ramadi Lessons")

    await huda.send("/today")
    await huda.expect("has not started yet")

    # The lesson time a few seconds ahead, then a restart: the alarm is rebuilt from the database.
    await bot.stop()
    await move_first_lesson(bot, cohort_id, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3))
    await bot.start()

    lesson = await huda.expect(showing("Lesson 1 of 2"), timeout=30)
    assert "Lesson title 1" in plain(lesson) and "Post one photo." in plain(lesson)
    assert lesson.button_texts()[:2] == ["✅ Done", "⏰ Later"]
    assert lesson.buttons()[1][0]["url"] == "https://www.facebook.com/help"
    arabic_lesson = await zaid.expect(showing("الدرس 1 من 2"), timeout=30)
    assert "عنوان الدرس 1" in plain(arabic_lesson)

    first = await huda.expect(lambda m: m.poll is not None, timeout=30)
    second = await huda.expect(lambda m: m.poll is not None, timeout=30)
    assert first.sent_at - lesson.sent_at >= 1.0  # the quiz at least a second after the lesson
    assert first.poll is not None and second.poll is not None
    assert first.poll["type"] == "quiz" and first.poll["is_anonymous"] is False
    assert first.poll["question"] == "First question 1?"
    assert [o["text"] for o in first.poll["options"]] == ["Yes", "No", "Maybe"]
    assert first.poll["correct_option_ids"] == [0]
    assert first.poll["explanation"] == "Think about it."
    assert (await zaid.expect(lambda m: m.poll is not None, timeout=30)).poll["question"] == "First question 1؟"  # type: ignore[index]

    # An answer to a poll the bot never sent is ignored; the first real answer counts.
    fake.push_update(
        {
            "poll_answer": {
                "poll_id": "no-such-poll",
                "user": huda.json,
                "option_ids": [0],
                "option_persistent_ids": ["0"],
            }
        }
    )
    await huda.answer_poll(first, [0])  # right
    await huda.answer_poll(second, [0])  # wrong (the right one is "Maybe")
    summary = await huda.expect("Quiz done", timeout=30)
    assert "1 of 2" in plain(summary)

    await huda.send("/progress")
    progress = await huda.expect("Your progress")
    text = plain(progress)
    assert "0 of 2 lessons done" in text and "Quiz score: 50%" in text and "Rank: 1 of 2" in text

    done = await huda.press("✅ Done", message=lesson)
    assert "Well done" in (done.get("text") or "")
    again = await huda.press_data(f"ls:done:{cohort_id}:1", lesson)  # a repeated press changes nothing
    assert "Already" in (again.get("text") or "")
    await huda.send("/progress")
    progress = await huda.expect("Your progress")
    assert "1 of 2 lessons done" in plain(progress) and "Streak: 1 day" in plain(progress)

    # Someone else's cohort or a lesson not out yet: refused, nothing recorded.
    refused = await zaid.press_data(f"ls:open:{cohort_id}:2", arabic_lesson)
    assert refused.get("show_alert") is True
    refused = await zaid.press_data("ls:done:999:1", arabic_lesson)
    assert refused.get("text")

    await settled(bot, QUIZ, 4)
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send("/lessonstats Ramadi Lessons")
    stats = await coordinator.expect(showing("Lessons out: 1 of 2"))
    stats_text = plain(stats)
    assert "received 2" in stats_text and "done 50%" in stats_text and "quiz correct 50%" in stats_text
    assert "hardest: «Second question 1?» — 0 of 1 right" in stats_text
    assert "sent 6" in stats_text  # 2 lessons + 4 questions

    assert len([m for m in huda.inbox if "Lesson 1 of 2" in plain(m)]) == 1
    assert len(polls_of(huda)) == 2 and len(polls_of(zaid)) == 2
    await huda.send("/lessonstats")
    await huda.expect("only trainers and coordinators")


async def test_downtime_within_grace_delivers_once_and_beyond_grace_skips(bot: BotHarness) -> None:
    fake = bot.fake
    now = dt.datetime.now(dt.UTC)
    soon_id, soon_token = await lesson_cohort(bot, "Within Grace", now + dt.timedelta(days=3))
    late_id, late_token = await lesson_cohort(bot, "Beyond Grace", now + dt.timedelta(days=3))
    amal = fake.user(4201, "Amal", language_code="en")
    omar = fake.user(4202, "Omar", language_code="en")
    await register(amal, soon_token, language="English", name="Amal Said", town="Diyala", final="Within Grace")
    await register(omar, late_token, language="English", name="Omar Taha", town="Hit", final="Beyond Grace")

    # Stopped before both lessons fell due; started an hour later for one and seven hours later for the other.
    await bot.stop()
    await move_first_lesson(bot, soon_id, dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    await move_first_lesson(bot, late_id, dt.datetime.now(dt.UTC) - dt.timedelta(hours=7))  # grace is 6 h
    await bot.start()

    await amal.expect(showing("Lesson 1 of 2"), timeout=30)
    await amal.expect(lambda m: m.poll is not None, timeout=30)
    await bot.restart()  # and again: nothing goes twice
    await asyncio.sleep(3)
    assert len([m for m in amal.inbox if "Lesson 1 of 2" in plain(m)]) == 1
    assert len(polls_of(amal)) == 2

    assert not [m for m in omar.inbox if "Lesson" in (m.text or "")]
    skipped = [d for d in await deliveries(bot, LESSON) if d.cohort_id == late_id]
    assert [(d.state, (d.reason or "")[:6]) for d in skipped] == [(DeliveryState.SKIPPED, "missed")]
    await omar.send("/lessons")  # the missed lesson can still be opened
    listing = await omar.expect("Beyond Grace")
    assert "⭕ 1." in plain(listing)
    await omar.press("1", message=listing)
    await omar.expect(showing("Lesson 1 of 2"))
    polls = [await omar.expect(lambda m: m.poll is not None, timeout=30) for _ in range(2)]
    assert [p.poll["question"] for p in polls if p.poll] == ["First question 1?", "Second question 1?"]


async def test_429_is_honoured_403_marks_blocked_and_a_late_joiner_gets_the_current_lesson(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, token = await lesson_cohort(bot, "Falluja Lessons", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    lina = fake.user(4301, "Lina", language_code="en")
    rami = fake.user(4302, "Rami", language_code="en")
    await register(lina, token, language="English", name="Lina Hadi", town="Fallujah", final="Falluja Lessons")
    await register(rami, token, language="English", name="Rami Nouri", town="Hit", final="Falluja Lessons")
    fake.block(4302)  # blocked, and Telegram has not told the bot yet: the send answers 403
    fake.fail_next("sendPoll", error_code=429, retry_after=2, chat_id=4301)

    await bot.stop()
    await move_first_lesson(bot, cohort_id, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2))
    await bot.start()

    await lina.expect(showing("Lesson 1 of 2"), timeout=30)
    first = await lina.expect(lambda m: m.poll is not None, timeout=30)
    await lina.expect(lambda m: m.poll is not None, timeout=30)
    assert first.poll is not None and first.poll["question"] == "First question 1?"  # resent after the 429
    assert [e[2] for e in fake.errors if e[0] == "sendPoll"] == [429]
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(4302)
    assert person is not None and person.status == "blocked"
    rami_rows = [d for d in await deliveries(bot, LESSON) if d.chat_id == 4302]
    assert [(d.state, d.reason) for d in rami_rows] == [(DeliveryState.BLOCKED, "blocked the bot")]
    assert await deliveries(bot, QUIZ) and all(d.chat_id == 4301 for d in await deliveries(bot, QUIZ))

    # A late joiner: the current lesson comes right after the welcome, once.
    sara = fake.user(4303, "Sara", language_code="en")
    await register(sara, token, language="English", name="Sara Jamal", town="Baghdad", final="Falluja Lessons")
    await sara.expect(showing("Lesson 1 of 2"), timeout=30)
    await fake.wait_until(lambda: len(polls_of(sara)) == 2, timeout=30)
    await bot.restart()
    await asyncio.sleep(2)
    assert len([m for m in sara.inbox if "Lesson 1 of 2" in plain(m)]) == 1


def midday_zone(now: dt.datetime) -> str:
    """A zone where it is now between 08:00 and 16:59, so "an hour ago" and "in a few seconds" share a day."""
    for offset in range(-12, 15):
        name = f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}" if offset else "UTC"
        if 8 <= now.astimezone(ZoneInfo(name)).hour <= 16:
            return name
    raise AssertionError("no zone found")


async def test_evening_nudge_goes_to_who_has_not_opened_the_lesson(bot: BotHarness) -> None:
    fake = bot.fake
    now = dt.datetime.now(dt.UTC)
    zone = ZoneInfo(midday_zone(now))
    due, nudge = (now - dt.timedelta(hours=1)).astimezone(zone), (now + dt.timedelta(seconds=3)).astimezone(zone)
    imported = await services(bot).curricula.import_document(OPERATOR, COURSE, "course.yaml")
    created = await services(bot).cohorts.create(
        OPERATOR,
        name="Nudge Cohort",
        start_date=due.date(),
        lesson_time=due.time().replace(microsecond=0),
        timezone=str(zone),
        curriculum_id=imported.curriculum.id,
        rest_days=frozenset(),
        observe_holidays=False,
        nudge_time=nudge.time().replace(microsecond=0),
    )
    cohort_id = created.cohort.id
    await bot.stop()
    # An hour ago the lesson went out to both; one of them opened it.
    db = Database(bot.settings.database_url)
    ids = await enrol(db, cohort_id, 4501, 2, joined=now - dt.timedelta(days=1), locale="en")
    async with db.unit_of_work() as uow:
        for telegram_id in ids:
            person = await uow.people.by_telegram_id(telegram_id)
            assert person is not None
            await uow.progress.delivered(person.id, cohort_id, "day-1", 1, due)
            if telegram_id == 4502:
                await uow.progress.opened(person.id, cohort_id, "day-1", 1, due + dt.timedelta(minutes=5))
        await uow.cohorts.advance_planned(cohort_id, 1)
        await uow.commit()
    await db.dispose()
    await bot.start()

    forgetful, keen = fake.user(4501, "Forgetful", language_code="en"), fake.user(4502, "Keen", language_code="en")
    reminder = await forgetful.expect("waiting for you", timeout=30)
    assert "Lesson title 1" in plain(reminder) and reminder.button_texts() == ["📖 Open the lesson"]
    await forgetful.press("📖 Open the lesson", message=reminder)
    await forgetful.expect(showing("Lesson 1 of 2"))
    await fake.wait_until(lambda: len(polls_of(forgetful)) == 2, timeout=30)
    await keen.no_message(within=1.0)  # opened already: no nudge
    nudges = [d for d in await deliveries(bot, "nudge") if d.cohort_id == cohort_id]
    assert [(d.chat_id, d.state) for d in nudges] == [(4501, DeliveryState.SENT)]
