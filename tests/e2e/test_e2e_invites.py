"""End to end: trainer invites admit one person within 7 days unless the coordinator chooses otherwise (a forwarded link
is refused), the invite message says so; pop-ups answering buttons are plain text."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest

from bot.app import build_application
from bot.runtime import BotRunner, prepare_database
from bot.services.access import OPERATOR
from bot.services.people import INVITE_DAYS_MAX, INVITE_USES_MAX
from storage.dto import Role
from tests.conftest import COORDINATOR_ID, BotHarness, make_settings
from tests.crowd import enrol
from tests.e2e.test_e2e_foundation import LINK, register, token_in
from tests.e2e.test_e2e_lessons import plain, services, showing
from tests.fake_telegram import FakeTelegram, FakeUser


class MovableClock:
    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


class ClockedHarness(BotHarness):
    """The real Application with the services' clock in the test's hands."""

    def __init__(self, fake: FakeTelegram, database_url: str, clock: MovableClock) -> None:
        super().__init__(fake, make_settings(database_url, fake))
        self.clock = clock

    async def start(self) -> None:
        await prepare_database(self.settings)
        self.runner = BotRunner(build_application(self.settings, clock=self.clock), poll_timeout=1)
        await self.runner.start()


@pytest.fixture
async def clocked(fake: FakeTelegram, database_url: str) -> AsyncIterator[ClockedHarness]:
    harness = ClockedHarness(fake, database_url, MovableClock())
    await harness.start()
    yield harness
    await harness.stop()


async def a_cohort(bot: BotHarness, name: str = "Hit Youth") -> int:
    created = await services(bot).cohorts.create(
        OPERATOR,
        name=name,
        start_date=dt.date.today() + dt.timedelta(days=10),
        lesson_time=dt.time(18, 30),
        timezone="Asia/Baghdad",
    )
    return int(created.cohort.id)


async def invite_link(coordinator: FakeUser, command: str) -> tuple[str, str]:
    await coordinator.send(command)
    message = await coordinator.expect(lambda m: LINK.search(m.text or "") is not None)
    return token_in(message), plain(message)


async def open_as_trainer(user: FakeUser, token: str) -> None:
    await register(user, token, language="English", name=f"{user.first_name} Trainer", town="Hit", final="trainer of")


async def test_a_trainer_invite_admits_one_person_and_a_forwarded_copy_is_refused(bot: BotHarness) -> None:
    fake = bot.fake
    cohort_id = await a_cohort(bot)
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token, text = await invite_link(coordinator, "/invite Hit Youth trainer")
    assert "It can be used 1 time." in text and "Valid until" in text and "never forward it" in text
    expires = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert f"{expires.day} " in text  # the date a week from now

    layla = fake.user(8101, "Layla", language_code="en")
    await open_as_trainer(layla, token)
    forwarded = fake.user(8102, "Stranger", language_code="en")
    await forwarded.start(token)
    await forwarded.expect(showing("used as many times as allowed"))
    async with bot.db.unit_of_work() as uow:
        invite = await uow.invites.by_token(token)
        assert await uow.people.by_telegram_id(8102) is None
        trainers = await uow.memberships.members(cohort_id, Role.TRAINER)
    assert invite is not None and (invite.max_uses, invite.uses) == (1, 1)
    assert invite.expires_at is not None
    assert dt.timedelta(days=6, hours=23) < invite.expires_at - invite.created_at <= dt.timedelta(days=7)
    assert [p.telegram_id for _m, p in trainers] == [8101]

    # Trainee invites keep today's defaults: anyone with the link, for 30 days.
    _token, trainee_text = await invite_link(coordinator, "/invite Hit Youth")
    assert "Any number of people can use it until then." in trainee_text and "never forward" not in trainee_text


async def test_a_trainer_invite_expires_after_seven_days(clocked: ClockedHarness) -> None:
    fake, clock = clocked.fake, clocked.clock
    await a_cohort(clocked)
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    first, _text = await invite_link(coordinator, "/invite Hit Youth trainer")
    second, _text = await invite_link(coordinator, "/invite Hit Youth trainer")
    clock.now += dt.timedelta(days=6, hours=23)
    await open_as_trainer(fake.user(8201, "Amal", language_code="en"), first)  # still valid on the seventh day
    clock.now += dt.timedelta(hours=1, minutes=1)
    late = fake.user(8202, "Sami", language_code="en")
    await late.start(second)
    await late.expect(showing("has expired"))
    async with clocked.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(8202) is None


async def test_the_coordinator_chooses_uses_and_days_in_english_or_arabic(bot: BotHarness) -> None:
    fake = bot.fake
    await a_cohort(bot)
    await a_cohort(bot, "دفعة بغداد")
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token, text = await invite_link(coordinator, "/invite Hit Youth trainer uses 3 days 14")
    assert "It can be used 3 times." in text
    arabic_token, _text = await invite_link(coordinator, "/invite دفعة بغداد مدرب استخدامات ٥ أيام ٢")
    async with bot.db.unit_of_work() as uow:
        invite = await uow.invites.by_token(token)
        arabic = await uow.invites.by_token(arabic_token)
    assert invite is not None and invite.expires_at is not None and invite.role is Role.TRAINER
    assert (invite.max_uses, (invite.expires_at - invite.created_at).days) == (3, 14)
    assert arabic is not None and arabic.expires_at is not None and arabic.role is Role.TRAINER
    assert (arabic.max_uses, (arabic.expires_at - arabic.created_at).days) == (5, 2)
    for number, first_name in enumerate(("Amir", "Basim", "Karim")):  # three trainers, then no more
        await open_as_trainer(fake.user(8301 + number, first_name, language_code="en"), token)
    fourth = fake.user(8304, "Fourth", language_code="en")
    await fourth.start(token)
    await fourth.expect(showing("used as many times as allowed"))

    for command in (
        "/invite Hit Youth trainer uses 0",
        f"/invite Hit Youth trainer days {INVITE_DAYS_MAX + 1}",
        f"/invite Hit Youth uses {INVITE_USES_MAX + 1}",
        "/invite Hit Youth trainer uses 99999999999999999999999",
    ):
        await coordinator.send(command)
        await coordinator.expect(showing(f"1 to {INVITE_USES_MAX} times and stay valid 1 to {INVITE_DAYS_MAX} days"))
    async with bot.db.unit_of_work() as uow:
        cohort = await uow.cohorts.by_name_key("hit youth")
        assert cohort is not None
        assert len(await uow.invites.for_cohort(cohort.id)) == 2  # the cohort's own and the chosen one: no more


async def test_pop_ups_show_names_as_typed(bot: BotHarness) -> None:
    """answerCallbackQuery text is plain: a cohort named with & and < shows them, not &amp; and &lt;."""
    fake = bot.fake
    cohort_id = await a_cohort(bot, "Tom & Jerry <A>")
    await enrol(bot.db, cohort_id, 8401, 1, joined=dt.datetime.now(dt.UTC), locale="en")
    trainee = fake.user(8401, "Huda", language_code="en")
    await trainee.send("/whoami")
    anchor = await trainee.expect(showing("8401"))
    answer = await trainee.press_data(f"ls:open:{cohort_id}:1", anchor)  # a cohort without lessons: an alert
    text = answer.get("text") or ""
    assert "Tom & Jerry <A>" in text and "&amp;" not in text and "&lt;" not in text, text
    assert answer.get("show_alert")
