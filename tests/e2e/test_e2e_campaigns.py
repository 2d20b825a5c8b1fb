"""End to end: the campaign planner through the real Application and the fake Telegram server.

A plan built step by step, posts added by typed dates (every digit set) and by the inline month calendar, bad input
refused with nothing changed, a reminder firing seconds ahead to the owner and a teammate, Done with a proof link,
a restart that sends nothing twice, the trainer's review, comment and approval, /progress, /calendar (PNG) and the
.ics file parsed back with icalendar. Replies are in English here: the Arabic catalog gets these messages when the
translations are merged (see .translations/campaigns.json).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.services.campaigns.reminders import POST_REMIND
from bot.services.campaigns.rules import PostFields
from storage.campaigns.dto import PostKind, Repeat
from storage.dto import DeliveryState, Role
from storage.uow import Database
from tests.conftest import COORDINATOR_ID, BotHarness
from tests.crowd import enrol
from tests.e2e.test_e2e_foundation import register
from tests.e2e.test_e2e_lessons import lesson_cohort, plain, services, showing
from tests.fake_telegram import FakeUser, SentMessage

ZONE = ZoneInfo("Asia/Baghdad")
TIMEOUT = 30.0  # the machine is shared: replies can also queue behind Telegram's per-chat limit (1 msg/s)


class Patient(FakeUser):
    """A simulated user who waits TIMEOUT for each answer instead of 5 s."""

    async def expect(self, contains: Any, timeout: float = TIMEOUT) -> SentMessage:  # noqa: ASYNC109
        return await super().expect(contains, timeout)

    async def sees(self, contains: Any, timeout: float = TIMEOUT) -> SentMessage:  # noqa: ASYNC109
        return await super().sees(contains, timeout)

    async def press_data(self, callback_data: str, message: SentMessage, *, timeout: float = TIMEOUT) -> Any:  # noqa: ASYNC109
        return await super().press_data(callback_data, message, timeout=timeout)

    async def press(self, button_text: str, *, message: SentMessage | None = None, timeout: float = TIMEOUT) -> Any:  # noqa: ASYNC109
        return await super().press(button_text, message=message, timeout=timeout)


def person(fake: Any, telegram_id: int, first_name: str, language_code: str = "en") -> Patient:
    user = fake.user(telegram_id, first_name, language_code=language_code)
    user.__class__ = Patient
    assert isinstance(user, Patient)
    return user


def edited(message: SentMessage, text: str) -> Any:
    """The pressed message once it shows `text` (a press is answered before its message is edited)."""
    return lambda m: m.message_id == message.message_id and text in plain(m)


def is_reminder(message: SentMessage) -> bool:
    return "Time to post" in plain(message)


async def add_member(bot: BotHarness, cohort_id: int, telegram_id: int, role: Role, name: str) -> None:
    db = Database(bot.settings.database_url)
    try:
        ids = await enrol(db, cohort_id, telegram_id, 1, joined=dt.datetime.now(dt.UTC), locale="en")
        async with db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(ids[0])
            assert person is not None
            membership = await uow.memberships.get(person.id, cohort_id)
            assert membership is not None
            await uow.memberships.set_role(membership.id, role)
            await uow.people.register(person.id, full_name=name, name_key=name.lower(), town="هيت", locale="en",
                                      consent_at=dt.datetime.now(dt.UTC))  # fmt: skip
            await uow.commit()
    finally:
        await db.dispose()


async def person_id(bot: BotHarness, telegram_id: int) -> int:
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(telegram_id)
    assert person is not None
    return person.id


async def reminders(bot: BotHarness) -> list[Any]:
    async with bot.db.unit_of_work() as uow:
        return await uow.deliveries.of_kind(POST_REMIND)


async def eventually(check: Any, timeout: float = TIMEOUT) -> None:  # noqa: ASYNC109
    for _ in range(int(timeout * 10)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


async def build_plan(huda: FakeUser) -> SentMessage:
    """/campaign step by step (with a few refused answers); returns the plan card."""
    await huda.send("/campaign")
    await huda.expect(showing("1/6 The problem"))
    await huda.send("ok")  # too short
    await huda.expect(showing("in 3 to 300 characters (you wrote 2)"))
    await huda.send("Rubbish in the streets of Hit")
    await huda.expect(showing("2/6 The goal"))
    await huda.send("The municipality puts bins in the market")
    metric = await huda.expect(showing("3/6 A measurable target"))
    await huda.send("followers")  # a button is expected
    await huda.expect(showing("Please answer the question above"))
    await huda.press("Followers", message=metric)
    await huda.sees(showing("How many?"))
    await huda.send("lots")
    await huda.expect(showing("whole number from 1 to 10000000"))
    await huda.send("٥٠٠")  # Arabic-Indic digits
    await huda.expect(showing("4/6 The audience"))
    await huda.send("Young people of Hit, 16-30")
    platforms = await huda.expect(showing("5/6 Platforms"))
    await huda.press("➡️ Next", message=platforms)  # none chosen yet: refused
    await huda.press("▫️ Instagram", message=platforms)
    await huda.press("▫️ Facebook page", message=platforms)
    await huda.sees(lambda m: "✅ Instagram" in m.button_texts() and "✅ Facebook page" in m.button_texts())
    await huda.press("➡️ Next", message=platforms)
    await huda.sees(showing("6/6 The hashtag"))
    await huda.send("two words!")
    await huda.expect(showing("A hashtag is one word"))
    await huda.send("#CleanHit")
    team = await huda.expect(showing("alone or with teammates"))
    await huda.press("👥 With teammates", message=team)
    card = await huda.sees(showing("Campaign plan #CleanHit"))
    text = plain(card)
    assert "Followers: 500" in text and "Instagram, Facebook page" in text and "Team: Huda Karim alone" in text
    return card


async def test_plan_posts_reminder_proof_review_progress_calendar(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, token = await lesson_cohort(bot, "Hit Campaigners", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    other_id, _other_token = await lesson_cohort(bot, "Other Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    huda = person(fake, 6101, "Huda", "en")
    await register(huda, token, language="English", name="Huda Karim", town="Hit", final="Hit Campaigners")
    await add_member(bot, cohort_id, 6102, Role.TRAINEE, "Zaid Teammate")
    await add_member(bot, other_id, 6103, Role.TRAINEE, "Omar Elsewhere")
    await add_member(bot, cohort_id, 6104, Role.TRAINER, "Layla Trainer")
    zaid, trainer = person(fake, 6102, "Zaid", "en"), person(fake, 6104, "Layla", "en")

    await build_plan(huda)
    picker = await huda.expect(showing("Tap the trainees of your cohort"))
    assert [b for b in picker.button_texts() if "Omar" in b] == []  # only the plan's cohort is offered
    await huda.press("▫️ Zaid Teammate", message=picker)
    await huda.sees(lambda m: "✅ Zaid Teammate" in m.button_texts())
    await zaid.expect(showing("added you to the campaign plan #CleanHit"), timeout=TIMEOUT)
    plan_id = next(int(b["callback_data"].split(":")[2]) for row in picker.buttons() for b in row
                   if b["text"] == "✔️ Finished")  # fmt: skip
    forged = await huda.press_data(f"cp:t:{plan_id}:{await person_id(bot, 6103)}", picker)
    assert forged.get("show_alert") and "trainees of the plan's cohort" in forged["text"]
    view = await services(bot).campaigns.plans.view(6101, plan_id)
    assert len(view.plan.teammates) == 1  # nothing changed

    # A post by typed date and time, after refused answers; weekly for two weeks, reminded an hour before too.
    await huda.press("✔️ Finished", message=picker)
    card = await huda.sees(showing("Campaign plan #CleanHit"))
    await huda.press("➕ Add a post", message=card)
    await huda.sees(showing("When should it go out?"))
    for bad, answer in (
        ("31/02", "no such date"),
        ("25:00", "not a valid time"),
        ("2020-01-01 10:00", "already passed"),
    ):
        await huda.send(bad)
        await huda.expect(showing(answer))
    await huda.send("tomorrow 18:00")
    kind = await huda.expect(showing("What kind of post"))
    await huda.press("Campaign post", message=kind)
    await huda.sees(showing("On which platform?"))
    await huda.press("Instagram")
    await huda.sees(showing("What is the idea"))
    await huda.send("x" * 501)
    await huda.expect(showing("in 1 to 500 characters (you wrote 501)"))
    await huda.send("Photo of the market before the cleanup")
    repeat = await huda.expect(showing("Does it repeat?"))
    await huda.press("Every week", message=repeat)
    await huda.sees(showing("Until when?"))
    tomorrow = dt.datetime.now(ZONE).date() + dt.timedelta(days=1)
    await huda.send((tomorrow + dt.timedelta(days=300)).isoformat())  # beyond 6 months
    await huda.expect(showing("within 6 months"))
    await huda.send((tomorrow + dt.timedelta(days=14)).isoformat())
    lead = await huda.expect(showing("Also earlier?"))
    await huda.press("1 hour before", message=lead)
    saved = await huda.sees(showing("Post added"))
    assert "Every week until" in plain(saved) and "1 hour before" in plain(saved)

    # A second post picked on the month calendar, the time in Arabic words and digits.
    await huda.press("➕ Another post", message=saved)
    picker_message = await huda.sees(edited(saved, "When should it go out?"))
    day = dt.datetime.now(ZONE).date() + dt.timedelta(days=2)
    if day.month != dt.datetime.now(ZONE).month:
        await huda.press("▶", message=picker_message)
        await huda.sees(lambda m: str(day.day) in m.button_texts() and "▶" in m.button_texts())
    forged = await huda.press_data(f"cp:d:zzzzzz:{day:%Y%m%d}", picker_message)  # someone else's draft token
    assert "no longer active" in (forged.get("text") or "")
    await huda.press(str(day.day), message=picker_message)
    await huda.sees(showing("What time on"))
    await huda.send("٩:٣٠ مساءً")
    await huda.expect(showing("What kind of post"))
    await huda.press("Promotion")
    await huda.sees(showing("On which platform?"))
    await huda.press("Facebook page")
    await huda.sees(showing("What is the idea"))
    await huda.send("Invite people to the Friday cleanup")
    await huda.expect(showing("Does it repeat?"))
    await huda.press("Once")
    await huda.sees(showing("Also earlier?"))
    await huda.press("only at the time")
    second = await huda.sees(showing("Post added"))
    assert "21:30" in plain(second)

    # The day limit: five posts on one day are allowed, a sixth is refused and nothing changes.
    full_day = dt.datetime.combine(dt.datetime.now(ZONE).date() + dt.timedelta(days=5), dt.time(10), tzinfo=ZONE)
    for hour in range(5):
        fields = PostFields(full_day + dt.timedelta(hours=hour), PostKind.CAMPAIGN, "ig", f"Idea {hour}")
        await services(bot).campaigns.plans.add_post(6101, plan_id, fields)
    await huda.press("➕ Another post", message=second)
    await huda.sees(edited(second, "When should it go out?"))
    await huda.send(f"{full_day:%Y-%m-%d} 20:00")
    await huda.expect(showing("already has 5 posts of this plan"))
    assert len((await services(bot).campaigns.plans.view(6101, plan_id)).posts) == 7
    await huda.send("/cancel")
    await huda.expect(showing("Cancelled"))

    # The weekly post moved to a few seconds from now: owner and teammate are reminded.
    view = await services(bot).campaigns.plans.view(6101, plan_id)
    weekly = next(p for p in view.posts if p.repeat is Repeat.WEEKLY)
    await services(bot).campaigns.plans.update_post(
        6101, weekly.id, starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    )
    reminder = await huda.expect(is_reminder, timeout=TIMEOUT)
    mate_reminder = await zaid.expect(is_reminder, timeout=TIMEOUT)
    assert "Photo of the market" in plain(reminder) and "#CleanHit" in plain(reminder)
    assert reminder.button_texts() == ["✅ Done", "⏰ Snooze 1 h", "⏭ Skip"]

    answer = await huda.press("✅ Done", message=reminder)
    assert "Well done" in (answer.get("text") or "")
    await huda.sees(edited(reminder, "Send the post's link or a screenshot"))
    await huda.send("https://www.instagram.com/p/CleanHit1")  # text that is no link: test_e2e_campaign_steps.py
    await huda.expect(showing("Proof saved"))
    again = await zaid.press("✅ Done", message=mate_reminder)
    assert "Already marked done" in (again.get("text") or "")

    # A restart plans the horizon again and resends nothing.
    await bot.restart()
    await asyncio.sleep(2)
    assert len([m for m in huda.inbox if is_reminder(m)]) == 1
    assert len([m for m in zaid.inbox if is_reminder(m)]) == 1
    sent = [d for d in await reminders(bot) if d.state is DeliveryState.SENT]
    assert sorted(d.chat_id for d in sent) == [6101, 6102]

    # The trainer sees the progress, approves the proof and comments.
    await trainer.send("/campaigns")
    listing = await trainer.expect(showing("Campaign plans of Hit Campaigners"))
    text = plain(listing)
    assert (
        "#CleanHit — Huda Karim with Zaid Teammate" in text
        and "done 1" in text
        and "Proofs waiting for approval: 1" in text
    )
    await trainer.press("🔍 1", message=listing)
    detail = await trainer.sees(edited(listing, "https://www.instagram.com/p/CleanHit1"))
    assert "waiting for approval" in plain(detail)
    approved = await trainer.press("✅ Approve 1", message=detail)
    assert "Approved" in (approved.get("text") or "")
    await huda.expect(showing("approved your proof"), timeout=TIMEOUT)
    detail = await trainer.sees(edited(detail, "✅ approved"))
    await trainer.press("💬 Comment", message=detail)
    await trainer.expect(showing("Type your comment"))
    await trainer.send("Great start! Add a photo of the new bins.")
    await trainer.expect(showing("Comment sent"))
    await huda.expect(showing("Your trainer commented"), timeout=TIMEOUT)
    await zaid.expect(showing("Great start!"), timeout=TIMEOUT)

    await huda.send("/progress")
    assert "Campaign posts done: 1" in plain(await huda.expect(showing("Your progress")))

    # /calendar: a PNG month view, the month as text, and the .ics file.
    await huda.send("/calendar")
    photo = await huda.expect(lambda m: m.method == "sendPhoto")
    assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG")
    month = await huda.expect(showing("Your posts in"))
    await huda.press("📥 Calendar file (.ics)", message=month)
    document = await huda.expect(lambda m: m.method == "sendDocument", timeout=TIMEOUT)
    assert document.file_name == "campaign-calendar.ics" and document.file_bytes
    events = list(Calendar.from_ical(document.file_bytes).walk("VEVENT"))
    view = await services(bot).campaigns.plans.view(6101, plan_id)
    assert len(events) == view.stats.planned
    moved = await services(bot).campaigns.plans.post(6101, weekly.id)
    starts = sorted(e.decoded("dtstart") for e in events if "market" in str(e.get("description")))
    assert starts[0] == moved[1].starts_at and len(starts) == 3  # weekly until two weeks later
    assert all("#CleanHit" in str(e.get("summary")) for e in events)

    # A teammate cannot change the plan.
    refused = await zaid.press_data(f"cp:ap:{plan_id}", mate_reminder)
    assert refused.get("show_alert") and "Only the plan's owner" in refused["text"]
    coordinator = person(fake, COORDINATOR_ID, "Noor", "en")
    await coordinator.send("/calendar")
    await coordinator.expect(showing("This is for registered trainees"))
