"""The trust boundary: every handler has a declared audience, and access control judges the handler PTB will run,
recognising commands exactly as PTB does. Attacks from the security review, replayed against the real bot."""

from __future__ import annotations

import time
from typing import Any, ClassVar

import pytest
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler

from bot.app import build_application
from bot.i18n import set_locale
from bot.services.access import Audience
from handlers.core.access import GATE_GROUP, person_behind
from handlers.core.registry import Button, Command, Guarded, Registry, declaration_of, flatten
from tests.conftest import COORDINATOR_ID, BotHarness, make_settings

STRANGER_ID = 6600
REFUSED = "Sorry, only coordinators can do that."


async def coordinators(bot: BotHarness) -> list[int]:
    async with bot.db.unit_of_work() as uow:
        return await uow.coordinators.all_ids()


def registered(application: Any) -> list[Any]:
    return [h for group, hs in application.handlers.items() if group != GATE_GROUP for h in hs]


def test_every_registered_handler_has_a_declared_audience(tmp_path: Any) -> None:
    application = build_application(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    assert [type(h).__name__ for h in application.handlers[GATE_GROUP]] == ["TypeHandler"]
    handlers = list(flatten(registered(application)))
    assert any(isinstance(h, ConversationHandler) for h in registered(application))
    assert len(handlers) > 60
    undeclared = [h for h in handlers if declaration_of(h) is None]
    assert undeclared == []
    # Conversation entry points, states and fallbacks are all opened up, and each is guarded.
    assert all(isinstance(h.callback, Guarded) for h in handlers)
    registry = application.bot_data["services"].menus.registry
    assert registry.command_audience("grant") is Audience.COORDINATOR
    assert registry.command_audience("checkin") is Audience.TRAINEE
    assert registry.command_audience("newsession") is Audience.TRAINER  # aliases share the declaration


def test_registry_refuses_an_undeclared_handler_and_two_audiences_for_one_name() -> None:
    async def callback(update: Update, context: Any) -> None:
        return None

    with pytest.raises(TypeError, match="no declared audience"):
        Registry.of([CommandHandler("secret", callback)])
    first = Command(("grant",), Audience.COORDINATOR, callback)
    second = Command(("grant",), Audience.ANYONE, callback)
    with pytest.raises(ValueError, match="two audiences"):
        Registry.of([first.handler(), second.handler()])
    with pytest.raises(ValueError, match="two audiences"):
        Registry.of(
            [
                Button("inv", Audience.COORDINATOR, callback).handler(),
                Button("inv", Audience.TRAINEE, callback).handler(),
            ]
        )
    with pytest.raises(ValueError, match="two menu entries"):
        Registry.of(
            [
                Command(("help",), Audience.ANYONE, callback, menu="a").handler(),
                Command(("help",), Audience.ANYONE, callback, menu="b").handler(),
            ]
        )


def menu_of(registry: Registry, *audiences: Audience) -> set[str]:
    return {c.name for c in registry.menu(lambda audience: audience in audiences)}


def test_menus_come_from_the_declarations(tmp_path: Any) -> None:
    application = build_application(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    registry: Registry = application.bot_data["services"].menus.registry
    trainee = menu_of(registry, Audience.ANYONE, Audience.TRAINEE)
    trainer = menu_of(registry, Audience.ANYONE, Audience.TRAINEE, Audience.TRAINER)
    everything = menu_of(registry, *Audience)
    assert {"start", "help", "today", "checkin", "campaign"} <= trainee
    assert not {"broadcast", "roll", "grant", "newcohort"} & trainee
    assert {"broadcast", "roll", "attendance"} <= trainer and "grant" not in trainer
    assert {"grant", "revoke", "invite", "newcohort"} <= everything
    assert "newsession" not in everything and "cancel" not in everything  # aliases and /cancel stay out of menus


def update_of(application: Any, payload: dict[str, Any]) -> Update:
    return Update.de_json({"update_id": int(time.time() * 1000) % 2**31, **payload}, application.bot)


def message_json(user_id: int, text: str, *, chat: dict[str, Any] | None = None) -> dict[str, Any]:
    user = {"id": user_id, "is_bot": False, "first_name": "Mallory", "language_code": "en"}
    entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}] if text.startswith("/") else []
    return {
        "message_id": 99,
        "from": user,
        "chat": chat or {"id": user_id, "type": "private", "first_name": "Mallory"},
        "date": int(time.time()),
        "text": text,
        "entities": entities,
    }


def test_only_fresh_updates_from_people_in_private_chats_are_admitted(tmp_path: Any) -> None:
    application = build_application(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"))
    fresh = message_json(STRANGER_ID, "/grant 1")
    assert person_behind(update_of(application, {"message": fresh})) is not None
    edited = {**fresh, "edit_date": int(time.time())}
    assert person_behind(update_of(application, {"edited_message": edited})) is None
    channel = {**fresh, "chat": {"id": -100123, "type": "channel", "title": "News"}}
    channel.pop("from")
    assert person_behind(update_of(application, {"channel_post": channel})) is None
    assert person_behind(update_of(application, {"edited_channel_post": channel})) is None
    group = message_json(STRANGER_ID, "/grant 1", chat={"id": -42, "type": "supergroup", "title": "G"})
    assert person_behind(update_of(application, {"message": group})) is None
    robot = message_json(STRANGER_ID, "/grant 1")
    robot["from"] = {**robot["from"], "is_bot": True}
    assert person_behind(update_of(application, {"message": robot})) is None


async def test_a_stranger_cannot_grant_themselves_coordinator_by_any_spelling(bot: BotHarness) -> None:
    fake = bot.fake
    mallory = fake.user(STRANGER_ID, "Mallory", language_code="en")
    for spelling in (
        f"/grant {STRANGER_ID}",
        f"/grant,x {STRANGER_ID}",  # Telegram's entity ends the command at the comma; PTB runs /grant
        f"/GRANT {STRANGER_ID}",
        f"/Grant@cohort_test_bot {STRANGER_ID}",
        f"/grant! {STRANGER_ID}",
        f"/grant\n{STRANGER_ID}",
    ):
        await mallory.send(spelling)
        refusal = await mallory.next_message()
        assert refusal.text == REFUSED, spelling
    assert await coordinators(bot) == [COORDINATOR_ID]
    # Another bot's command is not ours: the usual "unknown command".
    await mallory.send(f"/grant@other_bot {STRANGER_ID}")
    await mallory.expect("I don't know that command")
    assert await coordinators(bot) == [COORDINATOR_ID]


async def test_an_edited_message_never_runs_a_command(bot: BotHarness) -> None:
    fake = bot.fake
    mallory = fake.user(STRANGER_ID, "Mallory", language_code="en")
    message_id = await mallory.send("hello")
    await mallory.expect("I didn't understand")
    # Telegram would not even deliver it (the bot asks only for fresh messages) …
    await mallory.edit(message_id, f"/grant {STRANGER_ID}")
    await mallory.no_message(within=1.0)
    assert await coordinators(bot) == [COORDINATOR_ID]
    # … and were it delivered anyway (a webhook set up by hand), access control drops it before any handler.
    assert bot.runner is not None
    application = bot.runner.application
    edited = {**message_json(STRANGER_ID, f"/grant {STRANGER_ID}"), "edit_date": int(time.time())}
    await application.process_update(update_of(application, {"edited_message": edited}))
    coordinator_edit = {**message_json(COORDINATOR_ID, f"/grant {STRANGER_ID}"), "edit_date": int(time.time())}
    await application.process_update(update_of(application, {"edited_message": coordinator_edit}))
    await mallory.no_message(within=0.5)
    assert await coordinators(bot) == [COORDINATOR_ID]  # not even a coordinator's edited message runs


async def test_group_messages_and_channel_posts_run_nothing(bot: BotHarness) -> None:
    fake = bot.fake
    group = fake.add_group(-4242, "Trainees")
    fake.add_group(-1004242, "News", chat_type="channel")
    coordinator = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send_in_group(group["id"], f"/grant {STRANGER_ID}")
    fake.channel_post(-1004242, f"/grant {STRANGER_ID}")
    await fake.wait_until(lambda: fake.pending_updates == 0)
    await coordinator.send("/whoami")
    await coordinator.expect(str(COORDINATOR_ID))  # the bot is alive and has handled everything before
    assert fake.messages_to(group["id"]) == [] and fake.messages_to(-1004242) == []
    assert await coordinators(bot) == [COORDINATOR_ID]


async def test_a_handler_registered_without_a_declaration_is_refused(bot: BotHarness) -> None:
    ran: list[int] = []

    async def secret(update: Update, context: Any) -> None:
        ran.append(1)

    assert bot.runner is not None
    bot.runner.application.handlers[0].insert(0, CommandHandler("secret", secret))
    mallory = bot.fake.user(STRANGER_ID, "Mallory", language_code="en")
    await mallory.send("/secret")
    await mallory.expect(REFUSED)
    coordinator = bot.fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await coordinator.send("/secret")  # nobody may run it, not even a coordinator
    await coordinator.expect(REFUSED)
    assert ran == []


async def test_forged_and_unknown_buttons_are_refused(bot: BotHarness) -> None:
    mallory = bot.fake.user(STRANGER_ID, "Mallory", language_code="en")
    await mallory.send("/whoami")
    shown = await mallory.expect(str(STRANGER_ID))
    answer = await mallory.press_data("inv:revoke:1", shown)  # a coordinator's button
    assert answer["text"] == REFUSED and answer["show_alert"]
    for forged in ("zz:1", "inv:revoke:99999999999999999999", "lang:../../etc", "", "forget:maybe", "x" * 64):
        answer = await mallory.press_data(forged, shown)
        assert answer["text"] == "This button is no longer active.", forged
    assert await coordinators(bot) == [COORDINATOR_ID]
    async with bot.db.unit_of_work() as uow:
        assert await uow.people.by_telegram_id(STRANGER_ID) is None  # nothing stored for a stranger


async def test_a_role_revoked_between_access_control_and_the_handler_is_judged_again(bot: BotHarness) -> None:
    """The guard on the handler itself refuses when the principal no longer allows it (defence in depth)."""
    assert bot.runner is not None
    application = bot.runner.application
    grant = next(h for h in flatten(registered(application)) if isinstance(h, CommandHandler) and "grant" in h.commands)
    guarded = grant.callback
    assert isinstance(guarded, Guarded)

    class Context:
        principal_value = None
        args: ClassVar[list[str]] = [str(STRANGER_ID)]

    mallory = bot.fake.user(STRANGER_ID, "Mallory", language_code="en")
    await mallory.send("/whoami")
    await mallory.next_message()
    update = update_of(application, {"message": message_json(STRANGER_ID, f"/grant {STRANGER_ID}")})
    set_locale("en")
    await guarded(update, Context())  # type: ignore[arg-type]
    await mallory.expect(REFUSED)
    assert await coordinators(bot) == [COORDINATOR_ID]


async def test_someone_granted_a_role_before_opening_the_bot_gets_its_menu_on_first_contact(bot: BotHarness) -> None:
    fake = bot.fake
    noor = fake.user(COORDINATOR_ID, "Noor", language_code="en")
    await noor.send("/grant 6601")
    await noor.expect("6601")
    # Telegram has no chat with 6601 yet: the menu cannot be set now …
    await fake.wait_until(lambda: any(e[0] == "setMyCommands" and "6601" in str(e[1]) for e in fake.errors), timeout=10)
    chat_menu = ('{"chat_id": 6601, "type": "chat"}', "")
    assert chat_menu not in fake.commands
    # … so it is set when they first write.
    sara = fake.user(6601, "Sara", language_code="en")
    await sara.send("/whoami")
    await sara.expect("coordinator")
    await fake.wait_until(lambda: chat_menu in fake.commands)
    assert {"grant", "newcohort", "broadcast"} <= {c["command"] for c in fake.commands[chat_menu]}
