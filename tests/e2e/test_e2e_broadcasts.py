"""End to end: trainer broadcasts through the real Application and the fake Telegram server."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import time
from collections import Counter
from zoneinfo import ZoneInfo

from bot.services.access import OPERATOR
from storage.dto import DeliveryState, PersonStatus, Role
from storage.uow import Database
from tests.conftest import BotHarness
from tests.crowd import enrol
from tests.e2e.test_e2e_lessons import plain, services, showing
from tests.fake_telegram import FakeTelegram, FakeUser, SentMessage

TRAINER = 6000
FIRST = 610_000


async def cohort_of(bot: BotHarness, name: str, size: int, first: int = FIRST) -> tuple[int, list[int]]:
    """A cohort with `size` registered trainees (and the trainer) written to the database."""
    created = await services(bot).cohorts.create(
        OPERATOR, name=name, start_date=dt.date(2027, 1, 10), lesson_time=dt.time(18, 30), timezone="Asia/Baghdad"
    )
    cohort_id = created.cohort.id
    joined = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    db: Database = bot.db
    async with db.unit_of_work() as uow:
        trainer = await uow.people.by_telegram_id(TRAINER)
    if trainer is None:
        await enrol(db, cohort_id, TRAINER, 1, joined=joined, locale="en", role=Role.TRAINER)
    else:
        async with db.unit_of_work() as uow:
            await uow.memberships.add(trainer.id, cohort_id, Role.TRAINER, joined)
            await uow.commit()
    ids = await enrol(db, cohort_id, first, size, joined=joined, locale="ar")
    for telegram_id in ids:
        bot.fake.user(telegram_id, f"T{telegram_id}", language_code="ar")
    return cohort_id, ids


def copies(fake: FakeTelegram, ids: list[int], since: int = 0) -> Counter[int]:
    wanted = set(ids)
    return Counter(m.chat_id for m in fake.sent[since:] if m.method == "copyMessage" and m.chat_id in wanted)


async def start_broadcast(trainer: FakeUser, *, cohort: str | None = None) -> SentMessage:
    """/broadcast → (a cohort) → Next → Everyone; returns the message that asks for the content."""
    await trainer.send("/broadcast")
    targets = await trainer.expect("New announcement")
    if cohort is not None:
        await trainer.press("▫️ " + cohort, message=targets)
    await trainer.press("Next ➡", message=targets)
    await trainer.sees(lambda m: any(t.startswith("Everyone") for t in m.button_texts()))
    everyone = next(t for t in targets.button_texts() if t.startswith("Everyone"))
    await trainer.press(everyone, message=targets)
    return await trainer.sees("Now send the announcement")


async def confirm_and_wait(trainer: FakeUser, timeout: float = 30) -> SentMessage:  # noqa: ASYNC109
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts())
    await trainer.press("✅ Send now", message=summary)
    await trainer.sees(lambda m: m is summary and "is done" in plain(m), timeout=timeout)
    return summary


async def test_text_and_photo_to_fifty_with_two_blocked_report_csv_and_announcements(bot: BotHarness) -> None:
    fake = bot.fake
    _cohort_id, ids = await cohort_of(bot, "Ramadi Youth", 50)
    async with bot.db.unit_of_work() as uow:  # one told the bot it was blocked; one blocked it silently
        await uow.people.set_status(ids[0], PersonStatus.BLOCKED)
        await uow.commit()
    fake.block(ids[0])
    fake.block(ids[1])
    trainer = fake.user(TRAINER, "Trainer", language_code="en")

    await start_broadcast(trainer)
    await trainer.send_sticker()  # not something to announce: asked again
    await trainer.expect("cannot be sent as an announcement")
    await trainer.send("Tomorrow's session starts at 10:00 in the forum hall. Bring your phone!")
    await trainer.expect("Preview")
    preview = await trainer.expect(lambda m: m.method == "copyMessage")
    assert "forum hall" in (preview.text or "")
    summary = await confirm_and_wait(trainer)
    report = plain(summary)
    assert "sent 48" in report and "blocked 2" in report and "failed 0" in report, report
    assert copies(fake, ids) == Counter({i: 1 for i in ids[2:]})
    again = await trainer.press_data(summary.buttons()[0][0]["callback_data"], summary)  # the CSV button
    assert again is not None
    csv_file = await trainer.expect(lambda m: m.method == "sendDocument")
    assert csv_file.file_bytes is not None and csv_file.file_bytes.startswith(b"\xef\xbb\xbf")  # BOM for Excel
    rows = list(csv.reader(io.StringIO(csv_file.file_bytes.decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Town", "State", "Reason", "Sent at"] and len(rows) == 51
    assert Counter(r[2] for r in rows[1:]) == Counter({"sent": 48, "blocked": 2})

    # The same Confirm button again: nothing goes twice.
    answer = await trainer.press_data(f"bc:go:{1}", summary)
    assert "already on its way" in (answer.get("text") or "")

    await start_broadcast(trainer)
    await trainer.send_photo(caption="x" * 1100)  # over Telegram's 1024 caption limit: refused, asked again
    await trainer.expect("too long")
    await trainer.send_photo(caption="صورة من الورشة")
    await trainer.expect(lambda m: m.method == "copyMessage" and m.chat_id == TRAINER)
    await confirm_and_wait(trainer)
    photos = [m for m in fake.sent if m.method == "copyMessage" and m.chat_id == ids[5]]
    assert len(photos) == 2 and photos[1].text == "صورة من الورشة"

    await trainer.send("/broadcasts")
    listing = await trainer.expect("Recent announcements")
    assert "#2" in plain(listing) and "#1" in plain(listing)
    trainee = fake.user(ids[5], f"T{ids[5]}", language_code="ar")
    trainee.skip_all()
    await trainee.send("/announcements")
    mine = await trainee.expect(lambda m: "forum hall" in plain(m) and bool(m.buttons()))
    await trainee.press(mine.button_texts()[-1], message=mine)
    await trainee.expect(lambda m: m.method == "copyMessage" and "forum hall" in (m.text or ""))


async def test_429_mid_way_and_restart_mid_broadcast_reach_everyone_once(bot: BotHarness) -> None:
    fake = bot.fake
    _cohort_id, ids = await cohort_of(bot, "Hit Youth", 40)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    await start_broadcast(trainer)
    await trainer.send("Attendance form is open until Friday.")
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts())
    fake.fail_next("copyMessage", error_code=429, retry_after=2, chat_id=ids[10])
    await trainer.press("✅ Send now", message=summary)
    await fake.wait_until(lambda: sum(copies(fake, ids).values()) >= 15, timeout=20)
    await bot.restart()  # mid-broadcast
    await trainer.sees(lambda m: m is summary and "is done" in plain(m), timeout=40)
    assert copies(fake, ids) == Counter({i: 1 for i in ids})
    assert any(e[2] == 429 for e in fake.errors)


async def test_cancel_stops_it_and_other_people_get_replies_meanwhile(bot: BotHarness) -> None:
    fake = bot.fake
    await bot.stop()
    bot.settings = bot.settings.model_copy(update={"delivery_rate": 3.0})  # slow enough to cancel half-way
    await bot.start()
    _cohort_id, ids = await cohort_of(bot, "Diyala Youth", 30)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    await start_broadcast(trainer)
    await trainer.send("Reminder: bring your ID card.")
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts())
    await trainer.press("✅ Send now", message=summary)
    status = await trainer.sees(lambda m: m is summary and "%" in plain(m), timeout=30)

    bystander = fake.user(ids[-1], "Bystander", language_code="en")
    started = time.monotonic()
    await bystander.send("/whoami")
    await bystander.expect(showing(str(ids[-1])), timeout=5)
    assert time.monotonic() - started < 1.5  # answered while the broadcast runs

    await fake.wait_until(lambda: sum(copies(fake, ids).values()) >= 5, timeout=20)
    await trainer.send("/broadcast")  # writing the next one: the running one's Cancel still works
    await trainer.expect("New announcement")
    answer = await trainer.press("⛔ Cancel", message=status)
    assert "Cancelled" in (answer.get("text") or "")
    await trainer.sees(lambda m: m is summary and "was cancelled" in plain(m), timeout=30)
    sent_when_cancelled = sum(copies(fake, ids).values())
    await asyncio.sleep(2)
    assert sum(copies(fake, ids).values()) <= sent_when_cancelled + 8  # at most what was in flight
    assert sum(copies(fake, ids).values()) < len(ids)


async def test_bad_targets_and_roles(bot: BotHarness) -> None:
    fake = bot.fake
    mine, _ids = await cohort_of(bot, "Mine", 3)
    created = await services(bot).cohorts.create(
        OPERATOR, name="Not Mine", start_date=dt.date(2027, 1, 10), lesson_time=dt.time(18, 30), timezone="Asia/Baghdad"
    )
    empty = await services(bot).cohorts.create(
        OPERATOR, name="Empty", start_date=dt.date(2027, 1, 10), lesson_time=dt.time(18, 30), timezone="Asia/Baghdad"
    )
    async with bot.db.unit_of_work() as uow:
        trainer = await uow.people.by_telegram_id(TRAINER)
        assert trainer is not None
        await uow.memberships.add(trainer.id, empty.cohort.id, Role.TRAINER, dt.datetime.now(dt.UTC))
        await uow.commit()
    trainer_user = fake.user(TRAINER, "Trainer", language_code="en")
    await trainer_user.send("/broadcast")
    targets = await trainer_user.expect("New announcement")
    assert "▫️ Not Mine" not in targets.button_texts()
    forged = await trainer_user.press_data(f"bc:t:{created.cohort.id}", targets)  # not theirs
    assert "no longer active" in (forged.get("text") or "")
    nothing = await trainer_user.press("Next ➡", message=targets)  # nothing chosen yet
    assert "at least one" in (nothing.get("text") or "")
    await trainer_user.press("▫️ Empty", message=targets)
    await trainer_user.press("Next ➡", message=targets)
    await trainer_user.sees("Nobody would receive this")

    trainee = fake.user(_ids[0], "Trainee", language_code="ar")  # registered in Arabic
    await trainee.send("/broadcast")
    await trainee.expect("للمدرّبين والمنسّقين فقط")
    async with bot.db.unit_of_work() as uow:
        assert await uow.broadcasts.recent(None) == []  # nothing was created, let alone sent
    assert mine


async def test_send_at_a_time_waits_and_can_be_cancelled(bot: BotHarness) -> None:
    fake = bot.fake
    _cohort_id, ids = await cohort_of(bot, "Falluja Youth", 5)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    await start_broadcast(trainer)
    await trainer.send("The festival is on Thursday.")
    summary = await trainer.expect(lambda m: "✅ Send now" in m.button_texts())
    await trainer.press("⏰ Send at a time…", message=summary)
    await trainer.sees("At what time")
    await trainer.send("2020-01-01 10:00")  # in the past: asked again, nothing planned
    await trainer.expect("already passed")
    await trainer.send("soon-ish")
    await trainer.expect("Please write a time like")
    when = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).astimezone(ZoneInfo("Asia/Baghdad"))
    await trainer.send(f"{when:%Y-%m-%d} ١٠:٣٠")  # Arabic-Indic digits welcome
    status = await trainer.expect(lambda m: "It goes out on" in plain(m))
    async with bot.db.unit_of_work() as uow:
        rows = await uow.deliveries.of_kind("broadcast")
    assert len(rows) == 5 and all(r.state is DeliveryState.PENDING for r in rows)
    local_due = rows[0].due_at.astimezone(ZoneInfo("Asia/Baghdad"))
    assert (local_due.date(), local_due.hour, local_due.minute) == (when.date(), 10, 30)
    await asyncio.sleep(1)
    assert not copies(fake, ids)
    await trainer.press("⛔ Cancel", message=status)
    await trainer.sees(lambda m: m is status and "was cancelled" in plain(m), timeout=30)
    async with bot.db.unit_of_work() as uow:
        rows = await uow.deliveries.of_kind("broadcast")
    assert {(r.state, r.reason) for r in rows} == {(DeliveryState.SKIPPED, "broadcast cancelled")}


async def test_another_command_drops_the_draft_and_its_answers_go_to_that_command(bot: BotHarness) -> None:
    fake = bot.fake
    _cohort_id, ids = await cohort_of(bot, "Hit Drafts", 2)
    trainer = fake.user(TRAINER, "Trainer", language_code="en")
    await start_broadcast(trainer)
    await trainer.send("/newsession")  # mid-draft: the session's questions must not feed the announcement
    await trainer.expect(showing("The announcement you were writing was dropped; nothing was sent."))
    await trainer.expect(showing("What day is the session?"))
    await trainer.send("30/02/2026")
    await trainer.expect(showing("not a date I can use"))  # the session flow answered, not the broadcast
    assert not [m for m in trainer.inbox if m.method == "copyMessage"]  # no preview of a draft
    await asyncio.sleep(0.5)
    assert copies(fake, ids) == Counter()
    async with bot.db.unit_of_work() as uow:
        assert await uow.broadcasts.in_state("draft") == [] and await uow.broadcasts.in_state("sending") == []
