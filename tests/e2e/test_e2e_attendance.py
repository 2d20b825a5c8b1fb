"""End to end: sessions, check-ins (code, QR deep link, rotation, closing), the roll with notes, reports and exports,
driven through the real Application and the fake Telegram server."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import struct
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy import update

from bot.qr import qr_png
from bot.services.access import OPERATOR
from bot.services.attendance import checkin_link
from storage.attendance.dto import AttendanceStatus, CheckinDTO, Source
from storage.attendance.models import CheckIn, TrainingSession
from storage.dto import DeliveryState
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.crowd import enrol
from tests.fake_telegram import FakeUser, SentMessage

ZONE = ZoneInfo("Asia/Baghdad")
CODE = re.compile(r"Code: (\d{4,6})")


def plain(message: SentMessage | None) -> str:
    text = (message.text if message else "") or ""
    return "".join(c for c in text if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


def showing(text: str) -> Any:
    return lambda message: text in plain(message)


def services(bot: BotHarness) -> Any:
    assert bot.runner is not None
    return bot.runner.application.bot_data["services"]


async def cohort_of(bot: BotHarness, name: str, first_id: int, count: int) -> tuple[int, list[FakeUser]]:
    """A cohort with `count` registered English-speaking trainees (straight to the database)."""
    created = await services(bot).cohorts.create(
        OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    ids = await enrol(
        bot.db, created.cohort.id, first_id, count, joined=dt.datetime.now(dt.UTC) - dt.timedelta(days=3), locale="en"
    )
    return created.cohort.id, [bot.fake.user(i, f"Trainee{i}", language_code="en") for i in ids]


async def add_session(
    bot: BotHarness, cohort_id: int, title: str, starts: dt.datetime, place: str | None = None
) -> int:
    session = await services(bot).attendance.add_session(
        OPERATOR, cohort_id, title=title, starts_at=starts, place=place
    )
    return int(session.id)


async def checkins(bot: BotHarness, session_id: int) -> list[CheckinDTO]:
    async with bot.db.unit_of_work() as uow:
        return await uow.checkins.for_session(session_id)


async def displayed(bot: BotHarness, session_id: int, message: SentMessage) -> CheckinDTO:
    """The session's check-in once it records `message` as the one showing it (recorded right after sending)."""
    for _ in range(50):
        (checkin,) = await checkins(bot, session_id)
        if checkin.message_id == message.message_id:
            return checkin
        await asyncio.sleep(0.1)
    raise AssertionError(f"the check-in does not record message #{message.message_id}")


async def person_id(bot: BotHarness, telegram_id: int) -> int:
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id


async def move_session(bot: BotHarness, session_id: int, starts: dt.datetime) -> None:
    async with bot.db.unit_of_work() as uow:
        await uow.session.execute(
            update(TrainingSession).where(TrainingSession.id == session_id).values(starts_at=starts)
        )
        await uow.commit()


def code_in(message: SentMessage) -> str:
    match = CODE.search(plain(message))
    assert match, f"no code in {message}"
    return match.group(1)


def png_size(data: bytes | None) -> tuple[int, int]:
    assert data is not None and data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def month_name(when: dt.datetime) -> str:
    """The English name of the month of `when` in Baghdad (what an English reader sees in the bot's dates)."""
    return when.astimezone(ZoneInfo("Asia/Baghdad")).strftime("%B")


def is_photo(message: SentMessage) -> bool:
    return message.method == "sendPhoto"


async def test_check_in_by_code_and_qr_then_roll_with_note_reports_and_exports(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    cohort_id, (amal, badr, chadi, dana) = await cohort_of(bot, "Hit Spring", 8101, 4)
    now = dt.datetime.now(dt.UTC)
    session_id = await add_session(bot, cohort_id, "Day 1: storytelling", now + dt.timedelta(minutes=5), "Hall A")

    await coordinator.send("/opencheckin")
    shown = await coordinator.expect(is_photo)
    caption = plain(shown)
    assert "Day 1: storytelling" in caption and "Hall A" in caption and "Checked in: 0 of 4" in caption
    code = code_in(shown)
    assert len(code) == 4
    checkin = await displayed(bot, session_id, shown)
    assert checkin.code == code
    # The QR is exactly the deep link t.me/<bot>?start=ci_<token>.
    link = checkin_link("cohort_test_bot", checkin.token)
    assert link == f"https://t.me/cohort_test_bot?start=ci_{checkin.token}"
    assert shown.file_bytes == qr_png(link)

    arabic_digits = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    await amal.send(arabic_digits)  # just the digits, in Arabic-Indic numerals
    await amal.expect(showing("Checked in to Day 1: storytelling"))
    await amal.send(f"/checkin {code}")
    await amal.expect(showing("already present"))
    await badr.start(f"ci_{checkin.token}")  # scanned the QR
    welcome = await badr.expect(showing("Checked in to"))
    assert "Welcome" in plain(welcome) and "Hit Spring" in plain(welcome)

    wrong = "0000" if code != "0000" else "1111"
    for left in (4, 3, 2, 1):
        await chadi.send(wrong)
        await chadi.expect(showing(f"tries left: {left}"))
    await chadi.send(wrong)
    await chadi.expect(showing("wait a few minutes"))
    await chadi.send(code)  # even the right code waits now
    await chadi.expect(showing("Too many wrong codes. Please try again in 10 minutes."))

    count = await coordinator.press("🔄 Count", message=shown)
    assert "2 of 4" in plain_text(count.get("text"))
    await coordinator.sees(lambda m: m is shown and "Checked in: 2 of 4" in plain(m))

    # The roll: Chadi excused with a note, Dana stays absent; then finished.
    await coordinator.send("/roll")
    roll = await coordinator.expect(showing("Roll"))
    assert "✅ present 2" in plain(roll) and "❌ absent 2" in plain(roll)
    await coordinator.press("❌ Trainee 8103", message=roll)
    await coordinator.sees(lambda m: m is roll and "Now: ❌ absent" in plain(m))
    await coordinator.send("Bus from Hit was late")
    await coordinator.expect(showing("Note kept: «Bus from Hit was late»"))
    saved = await coordinator.press("📝 excused", message=roll)
    assert "Saved" in plain_text(saved.get("text"))
    await coordinator.sees(lambda m: m is roll and "📝 excused 1" in plain(m) and "📝 Trainee 8103" in m.button_texts())
    await coordinator.press("✔ Finish the roll", message=roll)
    await coordinator.sees(lambda m: m is roll and "Roll taken" in plain(m))

    async with bot.db.unit_of_work() as uow:
        changes = await uow.attendance.changes([session_id])
        coordinator_person = await uow.people.by_telegram_id(COORDINATOR_ID)
    assert coordinator_person is not None
    chadi_id = await person_id(bot, chadi.id)
    (roll_change,) = [c for c in changes if c.source is Source.ROLL]
    assert (roll_change.person_id, roll_change.before, roll_change.after) == (chadi_id, None, AttendanceStatus.EXCUSED)
    assert (roll_change.changed_by, roll_change.note) == (coordinator_person.id, "Bus from Hit was late")
    assert len(changes) == 3  # two check-ins and the roll change

    # The session begins (moved into the past by the operator): it was held; absent = Dana only.
    await move_session(bot, session_id, now - dt.timedelta(hours=1))
    absent = await services(bot).attendance.absent_from_last_session(cohort_id)
    assert absent == frozenset({await person_id(bot, dana.id)})

    await coordinator.send("/attendance Hit Spring")
    summary = await coordinator.expect(showing("Attendance · Hit Spring"))
    text = plain(summary)
    assert "sessions held: 1" in text and "attendance: 50%" in text
    assert "✅ present 2 · ⏰ late 0 · 📝 excused 1 · ❌ absent 1 — 50%" in text
    assert "By town" in text
    chart = await coordinator.expect(lambda m: is_photo(m) and "per session and per town" in plain(m))
    assert png_size(chart.file_bytes) == (1080, 1350)  # sent with the figures, no button needed

    await coordinator.press("📗 Excel", message=summary)
    xlsx = await coordinator.expect(lambda m: m.method == "sendDocument")
    assert (xlsx.file_name or "").startswith("attendance-hit-spring-") and (xlsx.file_name or "").endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.file_bytes or b""))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == "A1:I5"
    assert sheet["B1"].font.bold and not sheet.sheet_view.rightToLeft  # English reader
    header = [cell.value for cell in sheet[1]]
    assert header[:3] == ["#", "Name", "Town"] and header[4:] == [
        "Present",
        "Late",
        "Excused",
        "Absent",
        "Attendance %",
    ]
    assert str(header[3]).endswith("Day 1: storytelling")
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert rows["Trainee 8101"][3] == "present" and rows["Trainee 8103"][3] == "excused"
    assert rows["Trainee 8104"][3] == "absent" and rows["Trainee 8101"][8] == 1
    totals = [cell.value for cell in sheet[6]]
    assert totals[1] == "Attended" and totals[3] == 2 and totals[4:8] == [2, 0, 1, 1] and totals[8] == 0.5
    sessions_sheet, changes_sheet = book.worksheets[1], book.worksheets[2]
    starts = sessions_sheet["B2"].value
    assert isinstance(starts, dt.datetime) and starts.tzinfo is None  # the cohort's local time, naive
    assert starts == (now - dt.timedelta(hours=1)).astimezone(ZONE).replace(tzinfo=None, microsecond=0)
    notes = [row[7] for row in changes_sheet.iter_rows(min_row=2, values_only=True)]
    assert "Bus from Hit was late" in notes

    await coordinator.press("📄 CSV", message=summary)
    exported = await coordinator.expect(lambda m: m.method == "sendDocument" and (m.file_name or "").endswith(".csv"))
    assert (exported.file_bytes or b"").startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    table = list(csv.reader(io.StringIO((exported.file_bytes or b"").decode("utf-8-sig"))))
    assert table[0][:3] == ["#", "Name", "Town"] and len(table) == 1 + 4 + 2
    assert [row[3] for row in table[1:5]] == ["present", "present", "excused", "absent"]
    assert table[2][2] == "الرمادي"  # towns as stored, in Arabic

    again = await coordinator.press_data(f"at:g:{cohort_id}", summary)  # the old Chart button still works
    assert again.get("text") is None
    chart = await coordinator.expect(lambda m: is_photo(m) and "per session and per town" in plain(m))
    assert png_size(chart.file_bytes) == (1080, 1350)

    await coordinator.press("👥 Per trainee", message=summary)
    listing = await coordinator.expect(showing("Per trainee"))
    assert "Trainee 8101 (هيت) — 1 of 1 · 100%" in plain(listing)

    await amal.send("/myattendance")
    mine = await amal.expect(showing("Your attendance in Hit Spring"))
    assert "Sessions you came to: 1 of 1 (100%)." in plain(mine)
    await chadi.send("/mydata")
    data = await chadi.expect(showing("Everything we store"))
    assert "• Day 1: storytelling (Hit Spring)," in plain(data) and ": excused (roll)" in plain(data)
    assert "Bus from Hit was late" in plain(data)
    assert "Wrong check-in codes kept for the limit (deleted after a while): 5, at" in plain(data)


def plain_text(text: object) -> str:
    return "".join(c for c in str(text or "") if c not in "\u200e\u200f\u2066\u2067\u2068\u2069")


async def outbox_rows(bot: BotHarness) -> list[tuple[str, DeliveryState]]:
    """The check-in items of the outbox, once recorded (the record follows Telegram's answer)."""
    rows: list[tuple[str, DeliveryState]] = []
    for _ in range(50):
        async with bot.db.unit_of_work() as uow:
            rows = [(d.kind, d.state) for kind in ("ci_code", "ci_closed") for d in await uow.deliveries.of_kind(kind)]
        if all(state is DeliveryState.SENT for _kind, state in rows):
            break
        await asyncio.sleep(0.1)
    return rows


async def shift_checkin(bot: BotHarness, checkin_id: int, **values: dt.datetime) -> None:
    """Change a check-in's times while the bot is stopped (as if it had been down meanwhile)."""
    db = Database(bot.settings.database_url)
    try:
        async with db.unit_of_work() as uow:
            await uow.session.execute(update(CheckIn).where(CheckIn.id == checkin_id).values(**values))
            await uow.commit()
    finally:
        await db.dispose()


async def test_rotating_code_replaces_the_old_one_and_alarms_catch_up_after_a_restart(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    cohort_id, (amal, badr, chadi) = await cohort_of(bot, "Falluja Rotating", 8201, 3)
    starts = dt.datetime.now(dt.UTC)
    session_id = await add_session(bot, cohort_id, "Day 2", starts)

    await coordinator.send("/opencheckin Falluja Rotating")
    fixed = await coordinator.expect(is_photo)
    assert "changes every" not in plain(fixed)
    first = await displayed(bot, session_id, fixed)
    await coordinator.press("🔁 Change the code every few minutes", message=fixed)
    rotating = await coordinator.expect(is_photo)
    assert "The code changes every 2 minutes." in plain(rotating) and "🔒 Keep this code" in rotating.button_texts()
    second = await displayed(bot, session_id, rotating)
    assert fixed.deleted and second.code == code_in(rotating) and second.token != first.token
    assert second.code != first.code and (second.previous_code, second.previous_token) == (first.code, first.token)
    # The replaced code works for a minute (people copy what they saw); then it is "expired", not a wrong guess.
    await shift_checkin(bot, second.id, code_set_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=61))
    await amal.send(first.code)
    await amal.expect(showing("That code has expired"))
    await amal.start(f"ci_{first.token}")
    await amal.expect(showing("That code has expired"))
    amal_id = await person_id(bot, amal.id)
    async with bot.db.unit_of_work() as uow:
        assert await uow.checkins.attempts_count(amal_id) == 0
    await amal.send(second.code)
    await amal.expect(showing("Checked in to Day 2"))

    # Down over a rotation: at start the overdue alarm rotates at once; the new code reaches the trainer by the outbox.
    await bot.stop()
    await shift_checkin(bot, second.id, code_set_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3))
    await bot.start()
    renewed = await coordinator.expect(is_photo, timeout=15)
    third = await displayed(bot, session_id, renewed)
    assert third.generation == second.generation + 1 and third.token != second.token
    assert rotating.deleted and code_in(renewed) == third.code
    await badr.start(f"ci_{third.token}")
    await badr.expect(showing("Checked in to Day 2"))

    # Down over the closing time: closed at start, and the trainer gets the summary.
    await bot.stop()
    await shift_checkin(bot, third.id, closes_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
    await bot.start()
    closed = await coordinator.expect(showing("Check-in closed"), timeout=15)
    assert "Checked in: 2 of 3 · late: 0." in plain(closed) and month_name(starts) in plain(closed)  # opener's language
    await coordinator.sees(lambda m: m is renewed and "Check-in closed" in plain(m) and not m.buttons())
    await chadi.send(third.code)
    await chadi.expect(showing("The check-in of Day 2 is closed"))
    assert await outbox_rows(bot) == [("ci_code", DeliveryState.SENT), ("ci_closed", DeliveryState.SENT)]
    await bot.restart()  # nothing is sent twice
    await coordinator.no_message(within=1.5)
