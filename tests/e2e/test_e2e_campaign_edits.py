"""End to end: editing a plan and its posts in chat, the month's occasions added with one tap, an Arabic reader's
/calendar (Iraqi month names, Saturday-first keyboard), /mydata and /forgetme."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import func, select

from bot.services.campaigns.occasions import month_occasions
from bot.services.campaigns.rules import PostFields
from storage.campaigns.dto import PostKind
from storage.campaigns.models import CampaignPlan
from storage.dto import Role
from tests.conftest import BotHarness
from tests.e2e.test_e2e_campaign_reminders import make_plan
from tests.e2e.test_e2e_campaigns import TIMEOUT, add_member, edited, eventually, person
from tests.e2e.test_e2e_lessons import lesson_cohort, plain, services, showing

ZONE = ZoneInfo("Asia/Baghdad")


def next_month_with(today: dt.date, wanted: str) -> tuple[int, int]:
    """The first month from now (within a year) with an occasion whose key starts with `wanted`."""
    for ahead in range(13):
        index = today.year * 12 + today.month - 1 + ahead
        year, month = index // 12, index % 12 + 1
        if any(o.key.startswith(wanted) and o.day >= today for o in month_occasions(year, month)):
            return year, month
    raise AssertionError(f"no {wanted} occasion within a year")


async def test_edit_plan_and_posts_occasions_one_tap_delete(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Edit Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6501, Role.TRAINEE, "Nour Owner")
    nour = person(fake, 6501, "Nour", "en")
    plan_id = await make_plan(bot, 6501, cohort_id)
    plans = services(bot).campaigns.plans
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=2)
    await plans.add_post(6501, plan_id, PostFields(start, PostKind.CAMPAIGN, "ig", "Before photos"))

    await nour.send("/campaign")
    listing = await nour.expect(showing("Your campaign plans"))
    await nour.press("#ملعب_الرمادي", message=listing)
    card = await nour.sees(edited(listing, "Campaign plan #ملعب_الرمادي"))
    await nour.press("✏️ Edit the plan", message=card)
    await nour.sees(edited(card, "What do you want to change?"))
    await nour.press("Goal", message=card)
    await nour.sees(edited(card, "Type the new text for Goal"))
    await nour.send("The council opens two school yards")
    card = await nour.expect(showing("Goal: The council opens two school yards"))
    await nour.press("✏️ Edit the plan", message=card)
    await nour.sees(edited(card, "What do you want to change?"))
    await nour.press("Measurable target", message=card)
    await nour.sees(edited(card, "What will you count"))
    await nour.press("Something else", message=card)
    await nour.sees(edited(card, "What will you count? (for example"))
    await nour.send("volunteers")
    await nour.expect(showing("How many?"))
    await nour.send("30")
    card = await nour.expect(showing("Measurable target: volunteers: 30"))
    await nour.press("✏️ Edit the plan", message=card)
    await nour.sees(edited(card, "What do you want to change?"))
    await nour.press("Platforms", message=card)
    await nour.sees(edited(card, "5/6 Platforms"))
    await nour.press("✅ Instagram", message=card)  # a post uses Instagram: refused when saved
    await nour.sees(lambda m: m.message_id == card.message_id and "▫️ Instagram" in m.button_texts())
    refusal = await nour.press("➡️ Next", message=card)
    assert refusal.get("show_alert") and "uses that platform" in refusal["text"]
    assert (await plans.view(6501, plan_id)).plan.platforms == ("fb", "ig")
    await nour.send("/cancel")
    await nour.expect(showing("Cancelled"))

    # A post's idea and time changed from its card, then the post deleted.
    await nour.send("/campaign")
    listing = await nour.expect(showing("Your campaign plans"))
    await nour.press("#ملعب_الرمادي", message=listing)
    await nour.sees(edited(listing, "Campaign plan"))
    await nour.press("📋 Posts", message=listing)
    await nour.sees(lambda m: m.message_id == listing.message_id and "✏️ 1" in m.button_texts())
    await nour.press("✏️ 1", message=listing)
    await nour.sees(lambda m: m.message_id == listing.message_id and "Idea" in m.button_texts())
    await nour.press("Idea", message=listing)
    await nour.sees(edited(listing, "What is the idea"))
    await nour.send("Before and after photos")
    changed = await nour.expect(showing("Post changed"))
    assert "Before and after photos" in plain(changed)
    await nour.press("✏️ Change it", message=changed)
    await nour.sees(lambda m: m.message_id == changed.message_id and "Time" in m.button_texts())
    await nour.press("Time", message=changed)
    await nour.sees(edited(changed, "When should it go out?"))
    await nour.send("next friday 17:00")
    moved = await nour.expect(showing("Post changed"))
    assert "17:00" in plain(moved)
    post = (await plans.view(6501, plan_id)).posts[0]
    local = post.starts_at.astimezone(ZONE)
    assert (local.isoweekday(), local.hour) == (5, 17)

    # The month's occasions: Iraq's (estimated Islamic dates marked), Hijri and international days; one tap adds.
    today = dt.datetime.now(ZONE).date()
    year, month = next_month_with(today, "un:")
    await nour.press_data(f"cp:oc:{plan_id}:{year}{month:02d}", moved)
    occasions = await nour.sees(edited(moved, "Occasions in"))
    first = next(o for o in month_occasions(year, month) if o.key.startswith("un:") and o.day >= today)
    assert first.name("en") in plain(occasions)
    year_e, month_e = next_month_with(today, "iq:eid")
    await nour.press_data(f"cp:oc:{plan_id}:{year_e}{month_e:02d}", occasions)
    estimated = await nour.sees(edited(occasions, "Eid"))
    assert "(date estimated)" in plain(estimated) and "move with the sighting of the moon" in plain(estimated)
    await nour.press_data(f"cp:oc:{plan_id}:{year}{month:02d}", estimated)
    occasions = await nour.sees(edited(estimated, first.name("en")))
    button = next(b for b in occasions.button_texts() if first.name("en") in b)
    await nour.press(button, message=occasions)
    added = await nour.expect(showing("Post added"), timeout=TIMEOUT)
    assert first.name("en") in plain(added) and "18:00" in plain(added)
    occasion_post = next(p for p in (await plans.view(6501, plan_id)).posts if p.occasion == first.key)
    assert occasion_post.kind is PostKind.OCCASION

    await nour.press("✏️ Change it", message=added)
    await nour.sees(lambda m: m.message_id == added.message_id and "🗑 Delete" in m.button_texts())
    await nour.press("🗑 Delete", message=added)
    await nour.sees(edited(added, "Delete this post"))
    await nour.press("🗑 Yes, delete it", message=added)
    await nour.sees(edited(added, "Before and after photos"))
    assert [p.id for p in (await plans.view(6501, plan_id)).posts] == [post.id]


async def test_arabic_calendar_mydata_and_forgetme(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id, _token = await lesson_cohort(bot, "Arabic Cohort", dt.datetime.now(dt.UTC) + dt.timedelta(days=3))
    await add_member(bot, cohort_id, 6601, Role.TRAINEE, "Huda")
    await add_member(bot, cohort_id, 6602, Role.TRAINEE, "Ali")
    async with bot.db.unit_of_work() as uow:
        found = await uow.people.by_telegram_id(6601)
        assert found is not None
        await uow.people.set_locale(found.id, "ar")
        await uow.commit()
    huda = person(fake, 6601, "هدى", "ar")
    plan_id = await make_plan(bot, 6601, cohort_id, 6602)
    at = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(hours=2)
    await services(bot).campaigns.plans.add_post(6601, plan_id, PostFields(at, PostKind.PROMOTION, "fb", "دعوة"))

    await huda.send("/calendar")
    photo = await huda.expect(lambda m: m.method == "sendPhoto")
    assert photo.file_bytes is not None and photo.file_bytes.startswith(b"\x89PNG")
    local = at.astimezone(ZONE)
    month_name = format_date(local.date(), "LLLL y", locale="ar_IQ")  # Iraqi month names: كانون الأول, آذار …
    text = plain(await huda.expect(showing(month_name)))
    assert "دعوة" in text

    # The month calendar of the post flow starts on Saturday, drawn right to left.
    await huda.send("/campaign")
    listing = await huda.expect(lambda m: any("ملعب" in b for b in m.button_texts()))
    await huda.press(next(b for b in listing.button_texts() if "ملعب" in b), message=listing)
    card = await huda.sees(edited(listing, "#ملعب_الرمادي"))
    await huda.press_data(f"cp:ap:{plan_id}", card)
    picker = await huda.sees(lambda m: m.message_id == card.message_id and len(m.buttons()) > 3)
    weekdays = [b["text"] for b in picker.buttons()[1]]
    assert weekdays[-1] == "س" and weekdays[0] == "ج"  # السبت on the right, الجمعة on the left
    await huda.send("/cancel")

    await huda.send("/mydata")
    await huda.expect(showing("#ملعب_الرمادي"))  # the plan is listed (the sentence around it is translated)
    await huda.send("/forgetme")
    await huda.press(next(b for b in (await huda.expect(lambda m: len(m.button_texts()) == 2)).button_texts()))

    async def plan_gone() -> bool:  # the owner's plan, posts, teammates and marks go with the person
        async with bot.db.unit_of_work() as uow:
            return await uow.session.scalar(select(func.count(CampaignPlan.id))) == 0

    await eventually(plan_gone)
