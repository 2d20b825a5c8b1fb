"""End to end: the real Application against the fake Telegram server, driven as people would."""

from __future__ import annotations

import asyncio
import re

from tests.conftest import COORDINATOR_ID, BotHarness
from tests.fake_telegram import FakeUser, SentMessage

LINK = re.compile(r"https://t\.me/cohort_test_bot\?start=([A-Za-z0-9_-]+)")


async def eventually_status(bot: BotHarness, telegram_id: int, status: str) -> bool:
    for _ in range(50):
        async with bot.db.unit_of_work() as uow:
            person = await uow.people.by_telegram_id(telegram_id)
        if person is not None and person.status == status:
            return True
        await asyncio.sleep(0.1)
    return False


def token_in(message: SentMessage) -> str:
    match = LINK.search(message.text or "")
    assert match, f"no invite link in {message.text!r}"
    return match.group(1)


async def create_cohort(coordinator: FakeUser, name: str = "دفعة بغداد") -> str:
    """Walk /newcohort (with a wrong date and time first) and return the trainee invite token."""
    await coordinator.send("/newcohort")
    await coordinator.next_message()
    await coordinator.send(name)
    await coordinator.expect("2026-12-01")
    await coordinator.send("31/02/2026")  # impossible date → asked again
    await coordinator.expect("2026-12-01")
    await coordinator.send("٢٠٢٦-١٢-٠١")
    await coordinator.expect("18:30")
    await coordinator.send("25:99")  # invalid time → asked again
    await coordinator.expect("18:30")
    await coordinator.send("١٨:٣٠")
    await coordinator.expect(name)
    link = await coordinator.expect(lambda m: LINK.search(m.text or "") is not None)
    qr = await coordinator.expect(lambda m: m.method == "sendPhoto")
    assert qr.file_bytes is not None
    assert qr.file_bytes.startswith(b"\x89PNG")
    return token_in(link)


async def register(
    user: FakeUser, token: str, *, language: str, name: str, town: str, final: str = "18:30"
) -> SentMessage:
    """Walk the registration; returns the final message once it shows `final` (the daily lesson time)."""
    await user.start(token)
    await user.expect(lambda m: bool(m.button_texts()) and "English" in m.button_texts())
    await user.press(language)
    await user.sees(lambda m: "64" in (m.text or ""))
    await user.send(name)
    towns = await user.expect(lambda m: town in m.button_texts())
    await user.press(town)
    consent = await user.sees(lambda m: len(m.button_texts()) == 2)
    assert consent is towns  # each answer replaces the pressed question
    await user.press(consent.button_texts()[0])
    return await user.sees(lambda m: final in (m.text or "") and not m.buttons())


async def test_coordinator_creates_cohort_and_two_trainees_register(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="ar")
    token = await create_cohort(coordinator)

    arabic = fake.user(2001, "Zainab", language_code="ar")
    await arabic.start(token)
    welcome = await arabic.expect("أهلًا")
    assert "دفعة بغداد" in (welcome.text or "")
    language = welcome
    assert "English" in language.button_texts()  # welcome and language question come as one message
    await arabic.send_sticker()  # a sticker where a button is expected: asked again, nothing breaks
    await arabic.expect("/cancel")
    await arabic.press("العربية", message=language)
    await arabic.sees("اسم")
    await arabic.send("x")  # too short
    await arabic.expect("64")
    await arabic.send("زينب  حسين")
    await arabic.expect(lambda m: "الرمادي" in m.button_texts())
    await arabic.press("أخرى")
    await arabic.sees("مدينت")
    await arabic.send("الخالدية")
    consent = await arabic.expect(lambda m: len(m.button_texts()) == 2)
    assert "/mydata" in (consent.text or "")
    assert "/forgetme" in (consent.text or "")
    await arabic.press(consent.button_texts()[0])
    done = await arabic.sees("18:30")
    assert "كانون الأول" in (done.text or "")  # Iraqi month names

    english = fake.user(2002, "Ali", language_code="en")
    await english.start(token)
    welcome = await english.next_message()
    assert "Welcome" in (welcome.text or "")
    assert "English" in welcome.button_texts()
    await english.press("English")
    await english.sees("full name")
    await english.send("Ali Hassan")
    await english.expect(lambda m: "Ramadi" in m.button_texts())
    await english.press("Ramadi")
    await english.sees("privacy")
    await english.press("I agree")
    done = await english.sees("You are registered in")
    assert "December 1, 2026" in (done.text or "")

    async with bot.db.unit_of_work() as uow:
        zainab = await uow.people.by_telegram_id(2001)
        ali = await uow.people.by_telegram_id(2002)
        summaries = await uow.cohorts.summaries()
    assert zainab is not None
    assert ali is not None
    assert (zainab.full_name, zainab.town, zainab.locale) == ("زينب حسين", "الخالدية", "ar")
    assert (ali.full_name, ali.town, ali.locale) == ("Ali Hassan", "الرمادي", "en")
    assert [(s.cohort.name, s.trainees) for s in summaries] == [("دفعة بغداد", 2)]

    # Registered again with the same link: told so, nothing changes.
    await english.start(token)
    await english.expect("already registered")

    await coordinator.send("/cohorts")
    listing = await coordinator.expect("دفعة بغداد")
    assert "2" in (listing.text or "")


async def test_invalid_invites_are_refused_and_store_nothing(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Ramadi A")
    visitor = fake.user(3001, "Omar", language_code="en")
    await visitor.start("NotARealToken123")
    await visitor.expect("not valid")
    await visitor.start()
    await visitor.expect("invite link")

    await coordinator.send("/invites Ramadi A")
    listing = await coordinator.expect(lambda m: any(t.startswith("Revoke") for t in m.button_texts()))
    await coordinator.press(listing.button_texts()[0])
    await coordinator.expect("revoked")
    await visitor.start(token)
    await visitor.expect("withdrawn")

    await coordinator.send("/endcohort Ramadi A")
    await coordinator.expect("ended")
    await coordinator.send("/invite Ramadi A")
    await coordinator.expect("ended")
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(3001) is None


async def test_trainee_is_refused_coordinator_commands_and_forged_callbacks(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Falluja")
    trainee = fake.user(4001, "Huda", language_code="en")
    await register(trainee, token, language="English", name="Huda Karim", town="Fallujah")

    for command in ("/newcohort", "/invite Falluja", "/grant 4001", "/endcohort Falluja", "/invites Falluja"):
        await trainee.send(command)
        await trainee.expect("only coordinators")
    await trainee.send("/trainees")
    await trainee.expect("only trainers and coordinators")

    # A forged coordinator button on the trainee's own chat: refused, the invite stays usable.
    async with bot.db.unit_of_work() as uow:
        cohort = await uow.cohorts.by_name_key("falluja")
        assert cohort is not None
        invite_id = (await uow.invites.for_cohort(cohort.id))[0].id
    answer = await trainee.press_data(f"inv:revoke:{invite_id}", trainee.last())
    assert "only coordinators" in (answer.get("text") or "")
    answer = await trainee.press_data("totally:made:up", trainee.last())
    assert answer.get("text")
    async with bot.db.unit_of_work() as uow:
        invite = await uow.invites.by_id(invite_id)
        assert invite is not None
        assert invite.revoked_at is None
        assert not await uow.coordinators.is_coordinator(4001)


async def test_mydata_and_forgetme(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Diyala")
    trainee = fake.user(5001, "Sama", language_code="en")
    await register(trainee, token, language="English", name="Sama Adel", town="Diyala")

    await trainee.send("/mydata")
    data = await trainee.expect("Everything we store")
    for expected in ("5001", "Sama Adel", "ديالى", "English", "Diyala"):
        assert expected in (data.text or ""), expected

    await trainee.send("/forgetme")
    confirm = await trainee.expect("Delete everything?")
    await trainee.press("No, keep it", message=confirm)
    await trainee.sees("Nothing was deleted")
    await trainee.send("/forgetme")
    confirm = await trainee.expect("Delete everything?")
    await trainee.press("Yes, delete my data", message=confirm)
    await trainee.sees("your data was deleted")
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(5001) is None
        assert (await uow.cohorts.summaries())[0].trainees == 0
    await trainee.send("/mydata")
    await trainee.expect("store nothing")


async def test_registration_answers_are_not_kept_across_a_restart(bot: BotHarness) -> None:
    """Nothing is stored before consent, not even the answers so far: after a restart the old question's buttons
    are no longer active and the person opens the invite link again."""
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Hit")
    trainee = fake.user(6001, "Yusuf", language_code="ar")
    await trainee.start(token)
    await trainee.expect(lambda m: "English" in m.button_texts())
    await trainee.press("English")
    await trainee.sees("full name")
    await trainee.send("Yusuf Salim")
    town_question = await trainee.expect(lambda m: "Hit" in m.button_texts())

    await bot.restart()

    stale = await trainee.press("Hit", message=town_question)
    assert stale.get("text")  # "This button is no longer active."
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(6001) is None
    await register(trainee, token, language="English", name="Yusuf Salim", town="Hit", final="18:30")
    async with bot.db.unit_of_work() as uow:
        person = await uow.people.by_telegram_id(6001)
    assert person is not None
    assert (person.full_name, person.town, person.locale) == ("Yusuf Salim", "هيت", "en")


async def test_language_switch_block_and_cancel(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Baghdad B")
    trainee = fake.user(7001, "Maryam", language_code="en")
    await register(trainee, token, language="English", name="Maryam Ali", town="Baghdad")

    await trainee.send("/language")
    await trainee.expect(lambda m: "العربية" in m.button_texts())
    await trainee.press("العربية")
    await trainee.sees("تم ضبط اللغة")
    await trainee.send("/help")
    await trainee.expect("ما يمكنك")
    menu_key = ('{"chat_id": 7001, "type": "chat"}', "")
    await fake.wait_until(lambda: menu_key in fake.commands)  # menu follows the chosen language

    await trainee.block()
    assert await eventually_status(bot, 7001, "blocked")
    await trainee.unblock()
    assert await eventually_status(bot, 7001, "active")

    other = fake.user(7002, "Kareem", language_code="en")
    await other.start(token)
    await other.expect(lambda m: "English" in m.button_texts())
    await other.press("English")
    await other.send("/cancel")
    await other.expect("cancelled")
    await other.send("Kareem")  # no flow any more: a friendly hint, not a registration step
    await other.expect("/help")
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(7002) is None


async def test_errors_reach_the_user_translated_and_the_bot_keeps_going(bot: BotHarness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    fake = bot.fake
    user = fake.user(8001, "Rami", language_code="ar")
    assert bot.runner is not None
    services = bot.runner.application.bot_data["services"]

    async def broken(telegram_id: int) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services.people, "my_data", broken)
    await user.send("/mydata")
    await user.expect("حدث خطأ")
    await user.send("/whoami")
    await user.expect("8001")


async def test_menus_and_descriptions_published(bot: BotHarness) -> None:
    fake = bot.fake
    default_ar = fake.commands[('{"type": "all_private_chats"}', "ar")]
    default_en = fake.commands[('{"type": "all_private_chats"}', "en")]
    assert {c["command"] for c in default_ar} == {c["command"] for c in default_en}
    assert "newcohort" not in {c["command"] for c in default_en}
    # The coordinator named in settings never wrote to the bot: Telegram has no chat to put their menu in yet …
    chat_menu = ('{"chat_id": 1000, "type": "chat"}', "")
    await fake.wait_until(lambda: any(e[0] == "setMyCommands" and "chat not found" in e[3] for e in fake.errors))
    assert chat_menu not in fake.commands
    # … so it is set on their first update.
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send("/whoami")
    await coordinator.expect(str(COORDINATOR_ID))
    await fake.wait_until(lambda: chat_menu in fake.commands)
    coordinator_menu = {c["command"] for c in fake.commands[chat_menu]}
    assert {"newcohort", "invite", "grant"} <= coordinator_menu
    assert fake.descriptions[("description", "ar")] != fake.descriptions[("description", "en")]
    assert fake.descriptions[("short_description", "en")]
    heartbeat = bot.settings.bot_heartbeat_file
    await fake.wait_until(heartbeat.exists)  # what `cohortbot health` (the Docker HEALTHCHECK) reads


async def test_trainer_invite_grants_the_trainer_role_for_that_cohort_only(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    token = await create_cohort(coordinator, "Hit Youth")
    await create_cohort(coordinator, "Other Cohort")
    await coordinator.send("/invite Hit Youth trainer")
    trainer_token = token_in(await coordinator.expect(lambda m: LINK.search(m.text or "") is not None))

    trainer = fake.user(9201, "Layla", language_code="en")
    await trainer.start(trainer_token)
    await trainer.expect(lambda m: "English" in m.button_texts())
    await trainer.press("English")
    await trainer.sees("full name")
    await trainer.send("Layla Trainer")
    await trainer.expect(lambda m: "Hit" in m.button_texts())
    await trainer.press("Hit")
    await trainer.sees("privacy")
    await trainer.press("I agree")
    await trainer.sees("You are now a trainer of")
    await fake.wait_until(lambda: ('{"chat_id": 9201, "type": "chat"}', "") in fake.commands)
    menu = {c["command"] for c in fake.commands[('{"chat_id": 9201, "type": "chat"}', "")]}
    assert "trainees" in menu
    assert "newcohort" not in menu

    trainee = fake.user(9202, "Hassan", language_code="en")
    await register(trainee, token, language="English", name="Hassan Ali", town="Hit")

    await trainer.send("/trainees")
    listing = await trainer.expect("Hassan Ali")
    assert "Hit Youth" in (listing.text or "")
    await trainer.send("/cohorts")
    cohorts = await trainer.expect("Hit Youth")
    assert "Other Cohort" not in (cohorts.text or "")  # trainers see only their own cohorts
    await trainer.send("/invite Hit Youth")
    await trainer.expect("only coordinators")


async def test_a_registered_trainee_joins_a_second_cohort_with_one_tap(bot: BotHarness) -> None:
    fake = bot.fake
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    first = await create_cohort(coordinator, "First")
    second = await create_cohort(coordinator, "Second")
    trainee = fake.user(9301, "Dana", language_code="en")
    await register(trainee, first, language="English", name="Dana Omar", town="Diyala")
    await trainee.start(second)
    question = await trainee.expect("Join the cohort")
    await trainee.press("Yes, join", message=question)
    # The question itself becomes the welcome (an earlier welcome, to First, is in the chat already).
    await trainee.sees(lambda m: m is question and "You are registered in" in (m.text or "") and "Second" in m.text)
    await trainee.press_data("reg:join", question)  # a repeated tap: politely ignored
    async with bot.db.unit_of_work() as uow:
        summaries = await uow.cohorts.summaries()
        invite = await uow.invites.by_token(second)
    assert sorted((s.cohort.name, s.trainees) for s in summaries) == [("First", 1), ("Second", 1)]
    assert invite is not None
    assert invite.uses == 1
