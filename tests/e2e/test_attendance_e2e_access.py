"""End to end: attendance's boundaries — check-in links never reach registration, roles and forged buttons are
refused, a session added in chat, /forgetme removes attendance, broadcasts to those absent from the last session,
and long answers split or sent as a file."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io

from bot.services.access import Principal
from storage.attendance.dto import AttendanceStatus
from storage.dto import Role
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.e2e.test_e2e_attendance import (
    ZONE,
    add_session,
    cohort_of,
    displayed,
    is_photo,
    person_id,
    plain,
    plain_text,
    services,
    showing,
)
from tests.e2e.test_e2e_foundation import create_cohort, register


async def test_check_in_links_never_reach_registration_and_roles_are_enforced(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Diyala Links")
    stranger = fake.user(8301, "Omar", language_code="en")
    await stranger.start("ci_NoSuchToken1")
    await stranger.expect(showing("Please register first"))  # not the registration's "invite link is not valid"
    await stranger.send("1234")  # digits from someone who is no trainee: nothing special
    await stranger.expect(showing("I didn't understand that"))
    await stranger.send("/checkin 1234")
    await stranger.expect(showing("This is for registered trainees"))
    await register(stranger, token, language="English", name="Omar Taha", town="Diyala", final="Diyala Links")
    await stranger.start("ci_NoSuchToken1")
    await stranger.expect(showing("This check-in is closed, or its code has changed"))
    await stranger.send("/checkin")
    await stranger.expect(showing("Type the 4-digit code"))

    for command in ("/opencheckin", "/roll", "/attendance Diyala Links", "/sessions", "/newsession"):
        await stranger.send(command)
        await stranger.expect(showing("only trainers and coordinators"))

    # A trainer of another cohort: refused by the service, whatever the buttons say.
    other_id, _people = await cohort_of(bot, "Other Cohort", 8310, 1)
    trainer = fake.user(8320, "Rana", language_code="en")
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.add(8320, dt.datetime.now(dt.UTC), "en")
        await uow.memberships.add(person.id, other_id, Role.TRAINER, dt.datetime.now(dt.UTC))
        cohort = await uow.cohorts.by_name_key("diyala links")
        await uow.commit()
    assert cohort is not None
    session_id = await add_session(bot, cohort.id, "Day 1", dt.datetime.now(dt.UTC))
    await coordinator.send("/opencheckin Diyala Links")
    shown = await coordinator.expect(is_photo)
    checkin = await displayed(bot, session_id, shown)
    await trainer.send("/attendance Diyala Links")
    await trainer.expect(showing("There is no cohort named Diyala Links among yours."))
    await trainer.send("/whoami")
    anchor = await trainer.expect(showing("Telegram id"))
    refused = await trainer.press_data(f"ci:end:{checkin.id}", anchor)
    assert "not allowed" in plain_text(refused.get("text")) and refused.get("show_alert")
    refused = await trainer.press_data(f"rl:s:{session_id}:{await person_id(bot, stranger.id)}:p:0", anchor)
    assert "not allowed" in plain_text(refused.get("text"))
    refused = await trainer.press_data(f"at:x:{cohort.id}", anchor)
    assert "not allowed" in plain_text(refused.get("text"))
    forged = await trainer.press_data("rl:s:x:y:z:0", anchor)
    assert "no longer active" in plain_text(forged.get("text"))
    async with bot.db.unit_of_work() as uow:
        still = await uow.checkins.by_id(checkin.id)
        assert still is not None and still.closed_at is None
        assert await uow.attendance.for_session(session_id) == {}
    assert not [m for m in trainer.inbox if m.method == "sendDocument"]

    await stranger.send(checkin.code)
    await stranger.expect(showing("Checked in to Day 1"))


async def test_new_session_in_chat_sessions_list_and_forgetting_removes_attendance(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    cohort_id, (huda,) = await cohort_of(bot, "Ramadi Chat", 8401, 1)
    await cohort_of(bot, "Second Cohort", 8410, 1)
    await coordinator.send("/newsession")
    which = await coordinator.expect(lambda m: "Ramadi Chat" in m.button_texts())
    await coordinator.press("Ramadi Chat", message=which)
    await coordinator.sees(showing("What day is the session?"))
    await coordinator.send("30/02/2026")
    await coordinator.expect(showing("not a date I can use"))
    today = dt.datetime.now(ZONE).date()
    await coordinator.send(today.isoformat())
    await coordinator.expect(showing("At what time"))
    await coordinator.send("٩:٠٠ ص")  # 9 in the morning, Arabic digits
    await coordinator.expect(showing("title"))
    await coordinator.send("Day 3 — the campaign plan")
    place = await coordinator.expect(lambda m: "No place" in m.button_texts())
    await coordinator.press("No place", message=place)
    added = await coordinator.sees(showing("Session added to Ramadi Chat"))
    assert "Day 3 — the campaign plan" in plain(added) and "09:00" in plain(added)
    (session,) = await services(bot).attendance.sessions(principal_of_coordinator(), cohort_id)
    assert session.starts_at == dt.datetime.combine(today, dt.time(9, 0), ZONE) and session.place is None

    await coordinator.send("/sessions Ramadi Chat")
    listing = await coordinator.expect(showing("Sessions of Ramadi Chat"))
    assert "Day 3 — the campaign plan" in plain(listing)

    await services(bot).attendance.mark(principal_of_coordinator(), session.id, await person_id(bot, huda.id),
                                        AttendanceStatus.EXCUSED, "family wedding")  # fmt: skip
    await huda.send("/forgetme")
    confirm = await huda.expect(showing("Delete everything?"))
    await huda.press("Yes, delete my data", message=confirm)
    await huda.sees(showing("your data was deleted"))
    async with bot.db.unit_of_work() as uow:
        assert await uow.attendance.for_session(session.id) == {}
        assert await uow.attendance.changes([session.id]) == []


def principal_of_coordinator() -> Principal:
    return Principal(telegram_id=COORDINATOR_ID, locale="en", is_coordinator=True)


async def test_broadcast_to_those_absent_from_the_last_session(bot: BotHarness) -> None:
    """The broadcasts feature asks AttendanceService.absent_from_last_session (inside its own unit of work)."""
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    cohort_id, people = await cohort_of(bot, "Hit Absent", 8501, 4)
    session_id = await add_session(bot, cohort_id, "Day 1", dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
    attendance = services(bot).attendance
    for user, status in zip(people, [AttendanceStatus.PRESENT, AttendanceStatus.EXCUSED], strict=False):
        await attendance.mark(principal_of_coordinator(), session_id, await person_id(bot, user.id), status)

    await coordinator.send("/broadcast")
    targets = await coordinator.expect(showing("New announcement"))
    assert targets.button_texts()[0] == "✅ Hit Absent"  # the only cohort: already chosen
    await coordinator.press("Next ➡", message=targets)
    await coordinator.sees(lambda m: "Only those absent from the last session" in m.button_texts())
    await coordinator.press("Only those absent from the last session", message=targets)
    await coordinator.sees(showing("Now send the announcement"))
    await coordinator.send("We missed you at Day 1. The slides are in the group.")
    summary = await coordinator.expect(lambda m: "✅ Send now" in m.button_texts(), timeout=10)
    await coordinator.press("✅ Send now", message=summary)
    trainees = {p.id for p in people}

    def copied() -> list[int]:
        return sorted(m.chat_id for m in fake.sent if m.method == "copyMessage" and m.chat_id in trainees)

    await fake.wait_until(lambda: len(copied()) >= 2, timeout=30)
    await asyncio.sleep(1.0)
    assert copied() == [people[2].id, people[3].id]  # the present and the excused are left out


async def test_long_answers_are_split_or_sent_as_a_file(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    small_id, small = await cohort_of(bot, "Split Cohort", 8601, 120)
    big_id, _big = await cohort_of(bot, "File Cohort", 8800, 301)
    for cohort_id, people in ((small_id, small[:3]), (big_id, [])):
        session_id = await add_session(bot, cohort_id, "Day 1", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
        for user in people:
            await services(bot).attendance.mark(
                principal_of_coordinator(), session_id, await person_id(bot, user.id), AttendanceStatus.PRESENT
            )
        await services(bot).attendance.finish_roll(principal_of_coordinator(), session_id)

    await coordinator.send("/attendance Split Cohort")
    summary = await coordinator.expect(showing("Attendance · Split Cohort"))
    before = len(coordinator.inbox)
    await coordinator.press("👥 Per trainee", message=summary)
    await coordinator.expect(showing("Trainee 8720"), timeout=15)  # the last of 120: after a split
    parts = [m for m in coordinator.inbox[before:] if m.method == "sendMessage"]
    assert len(parts) >= 2 and all(len(m.text or "") <= 4096 for m in parts)
    assert "Trainee 8601 (هيت) — 1 of 1 · 100%" in plain(parts[0])

    await coordinator.send("/attendance File Cohort")
    summary = await coordinator.expect(showing("Attendance · File Cohort"))
    await coordinator.press("👥 Per trainee", message=summary)
    listing = await coordinator.expect(lambda m: m.method == "sendDocument", timeout=15)
    assert "Trainees: 301" in plain(listing) and (listing.file_name or "").endswith(".csv")
    table = list(csv.reader(io.StringIO((listing.file_bytes or b"").decode("utf-8-sig"))))
    assert len(table) == 1 + 301 + 2 and table[0][3].endswith(" · Day 1")

    # The roll of 120 trainees, a page at a time.
    await coordinator.send("/roll Split Cohort")
    roll = await coordinator.expect(showing("Page 1 of 15"))
    assert roll.button_texts()[:2] == ["✅ Trainee 8601", "✅ Trainee 8602"] and "◀" not in roll.button_texts()
    await coordinator.press("▶", message=roll)
    await coordinator.sees(lambda m: m is roll and "Page 2 of 15" in plain(m) and "❌ Trainee 8609" in m.button_texts())
    forged = await coordinator.press_data(f"rl:l:{small_id}999:0", roll)  # no such session
    assert "no longer exists" in plain_text(forged.get("text")) and "Page 2 of 15" in plain(roll)  # left as it was


async def test_rotating_by_word_a_trainers_cohort_among_their_own_and_an_old_button_for_a_far_session(
    bot: BotHarness,
) -> None:
    fake = bot.fake
    own_id, (huda,) = await cohort_of(bot, "Hit", 8501, 1)
    await cohort_of(bot, "Hit Youth", 8510, 1)  # not the trainer's, and its name begins like "Hit Youth Day"
    trainer = fake.user(8520, "Rana", language_code="en")
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.add(8520, dt.datetime.now(dt.UTC), "en")
        await uow.memberships.add(person.id, own_id, Role.TRAINER, dt.datetime.now(dt.UTC))
        await uow.commit()
    session_id = await add_session(bot, own_id, "Youth Day", dt.datetime.now(dt.UTC))

    await trainer.send("/checkin_open Hit rotate")
    shown = await trainer.expect(is_photo)
    assert "The code changes every 2 minutes." in plain(shown)
    checkin = await displayed(bot, session_id, shown)
    assert checkin.rotate_minutes == 2
    await huda.send(checkin.code)
    await huda.expect(showing("Checked in to Youth Day"))

    # "Hit Youth" is another cohort, but among the trainer's own "Hit" is the cohort and "Youth Day" the session.
    await trainer.send("/attendance Hit Youth Day")
    detail = await trainer.expect(showing("Attendance · Hit"))
    assert "Youth Day" in plain(detail) and "✅ present: 1\n• Trainee 8501" in plain(detail)

    # A session weeks away: /checkin_open never offers it, and a forged or very old button is refused.
    far_id = await add_session(bot, own_id, "Next month", dt.datetime.now(dt.UTC) + dt.timedelta(days=30))
    await trainer.press_data(f"se:oc:{far_id}:d", shown)
    await trainer.expect(showing("Check-in opens only within 12 hours of a session's start"))
    async with bot.db.unit_of_work() as uow:
        assert await uow.checkins.for_session(far_id) == []
