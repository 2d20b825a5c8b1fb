"""End to end, the issue's attendance scenario through the real Application and the fake Telegram server: a trainer
adds a session with /session and opens its check-in with /checkin_open; three trainees check in (one typing
Arabic-Indic digits, one late, one after a wrong code); the roll is edited with /roll; /checkin_close closes it; a
coordinator queries /attendance, /attendance <cohort> (with the chart) and /attendance <cohort> <session or date>;
/export <cohort> sends the XLSX and the CSV, read back here; trainers see their own cohorts only, and a trainee can
neither open a check-in nor query attendance."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl

from bot.services.access import OPERATOR, Principal
from storage.attendance.dto import AttendanceStatus, Source
from storage.dto import Role
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.crowd import enrol
from tests.e2e.test_e2e_attendance import (
    ZONE,
    add_session,
    code_in,
    cohort_of,
    displayed,
    is_photo,
    move_session,
    person_id,
    plain,
    plain_text,
    png_size,
    services,
    showing,
)
from tests.fake_telegram import FakeUser, SentMessage

COORDINATOR = Principal(telegram_id=COORDINATOR_ID, locale="en", is_coordinator=True)
P, L, E, A = AttendanceStatus.PRESENT, AttendanceStatus.LATE, AttendanceStatus.EXCUSED, AttendanceStatus.ABSENT
WAIT = 20.0  # the fake paces one private chat at about a message a second: several answers take a while


async def cohort_with(bot: BotHarness, name: str, first_id: int, count: int) -> tuple[int, list[FakeUser]]:
    """A cohort whose `count` English-speaking trainees joined ten days ago (before every session here)."""
    created = await services(bot).cohorts.create(
        OPERATOR, name=name, start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18, 0), timezone="Asia/Baghdad"
    )
    joined = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    ids = await enrol(bot.db, created.cohort.id, first_id, count, joined=joined, locale="en")
    return created.cohort.id, [bot.fake.user(i, f"Trainee{i}", language_code="en") for i in ids]


async def make_trainer(bot: BotHarness, telegram_id: int, cohort_id: int) -> FakeUser:
    now = dt.datetime.now(dt.UTC)
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.add(telegram_id, now, "en")
        await uow.memberships.add(person.id, cohort_id, Role.TRAINER, now)
        await uow.commit()
    return bot.fake.user(telegram_id, "Rana", language_code="en")


async def held_session(bot: BotHarness, cohort_id: int, title: str, starts: dt.datetime, marks: dict[int, Any]) -> int:
    """A past session whose roll was taken: {Telegram id: status}; everyone else absent."""
    session_id = await add_session(bot, cohort_id, title, starts)
    for telegram_id, status in marks.items():
        await services(bot).attendance.mark(COORDINATOR, session_id, await person_id(bot, telegram_id), status)
    await services(bot).attendance.finish_roll(COORDINATOR, session_id)
    return session_id


def local_at(days_ago: int, hour: int) -> dt.datetime:
    day = dt.datetime.now(ZONE).date() - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(hour), ZONE)


def arabic_digits(text: str) -> str:
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))


def is_document(suffix: str) -> Any:
    return lambda m: m.method == "sendDocument" and (m.file_name or "").endswith(suffix)


async def test_the_issue_scenario_check_in_roll_queries_exports_and_chart(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    cohort_id, (amal, badr, chadi, dana) = await cohort_with(bot, "Hit Youth 2026", 9001, 4)
    other_id, (omar, _zahra) = await cohort_with(bot, "Ramadi Group", 9101, 2)
    trainer = await make_trainer(bot, 9200, cohort_id)
    # Earlier sessions, their rolls taken: Chadi and Dana absent from both, Badr from the second.
    first = await held_session(bot, cohort_id, "Day 1", local_at(3, 10), {amal.id: P, badr.id: P})
    await add_session(bot, cohort_id, "Day 1 — afternoon", local_at(3, 14))  # the same day; no check-in nor roll
    await held_session(bot, cohort_id, "Day 2", local_at(2, 10), {amal.id: P})
    await held_session(bot, other_id, "Ramadi Day 1", local_at(2, 10), {omar.id: P})

    # /session in chat: the trainer's only cohort, a date and a time in Arabic-Indic digits, a title and a place.
    start = dt.datetime.now(ZONE).replace(second=0, microsecond=0)
    await trainer.send("/session")
    await trainer.expect(showing("What day is the session?"))
    await trainer.send(arabic_digits(start.date().isoformat()))
    await trainer.expect(showing("At what time"))
    await trainer.send(arabic_digits(f"{start:%H:%M}"))
    await trainer.expect(showing("title"))
    await trainer.send("Day 3: the campaign plan")
    await trainer.expect(lambda m: "No place" in m.button_texts())
    await trainer.send("Hall A")
    added = await trainer.expect(showing("Session added to Hit Youth 2026"))
    assert "/checkin_open" in plain(added) and "/opencheckin" not in plain(added)
    session = next(
        s for s in await services(bot).attendance.sessions(COORDINATOR, cohort_id) if s.title.startswith("Day 3")
    )
    assert session.starts_at == start and session.place == "Hall A"

    # A trainee can neither open a check-in nor query attendance (nor anything of the kind); nothing changes.
    for command in ("/checkin_open", "/checkin_close", "/attendance", "/attendance Hit Youth 2026",
                    "/attendance Hit Youth 2026 1", "/export Hit Youth 2026", "/roll", "/session"):  # fmt: skip
        await amal.send(command)
        await amal.expect(showing("only trainers and coordinators"))
    await amal.send("/whoami")
    anchor = await amal.expect(showing("Telegram id"))
    refused = await amal.press_data(f"at:s:{cohort_id}", anchor)
    assert "only trainers and coordinators" in plain_text(refused.get("text"))
    assert await services(bot).attendance.open_checkins(COORDINATOR) == []

    # /checkin_open: one photo, the QR of the deep link and the code.
    await trainer.send("/checkin_open")
    shown = await trainer.expect(is_photo)
    assert "Day 3: the campaign plan" in plain(shown) and "Checked in: 0 of 4" in plain(shown)
    code = code_in(shown)
    checkin = await displayed(bot, session.id, shown)
    assert checkin.code == code and shown.file_bytes and shown.file_bytes.startswith(b"\x89PNG")

    await amal.send(arabic_digits(code))  # Arabic-Indic digits
    await amal.expect(showing("✅ Checked in to Day 3: the campaign plan (Hit Youth 2026). Welcome!"))
    wrong = "0000" if code != "0000" else "1111"
    await chadi.send(f"/checkin {wrong}")  # a wrong code: told so, nothing recorded
    await chadi.expect(showing("That code is not valid now. Check the code your trainer shows; tries left: 4."))
    amal_person = await person_id(bot, amal.id)
    async with bot.db.unit_of_work() as uow:
        assert set(await uow.attendance.for_session(session.id)) == {amal_person}
    await chadi.send(f"/checkin {code}")
    await chadi.expect(showing("✅ Checked in to Day 3"))
    await move_session(bot, session.id, start - dt.timedelta(minutes=20))  # time passes: past the late threshold
    await badr.send(f"/checkin {arabic_digits(code)}")
    await badr.expect(showing("⏰ Checked in to Day 3: the campaign plan (Hit Youth 2026), but late."))
    await amal.send(code)
    await amal.expect(showing("already present"))
    await omar.send(code)  # a trainee of another cohort
    await omar.expect(showing("This check-in is for the cohort Hit Youth 2026, and you are not one of its trainees."))

    # /roll: the session's trainees with their state; Dana excused with a note, by inline buttons.
    await trainer.send("/roll")
    which = await trainer.expect(showing("Which session's roll?"))
    (label,) = [text for text in which.button_texts() if "Day 3" in text]
    await trainer.press(label, message=which)
    roll = await trainer.sees(lambda m: m is which and "Roll" in plain(m))
    assert "✅ present 2 · ⏰ late 1 · 📝 excused 0 · ❌ absent 1" in plain(roll)
    assert roll.button_texts()[:4] == ["✅ Trainee 9001", "⏰ Trainee 9002", "✅ Trainee 9003", "❌ Trainee 9004"]
    await trainer.press("❌ Trainee 9004", message=roll)
    await trainer.sees(lambda m: m is roll and "Now: ❌ absent" in plain(m))
    await trainer.send("Sick")
    await trainer.expect(showing("Note kept: «Sick»"))
    await trainer.press("📝 excused", message=roll)
    await trainer.sees(lambda m: m is roll and "📝 Trainee 9004" in m.button_texts())
    async with bot.db.unit_of_work() as uow:
        changes = await uow.attendance.changes([session.id])
        trainer_person = await uow.people.by_telegram_id(trainer.id)
    assert trainer_person is not None
    (change,) = [c for c in changes if c.source is Source.ROLL]
    who = (change.person_id, change.changed_by, change.before, change.after, change.note)
    assert who == (await person_id(bot, dana.id), trainer_person.id, None, E, "Sick")
    assert abs(change.changed_at - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=1)
    assert [(c.source, c.after) for c in changes if c.source is Source.CHECKIN] == [
        (Source.CHECKIN, P), (Source.CHECKIN, P), (Source.CHECKIN, L),
    ]  # fmt: skip

    # /checkin_close: the one open check-in closes; its message shows it; a code typed now records nothing.
    await trainer.send("/checkin_close")
    closed = await trainer.expect(showing("Check-in closed"))
    assert "Checked in: 3 of 4 · late: 1." in plain(closed)
    await trainer.sees(lambda m: m is shown and "Check-in closed" in plain(m) and not m.buttons())
    await dana.send(code)
    await dana.expect(showing("The check-in of Day 3: the campaign plan is closed"))
    await trainer.send("/checkin_close")
    await trainer.expect(showing("No check-in of yours is open."))

    # The coordinator: the overview, a cohort (with the chart), a session by number, title and date.
    await coordinator.send("/attendance")
    overview = await coordinator.expect(showing("Attendance · all cohorts"))
    assert "Hit Youth 2026: sessions held: 3 · average attendance: 50% · trainees: 4" in plain(overview)
    assert "Ramadi Group: sessions held: 1 · average attendance: 50% · trainees: 2" in plain(overview)
    assert sorted(overview.button_texts()) == ["Hit Youth 2026", "Ramadi Group"]
    await coordinator.press("Ramadi Group", message=overview)
    await coordinator.expect(showing("Attendance · Ramadi Group"), timeout=WAIT)
    await coordinator.expect(is_photo, timeout=WAIT)

    await coordinator.send("/attendance hit youth 2026")  # any case
    summary = await coordinator.expect(showing("Attendance · Hit Youth 2026"), timeout=WAIT)
    text = plain(summary)
    assert "Trainees: 4 · sessions held: 3 · attendance: 50%" in text
    assert "1 session began without a check-in or a roll; it is left out." in text
    lines = text.split("\n")
    by_session = [line.strip() for line in lines if line.strip().startswith("✅ present")]
    assert by_session == [
        "✅ present 2 · ⏰ late 0 · 📝 excused 0 · ❌ absent 2 — 50%",
        "✅ present 1 · ⏰ late 0 · 📝 excused 0 · ❌ absent 3 — 25%",
        "✅ present 2 · ⏰ late 1 · 📝 excused 1 · ❌ absent 0 — 75%",
    ]
    assert "By town" in text and "هيت: 100% (1 trainee)" in text
    flagged = lines[lines.index("⚠️ Two or more absences: 2") + 1 :][:2]
    assert flagged == ["• Trainee 9003 (الفلوجة) — absent 2 of 3", "• Trainee 9004 (ديالى) — absent 2 of 3"]
    assert "Trainee 9002" not in text  # one absence only
    chart = await coordinator.expect(is_photo, timeout=WAIT)
    assert "Attendance of Hit Youth 2026, per session and per town" in plain(chart)
    assert png_size(chart.file_bytes) == (1080, 1350)

    await coordinator.send("/attendance Hit Youth 2026 3")
    detail = await coordinator.expect(showing("Session 3 of those held."), timeout=WAIT)
    assert "Day 3: the campaign plan" in plain(detail) and "Attendance: 75% (3 of 4)" in plain(detail)
    body = plain(detail).split("\n")
    assert body[body.index("✅ present: 2") + 1 : body.index("⏰ late: 1")] == [
        "• Trainee 9001 (هيت)",
        "• Trainee 9003 (الفلوجة)",
        "",
    ]
    assert "• Trainee 9002 (الرمادي)" in body and "• Trainee 9004 (ديالى) — «Sick»" in body and "❌ absent: 0" in body
    await coordinator.send("/attendance Hit Youth 2026 day 3: the campaign plan")  # by title
    await coordinator.expect(showing("Session 3 of those held."), timeout=WAIT)
    day = (start - dt.timedelta(minutes=20)).date()  # the session's day (as moved), alone on that date
    await coordinator.send(f"/attendance Hit Youth 2026 {day.day}/{day.month}/{day.year}")  # by date, D/M/Y
    await coordinator.expect(showing("Session 3 of those held."), timeout=WAIT)
    first_day = arabic_digits(local_at(3, 10).date().isoformat())
    await coordinator.send(f"/attendance Hit Youth 2026 {first_day}")  # a date with two sessions: which?
    choice = await coordinator.expect(showing("Several sessions of Hit Youth 2026 match. Which one?"), timeout=WAIT)
    assert len(choice.button_texts()) == 2
    (first_label,) = [text for text in choice.button_texts() if text.endswith("Day 1 · Hit Youth 2026")]
    await coordinator.press(first_label, message=choice)
    one = await coordinator.expect(showing("Session 1 of those held."), timeout=WAIT)
    assert "❌ absent: 2" in plain(one) and "• Trainee 9003 (الفلوجة)" in plain(one)
    await coordinator.send("/attendance Hit Youth 2026 9")
    await coordinator.expect(showing("Hit Youth 2026 has no session number 9 (sessions held: 3)."), timeout=WAIT)
    await coordinator.send("/attendance Hit Youth 2026 Graduation")
    await coordinator.expect(showing("Hit Youth 2026 has no session called Graduation."), timeout=WAIT)
    await coordinator.send("/attendance Nowhere 2")
    await coordinator.expect(showing("There is no cohort named Nowhere 2 among yours."), timeout=WAIT)

    # /export <cohort>: the XLSX and the CSV, read back.
    await coordinator.send("/export Hit Youth 2026")
    xlsx = await coordinator.expect(is_document(".xlsx"), timeout=WAIT)
    exported = await coordinator.expect(is_document(".csv"), timeout=WAIT)
    assert (xlsx.file_name or "").startswith("attendance-hit-youth-2026-")
    await check_exports(bot, cohort_id, first, xlsx.file_bytes or b"", exported.file_bytes or b"")

    # The trainer: the same, for their own cohort only.
    await trainer.send("/attendance")
    mine = await trainer.expect(showing("Attendance · your cohorts"), timeout=WAIT)
    assert "Hit Youth 2026" in plain(mine) and "Ramadi Group" not in plain(mine)
    for command in ("/attendance Ramadi Group", "/attendance Ramadi Group 1", "/export Ramadi Group"):
        await trainer.send(command)
        await trainer.expect(showing("There is no cohort named Ramadi Group"), timeout=WAIT)
    for data in (f"at:s:{other_id}", f"at:e:{other_id}", f"at:x:{other_id}"):
        refused = await trainer.press_data(data, mine)
        assert "not allowed" in plain_text(refused.get("text")) and refused.get("show_alert")
    await trainer.send("/attendance Hit Youth 2026 3")
    await trainer.expect(showing("Session 3 of those held."), timeout=WAIT)
    assert not [m for m in trainer.inbox if m.method == "sendDocument"]


async def check_exports(bot: BotHarness, cohort_id: int, first: int, xlsx: bytes, data: bytes) -> None:
    sessions = [
        s for s in await services(bot).attendance.sessions(COORDINATOR, cohort_id) if s.roll_taken_at or s.has_checkin
    ]
    labels = [f"{s.starts_at.astimezone(ZONE):%Y-%m-%d %H:%M}\n{s.title}" for s in sessions]
    assert sessions[0].id == first and len(sessions) == 3

    book = openpyxl.load_workbook(io.BytesIO(xlsx))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == "A1:K5" and sheet["A1"].font.bold
    assert not sheet.sheet_view.rightToLeft  # an English reader (Arabic readers: storage/test_attendance_exports.py)
    header = [cell.value for cell in sheet[1]]
    assert header == ["#", "Name", "Town", *labels, "Present", "Late", "Excused", "Absent", "Attendance %"]
    rows = {row[1]: row[2:] for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert rows == {
        "Trainee 9001": ("هيت", "present", "present", "present", 3, 0, 0, 0, 1),
        "Trainee 9002": ("الرمادي", "present", "absent", "late", 1, 1, 0, 1, 0.67),
        "Trainee 9003": ("الفلوجة", "absent", "absent", "present", 1, 0, 0, 2, 0.33),
        "Trainee 9004": ("ديالى", "absent", "absent", "excused", 0, 0, 1, 2, 0),
    }
    totals = [cell.value for cell in sheet[6]]
    assert totals[1:] == ["Attended", None, 2, 1, 3, 5, 1, 1, 5, 0.5]
    assert [cell.value for cell in sheet[7]][3:6] == [0.5, 0.25, 0.75]
    starts = book.worksheets[1]["B2"].value  # the sessions sheet, in the cohort's local time
    assert starts == sessions[0].starts_at.astimezone(ZONE).replace(tzinfo=None)
    notes = [row[7] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)]
    assert "Sick" in notes

    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["#", "Name", "Town", *(label.replace("\n", " · ") for label in labels), "Present", "Late",
                        "Excused", "Absent", "Attendance %"]  # fmt: skip
    assert [row[1:6] for row in table[1:5]] == [
        ["Trainee 9001", "هيت", "present", "present", "present"],
        ["Trainee 9002", "الرمادي", "present", "absent", "late"],
        ["Trainee 9003", "الفلوجة", "absent", "absent", "present"],
        ["Trainee 9004", "ديالى", "absent", "absent", "excused"],
    ]
    assert table[5][1:6] == ["Attended", "", "2", "1", "3"] and table[6][3:6] == ["50%", "25%", "75%"]


async def test_checkin_close_asks_which_when_several_are_open_and_long_session_lists_come_as_a_file(
    bot: BotHarness,
) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    north, _people = await cohort_of(bot, "North Hall", 9301, 1)
    big, _crowd = await cohort_of(bot, "Big Cohort", 9400, 301)
    now = dt.datetime.now(dt.UTC)
    shown: dict[str, SentMessage] = {}
    for cohort in ("North Hall", "Big Cohort"):
        await add_session(bot, north if cohort == "North Hall" else big, f"Opening of {cohort}", now)
        await coordinator.send(f"/checkin_open {cohort}")
        shown[cohort] = await coordinator.expect(is_photo, timeout=WAIT)
    await coordinator.send("/checkin_close")
    which = await coordinator.expect(showing("Several check-ins are open. Which one do you want to close?"))
    assert len(which.button_texts()) == 2
    (label,) = [text for text in which.button_texts() if "North Hall" in text]
    answer = await coordinator.press(label, message=which)
    assert "Check-in closed" in plain_text(answer.get("text"))
    await coordinator.sees(lambda m: m is which and "Check-in closed" in plain(m) and "North Hall" in plain(m))
    await coordinator.sees(lambda m: m is shown["North Hall"] and not m.buttons())
    assert shown["Big Cohort"].buttons()  # still open
    (still_open,) = await services(bot).attendance.open_checkins(COORDINATOR)
    assert still_open.cohort.name == "Big Cohort"
    refused = await coordinator.press_data("ci:cls:x", which)
    assert "no longer active" in plain_text(refused.get("text"))
    await coordinator.send("/checkin_close Big Cohort")
    await coordinator.expect(showing("Check-in closed"), timeout=WAIT)
    assert await services(bot).attendance.open_checkins(COORDINATOR) == []

    # 301 trainees expected at one session: the counts in the message, the names as a CSV file.
    await coordinator.send("/attendance Big Cohort 1")
    counts = await coordinator.expect(showing("The names are in the file below."), timeout=WAIT)
    assert "❌ absent: 301" in plain(counts) and "Trainee 9400" not in plain(counts)
    listing = await coordinator.expect(is_document(".csv"), timeout=WAIT)
    table = list(csv.reader(io.StringIO((listing.file_bytes or b"").decode("utf-8-sig"))))
    assert table[0] == ["#", "Name", "Town", "Status", "Note"] and len(table) == 1 + 301
    assert table[1][1:4] == ["Trainee 9400", "هيت", "absent"]

    # /export without a name, with two cohorts: which one? Then both files of that one.
    await coordinator.send("/export")
    which = await coordinator.expect(showing("Which cohort's attendance do you want to export?"), timeout=WAIT)
    assert sorted(which.button_texts()) == ["Big Cohort", "North Hall"]
    await coordinator.press("North Hall", message=which)
    xlsx = await coordinator.expect(is_document(".xlsx"), timeout=WAIT)
    exported = await coordinator.expect(is_document(".csv"), timeout=WAIT)
    assert (xlsx.file_name or "").startswith("attendance-north-hall-") and "sessions held: 1" in plain(exported)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.file_bytes or b"")).worksheets[0]
    assert [cell.value for cell in sheet[2]][1:4] == ["Trainee 9301", "هيت", "absent"]


async def test_many_absentees_come_as_a_file_and_the_old_commands_still_work(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    created = await services(bot).cohorts.create(
        OPERATOR,
        name="Falluja Crowd",
        start_date=dt.date(2026, 12, 1),
        lesson_time=dt.time(18),
        timezone="Asia/Baghdad",
    )
    cohort_id = created.cohort.id
    await enrol(bot.db, cohort_id, 9600, 60, joined=dt.datetime.now(dt.UTC) - dt.timedelta(days=5), locale="en")
    for days_ago in (3, 2):
        await held_session(bot, cohort_id, f"Day {4 - days_ago}", local_at(days_ago, 10), {})
    await coordinator.send("/attendance Falluja Crowd")
    summary = await coordinator.expect(showing("Two or more absences: 60"), timeout=WAIT)
    assert "The list is in the file below." in plain(summary) and "Trainee 9600" not in plain(summary)
    await coordinator.expect(is_photo, timeout=WAIT)
    listing = await coordinator.expect(is_document(".csv"), timeout=WAIT)
    assert (listing.file_name or "").startswith("absences-falluja-crowd-")
    table = list(csv.reader(io.StringIO((listing.file_bytes or b"").decode("utf-8-sig"))))
    assert table[0] == ["#", "Name", "Town", "Absent", "Expected"] and len(table) == 61
    assert table[1][1:] == ["Trainee 9600", "هيت", "2", "2"]

    # /newsession and /opencheckin stay as aliases; the menus and /help show /session and /checkin_open.
    await coordinator.send("/help")
    help_text = plain(await coordinator.expect(showing("What you can do"), timeout=WAIT))
    for command in ("/session —", "/checkin_open —", "/checkin_close —", "/attendance —", "/export —"):
        assert command in help_text
    assert "/newsession" not in help_text and "/opencheckin" not in help_text
    await coordinator.send("/newsession Falluja Crowd")
    await coordinator.expect(showing("What day is the session?"), timeout=WAIT)
    await coordinator.send("/cancel")
    await coordinator.expect(showing("no session was added"), timeout=WAIT)
    await add_session(bot, cohort_id, "Day 3", dt.datetime.now(dt.UTC))
    await coordinator.send("/opencheckin Falluja Crowd")
    await coordinator.expect(is_photo, timeout=WAIT)
