"""End to end: curricula sent as documents in chat, /curricula, and /newcohort's curriculum step."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import AsyncIterator

import pytest
import yaml

from bot.services.lessons.curriculum import MAX_FILE_BYTES
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness, make_settings
from tests.curriculum_samples import SHIPPED, broken, document, sample
from tests.e2e.test_e2e_foundation import LINK, create_cohort, register
from tests.fake_telegram import FakeTelegram, FakeUser, SentMessage

BIDI = re.compile("[\u200e\u200f\u2066-\u2069]")
YAML = "application/x-yaml"


def plain(message: SentMessage) -> str:
    """The text without the direction marks that keep numbers and ids left-to-right."""
    return BIDI.sub("", message.text or "")


async def stored(db: Database) -> list[tuple[str, int, int]]:
    async with db.unit_of_work() as uow:
        return [(c.slug, c.version, c.lesson_count) for c in await uow.curricula.all()]


@pytest.fixture
async def shipped_bot(fake: FakeTelegram, database_url: str) -> AsyncIterator[BotHarness]:
    """The bot as `make run` starts it: the repository's curriculum/ folder imported at start."""
    harness = BotHarness(fake, make_settings(database_url, fake, curriculum_dir=SHIPPED.parent))
    await harness.start()
    yield harness
    await harness.stop()


async def test_a_coordinator_imports_and_updates_a_curriculum_by_sending_it(bot: BotHarness) -> None:
    coordinator = bot.fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send_document(sample().encode(), "test-course.yaml", YAML)
    created = plain(await coordinator.expect("Curriculum imported"))
    assert "Test course, 2 lessons." in created
    assert "/newcohort" in created

    await coordinator.send_document(sample().encode(), "copy.yml", "application/octet-stream")
    await coordinator.expect("already imported, unchanged")
    await coordinator.send_document(sample(version=2, lessons=3).encode(), "test-course.yaml", YAML)
    updated = plain(await coordinator.expect("Curriculum updated"))
    assert "Test course, 3 lessons, version 1 → 2." in updated
    assert "progress already recorded is kept" in updated
    assert await stored(bot.db) == [("test-course", 2, 3)]

    await coordinator.send("/curricula")
    listing = plain(await coordinator.expect("Curricula"))
    assert "• Test course (test-course): 3 lessons, version 2, imported " in listing

    await coordinator.send_document(b"%PDF-1.4", "plan.pdf", "application/pdf")
    await coordinator.expect(lambda m: ".yaml" in plain(m) and ".yml" in plain(m))
    await coordinator.send_document(b"#" * (MAX_FILE_BYTES + 1), "huge.yaml", YAML)
    assert "at most 1 MB" in plain(await coordinator.expect("too large"))
    assert await stored(bot.db) == [("test-course", 2, 3)]


async def test_problems_are_answered_in_the_coordinators_language(bot: BotHarness) -> None:
    arabic = bot.fake.user(COORDINATOR_ID, "Noor", language_code="ar")
    await arabic.send_document(broken().encode(), "دورة.yaml", YAML)
    answer = await arabic.expect("دورة.yaml")
    lines = (answer.text or "").splitlines()
    assert "لم يُستورد" in lines[0]
    assert len(lines) == 3
    too_long, empty = plain(answer).splitlines()[1:]
    assert too_long.startswith("• الدرس 1 (first)، questions[0].options[1].en: ")
    assert "101" in too_long
    assert "100" in too_long
    assert empty == "• الدرس 2 (second)، title.ar: يجب ألّا يكون فارغًا"
    assert "\u2066title.ar\u2069" in (answer.text or "")  # the field path stays left-to-right
    assert await stored(bot.db) == []

    english = bot.fake.user(COORDINATOR_ID + 1, "Sam", language_code="en")
    await english.send("/whoami")  # not a coordinator yet
    await english.expect("Telegram id")
    async with bot.db.unit_of_work() as uow:
        await uow.coordinators.grant(english.id, dt.datetime.now(dt.UTC))
        await uow.commit()
    many = document(lessons=3)
    for item in many["lessons"]:
        item["title"] = {"ar": "", "en": ""}
        item["task"] = {"ar": "", "en": ""}
        item["questions"][0]["explanation"] = {"ar": "", "en": ""}
    many["title"] = {"ar": "", "en": ""}
    await english.send_document(yaml.safe_dump(many).encode(), "many.yaml", YAML)
    answer = await english.expect("many.yaml")
    text = plain(answer)
    assert "Fix these 20 problems" in text
    assert text.count("\n• ") == 15
    assert text.endswith("…and 5 more problems.")
    assert "• title.ar: must not be empty" in text
    assert "• Lesson 1 (first), task.en: must not be empty" in text

    await english.send_document(b"id: x\ntitle: {ar: a, en: b\n", "syntax.yaml", YAML)
    assert "not valid YAML at line 3, column 1" in plain(await english.expect("syntax.yaml"))
    assert await stored(bot.db) == []


async def test_someone_who_is_not_a_coordinator_cannot_import(bot: BotHarness) -> None:
    coordinator = bot.fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Hit")
    trainee = bot.fake.user(4101, "Huda", language_code="en")
    await register(trainee, token, language="English", name="Huda Karim", town="Hit")
    await trainee.send_document(sample().encode(), "test-course.yaml", YAML)
    await trainee.expect("only coordinators can import a curriculum")
    await trainee.send_document(b"%PDF-1.4", "homework.pdf", "application/pdf")
    await trainee.expect("/help")  # any other document: the usual hint
    stranger = bot.fake.user(4102, "Omar", language_code="ar")
    await stranger.send_document(sample().encode(), "test-course.yml", YAML)
    await stranger.expect("استيراد")
    await trainee.send("/curricula")
    await trainee.expect("only coordinators")
    assert await stored(bot.db) == []


async def answer_until_curriculum(coordinator: FakeUser, name: str) -> SentMessage:
    await coordinator.send("/newcohort")
    await coordinator.next_message()
    await coordinator.send(name)
    await coordinator.expect("2026-12-01")
    await coordinator.send("2026-12-01")
    await coordinator.expect("18:30")
    await coordinator.send("18:30")
    return await coordinator.expect(lambda m: "No curriculum" in m.button_texts())


async def test_newcohort_ties_the_cohort_to_the_chosen_curriculum(shipped_bot: BotHarness) -> None:
    bot = shipped_bot
    assert await stored(bot.db) == [("digital-campaigns", 1, 14)]  # imported at start from curriculum/
    coordinator = bot.fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send_document(sample().encode(), "test-course.yaml", YAML)
    await coordinator.expect("Curriculum imported")

    question = await answer_until_curriculum(coordinator, "Ramadi Spring")
    label = "Digital campaigns: from idea to impact (14 lessons)"
    assert question.button_texts() == [label, "Test course (2 lessons)", "No curriculum"]
    answer = await coordinator.press_data("nc:cur:999", question)  # forged or stale: asked again
    assert "no longer available" in (answer.get("text") or "")
    again = await coordinator.expect(lambda m: label in m.button_texts())
    await coordinator.send("the first one")  # typing instead of pressing: asked to answer
    await coordinator.expect("/cancel")
    async with bot.db.unit_of_work() as uow:
        assert await uow.cohorts.summaries() == []

    await bot.restart()  # the half-finished conversation is kept

    await coordinator.press(label, message=again)
    done = plain(await coordinator.sees("Ramadi Spring"))
    assert "Curriculum: Digital campaigns: from idea to impact, 14 lessons." in done
    await coordinator.expect(lambda m: LINK.search(m.text or "") is not None)
    await coordinator.expect(lambda m: m.method == "sendPhoto")
    answer = await coordinator.press_data("nc:cur:1", again)  # the same button once more: nothing new
    assert "no longer active" in (answer.get("text") or "")

    question = await answer_until_curriculum(coordinator, "Diyala Spring")
    answers = await asyncio.gather(  # a double tap: one cohort, and the second tap is told so
        coordinator.press("No curriculum", message=question), coordinator.press_data("nc:cur:none", question)
    )
    assert sorted(a.get("text") or "" for a in answers) == ["", "This button is no longer active."]
    assert "No curriculum: this cohort gets no daily lessons." in plain(await coordinator.sees("Diyala Spring"))
    await coordinator.expect(lambda m: m.method == "sendPhoto")

    async with bot.db.unit_of_work() as uow:
        linked = {s.cohort.name: s.cohort.curriculum_id for s in await uow.cohorts.summaries()}
        shipped = await uow.curricula.by_slug("digital-campaigns")
    assert shipped is not None
    assert linked == {"Ramadi Spring": shipped.id, "Diyala Spring": None}


async def test_arabic_coordinator_sees_arabic_titles(shipped_bot: BotHarness) -> None:
    coordinator = shipped_bot.fake.user(COORDINATOR_ID, "Noor", language_code="ar")
    await coordinator.send("/curricula")
    listing = plain(await coordinator.expect("الحملات الرقمية"))
    assert "(digital-campaigns)" in listing
    assert "14" in listing
    await coordinator.send("/newcohort")
    await coordinator.next_message()
    await coordinator.send("دفعة هيت")
    await coordinator.expect("2026-12-01")
    await coordinator.send("2026-12-01")
    await coordinator.expect("18:30")
    await coordinator.send("18:30")
    question = await coordinator.expect(lambda m: len(m.button_texts()) == 2)
    assert question.button_texts()[0].startswith("الحملات الرقمية: من الفكرة إلى الأثر (14 ")
    await coordinator.press(question.button_texts()[0], message=question)
    done = await coordinator.sees("دفعة هيت")
    assert "الحملات الرقمية" in (done.text or "")
