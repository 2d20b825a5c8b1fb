"""Self-tests of the fake Telegram Bot API: a bare PTB bot round-trips the real wire format through it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaDocument,
    InputMediaPhoto,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, InvalidToken, RetryAfter
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PollAnswerHandler,
    filters,
)

from tests.fake_telegram import FakeTelegram, Limits, scope_key

pytestmark = pytest.mark.e2e

Ctx = ContextTypes.DEFAULT_TYPE


# --------------------------------------------------------------------------------------------- helpers


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@contextlib.asynccontextmanager
async def running(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """Start an Application long-polling the fake server, and stop it cleanly."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=dt.timedelta(seconds=1))
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


def new_app(fake: FakeTelegram) -> Application:  # type: ignore[type-arg]
    return ApplicationBuilder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url).build()


def echo_bot(fake: FakeTelegram) -> Bot:
    """A second Bot (no Application) to call the API directly; use as ``async with``."""
    return Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)


def retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


class Recorder:
    """What the echo bot saw (to assert PTB parsed every update the fake produced)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.callbacks: list[tuple[str, int]] = []
        self.poll_answers: list[tuple[str, tuple[int, ...], int]] = []
        self.member_statuses: list[str] = []


def echo_app(fake: FakeTelegram, rec: Recorder) -> Application:  # type: ignore[type-arg]
    app = new_app(fake)

    async def start(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        payload = " ".join(context.args or [])
        keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("نعم", callback_data="yes"), InlineKeyboardButton("لا", callback_data="no")],
                [InlineKeyboardButton("Docs", url="https://example.org/docs")],
            ]
        )
        await update.effective_message.reply_html(f"<b>أهلا</b> {payload}".strip(), reply_markup=keyboard)

    async def menu(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None
        keyboard = ReplyKeyboardMarkup([[KeyboardButton("Option A"), "Option B"]], resize_keyboard=True)
        await update.effective_message.reply_text("pick one", reply_markup=keyboard)

    async def poll(update: Update, context: Ctx) -> None:
        assert update.effective_chat is not None
        await context.bot.send_poll(update.effective_chat.id, "Best day?", ["Sat", "Sun", "Mon"], is_anonymous=False)

    async def echo(update: Update, context: Ctx) -> None:
        assert update.effective_message is not None and update.effective_message.text is not None
        rec.texts.append(update.effective_message.text)
        await update.effective_message.reply_text(update.effective_message.text)

    async def document(update: Update, context: Ctx) -> None:
        message = update.effective_message
        assert message is not None and message.document is not None
        file = await message.document.get_file()
        content = await file.download_as_bytearray()
        await message.reply_text(f"got {message.document.file_name}: {bytes(content).decode()}")

    async def photo(update: Update, context: Ctx) -> None:
        message = update.effective_message
        assert message is not None and message.photo
        await message.copy(message.chat_id)

    async def button(update: Update, context: Ctx) -> None:
        query = update.callback_query
        assert query is not None and query.data is not None and query.message is not None
        rec.callbacks.append((query.data, query.message.message_id))
        await query.answer(f"got {query.data}", show_alert=query.data == "no")
        await query.edit_message_text(f"chose {query.data}")

    async def poll_answer(update: Update, context: Ctx) -> None:
        answer = update.poll_answer
        assert answer is not None and answer.user is not None
        rec.poll_answers.append((answer.poll_id, answer.option_ids, answer.user.id))
        await context.bot.send_message(answer.user.id, f"voted {list(answer.option_ids)}")

    async def member(update: Update, context: Ctx) -> None:
        assert update.my_chat_member is not None
        rec.member_statuses.append(update.my_chat_member.new_chat_member.status)

    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("poll", poll))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(MessageHandler(filters.Document.ALL, document))
    app.add_handler(MessageHandler(filters.PHOTO, photo))
    app.add_handler(CallbackQueryHandler(button))
    app.add_handler(PollAnswerHandler(poll_answer))
    app.add_handler(ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


@pytest.fixture
async def echo(tg: FakeTelegram) -> AsyncIterator[Recorder]:
    rec = Recorder()
    async with running(echo_app(tg, rec)):
        yield rec


@pytest.fixture
async def plain_bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare Bot talking to the fake (named so as not to shadow conftest's ``bot`` harness)."""
    async with echo_bot(tg) as the_bot:
        yield the_bot


async def raw_call(fake: FakeTelegram, method: str, token: str | None = None, **params: Any) -> tuple[int, Any]:
    form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{fake.base_url}{token or fake.token}/{method}", data=form) as response,
    ):
        return response.status, await response.json()


# ------------------------------------------------------------------------------------------ wire format


async def test_get_me_wrong_token_and_unknown_method(tg: FakeTelegram, plain_bot: Bot) -> None:
    me = await plain_bot.get_me()
    assert me.id == tg.bot_id and me.username == "cohort_test_bot" and me.is_bot and me.can_join_groups
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:WRONG", base_url=tg.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await plain_bot.do_api_request("sendSomethingWeird")
    assert await raw_call(tg, "getMe", token="1:bad") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert await raw_call(tg, "noSuchMethod") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found: method not found"},
    )
    status, body = await raw_call(tg, "GETME")  # method names are case-insensitive
    assert status == 200 and body["ok"] is True and body["result"]["id"] == tg.bot_id
    assert [name for name, _ in tg.calls] == ["getMe", "getMe", "getMe"]


async def test_long_polling_offsets_and_hold(tg: FakeTelegram) -> None:
    user = tg.user(501, "Sara")
    await user.send("one")
    _, first = await raw_call(tg, "getUpdates", timeout=0)
    assert [u["message"]["text"] for u in first["result"]] == ["one"]
    update_id = first["result"][0]["update_id"]
    _, again = await raw_call(tg, "getUpdates", timeout=0)  # not confirmed yet → delivered again
    assert [u["update_id"] for u in again["result"]] == [update_id]
    _, confirmed = await raw_call(tg, "getUpdates", offset=update_id + 1, timeout=0)
    assert confirmed["result"] == [] and tg.pending_updates == 0

    # a long poll is held until an update arrives
    started = time.monotonic()
    poll = asyncio.create_task(raw_call(tg, "getUpdates", offset=update_id + 1, timeout=3))
    await asyncio.sleep(0.2)
    assert not poll.done()
    await user.send("two")
    _, held = await poll
    assert [u["message"]["text"] for u in held["result"]] == ["two"]
    assert time.monotonic() - started < 2

    # limit and allowed_updates
    for text in ("a", "b", "c"):
        await user.send(text)
    _, limited = await raw_call(tg, "getUpdates", offset=update_id + 2, limit=2, timeout=0)
    assert [u["message"]["text"] for u in limited["result"]] == ["a", "b"]
    tg.push_update({"callback_query": {"id": "1", "from": user.json, "chat_instance": "x", "data": "d"}})
    _, only_cb = await raw_call(tg, "getUpdates", timeout=0, allowed_updates=["callback_query"])
    assert [list(u)[1] for u in only_cb["result"]] == ["callback_query"]  # messages of other types dropped


async def test_echo_round_trip_delivers_each_update_once(tg: FakeTelegram, echo: Recorder) -> None:
    user = tg.user(1001, "Amina", language_code="ar")
    for text in ("مرحبا", "second", "third"):
        await user.send(text)
    replies = [await user.next_message() for _ in range(3)]
    assert [m.text for m in replies] == ["مرحبا", "second", "third"]
    assert all(m.method == "sendMessage" and m.chat_id == 1001 for m in replies)
    assert [m.message_id for m in replies] == sorted({m.message_id for m in replies})
    await user.no_message(within=0.3)
    assert echo.texts == ["مرحبا", "second", "third"]  # each update handled exactly once
    await tg.wait_until(lambda: tg.pending_updates == 0)
    assert user.inbox == tg.messages_to(1001) == replies
    with pytest.raises(AssertionError, match="got no new message"):
        await user.next_message(timeout=0.1)


async def test_inline_keyboard_press_answer_and_edit(tg: FakeTelegram, echo: Recorder) -> None:
    user = tg.user(1002, "Omar")
    await user.start("invite-42")
    welcome = await user.next_message()
    assert welcome.text == "أهلا invite-42"
    assert welcome.parse_mode == "HTML" and welcome.entities == [{"type": "bold", "offset": 0, "length": 4}]
    assert welcome.button_texts() == ["نعم", "لا", "Docs"]
    assert welcome.buttons()[0][0] == {"text": "نعم", "callback_data": "yes"}

    answer = await user.press("نعم")
    assert answer == {"text": "got yes", "show_alert": False}
    assert echo.callbacks == [("yes", welcome.message_id)]
    await tg.wait_until(lambda: welcome.text == "chose yes")
    assert welcome.edits == ["أهلا invite-42"] and welcome.reply_markup is None  # edit without markup drops it

    with pytest.raises(AssertionError, match="no button 'نعم'"):
        await user.press("نعم")  # the keyboard is gone
    await user.start()
    second = await user.next_message()
    with pytest.raises(AssertionError, match="has no callback_data"):
        await user.press("Docs")
    assert (await user.press_data("no", second)) == {"text": "got no", "show_alert": True}
    async with echo_bot(tg) as bot:
        with pytest.raises(BadRequest, match="Query is too old"):
            await bot.answer_callback_query("123")


async def test_reply_keyboard_press_sends_text(tg: FakeTelegram, echo: Recorder) -> None:
    user = tg.user(1003, "Lina")
    await user.send("/menu")
    menu = await user.next_message()
    assert menu.button_texts() == ["Option A", "Option B"] and menu.buttons() == []
    assert await user.press("Option B") == {}
    assert (await user.next_message()).text == "Option B"
    async with echo_bot(tg) as bot:
        await bot.send_message(1003, "done", reply_markup=ReplyKeyboardRemove())
    with pytest.raises(AssertionError, match="no button 'Option A'"):
        await user.press("Option A")  # the keyboard was removed


async def test_press_times_out_when_bot_never_answers(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(1004)
    await plain_bot.send_message(
        1004, "x", reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("b", callback_data="b"))
    )
    with pytest.raises(AssertionError, match="did not answer callback query"):
        await user.press("b", timeout=0.2)


async def test_media_uploads_are_recorded(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(2001)
    photo_bytes = b"\x89PNG fake image"
    message = await plain_bot.send_photo(2001, photo=photo_bytes, caption="<i>صورة</i>", parse_mode=ParseMode.HTML)
    assert message.caption == "صورة" and message.photo[-1].file_size == len(photo_bytes)
    sent = user.last()
    assert sent.method == "sendPhoto" and sent.file_bytes == photo_bytes and sent.text == "صورة"

    doc = await plain_bot.send_document(2001, document=InputFile(b"a,b\n1,2\n", filename="report.csv"), caption="CSV")
    assert doc.document is not None and doc.document.file_name == "report.csv"
    assert user.last().file_bytes == b"a,b\n1,2\n" and user.last().file_name == "report.csv"

    again = await plain_bot.send_document(2001, document=doc.document.file_id)  # re-send by file_id
    assert again.document is not None and again.document.file_unique_id == doc.document.file_unique_id
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await plain_bot.send_document(2001, document="NOT-A-FILE-ID")
    voice = await plain_bot.send_voice(2001, voice=b"OggS....")
    assert voice.voice is not None and voice.voice.file_id
    assert [m.method for m in user.inbox] == ["sendPhoto", "sendDocument", "sendDocument", "sendVoice"]


async def test_set_my_commands_per_scope_and_language(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(3001)
    await plain_bot.set_my_commands([BotCommand("start", "ابدأ"), BotCommand("help", "مساعدة")], language_code="ar")
    await plain_bot.set_my_commands([BotCommand("start", "Start")], scope=BotCommandScopeAllPrivateChats())
    with pytest.raises(BadRequest, match="Chat not found"):  # as on Telegram: the user never wrote to the bot
        await plain_bot.set_my_commands([BotCommand("admin", "Admin")], scope=BotCommandScopeChat(user.id))
    await user.send("/start")
    await plain_bot.set_my_commands(
        [BotCommand("admin", "Admin")], scope=BotCommandScopeChat(user.id), language_code="en"
    )
    assert tg.commands[(scope_key(), "ar")] == [
        {"command": "start", "description": "ابدأ"},
        {"command": "help", "description": "مساعدة"},
    ]
    assert tg.commands[('{"type": "all_private_chats"}', "")] == [{"command": "start", "description": "Start"}]
    assert tg.commands[(json.dumps({"chat_id": 3001, "type": "chat"}, sort_keys=True), "en")][0]["command"] == "admin"
    got = await plain_bot.get_my_commands(language_code="ar")
    assert [c.command for c in got] == ["start", "help"]
    assert await plain_bot.get_my_commands() == ()
    await plain_bot.delete_my_commands(language_code="ar")
    assert (scope_key(), "ar") not in tg.commands
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await plain_bot.set_my_commands([BotCommand("Bad-Name", "x")])
    with pytest.raises(BadRequest):
        await plain_bot.set_my_commands([BotCommand("ok", "d" * 257)])

    await plain_bot.set_my_description("وصف", language_code="ar")
    await plain_bot.set_my_short_description("short")
    assert tg.descriptions == {("description", "ar"): "وصف", ("short_description", ""): "short"}
    assert (await plain_bot.get_my_description(language_code="ar")).description == "وصف"
    assert (await plain_bot.get_my_short_description()).short_description == "short"
    assert await plain_bot.set_chat_menu_button()


async def test_injected_429_raises_retry_after(tg: FakeTelegram, plain_bot: Bot) -> None:
    tg.user(4001)
    tg.user(4002)
    tg.fail_next("sendMessage", retry_after=7, chat_id=4002)
    await plain_bot.send_message(4001, "other chat unaffected")
    with pytest.raises(RetryAfter) as caught:
        await plain_bot.send_message(4002, "flood")
    assert retry_seconds(caught.value) == 7
    await plain_bot.send_message(4002, "fine now")
    tg.fail_next("sendMessage", error_code=502, times=2)
    for _ in range(2):
        with pytest.raises(Exception, match="Bad Gateway"):
            await plain_bot.send_message(4001, "x")
    assert [m.text for m in tg.sent] == ["other chat unaffected", "fine now"]
    assert tg.rate_limited == 0  # injected errors are not flood-limit answers


async def test_block_gives_403_and_my_chat_member(tg: FakeTelegram, echo: Recorder) -> None:
    user = tg.user(5001)
    async with echo_bot(tg) as bot:
        await user.block()
        await tg.wait_until(lambda: echo.member_statuses == ["kicked"])
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(5001, "hello?")
        await user.unblock()
        await tg.wait_until(lambda: echo.member_statuses == ["kicked", "member"])
        await bot.send_message(5001, "welcome back")
    assert [m.text for m in user.inbox] == ["welcome back"]
    async with echo_bot(tg) as other:
        with pytest.raises(BadRequest, match="Chat not found"):
            await other.send_message(777, "nobody")


async def test_flood_limits_answer_429(tg: FakeTelegram, plain_bot: Bot) -> None:
    tg.limits = Limits(per_chat_per_second=0.1, per_chat_burst=3, group_per_minute=2, global_burst=100)
    tg.user(6001)
    for i in range(3):  # a short burst passes
        await plain_bot.send_message(6001, f"burst {i}")
    with pytest.raises(RetryAfter) as caught:
        await plain_bot.send_message(6001, "too fast")
    assert 9 <= retry_seconds(caught.value) <= 10  # ceil(seconds until the next token), 1 token per 10 s
    assert tg.rate_limited == 1 and [m.text for m in tg.sent] == ["burst 0", "burst 1", "burst 2"]

    tg.add_group(-1006, "Cohort group")
    for _ in range(2):
        await plain_bot.send_message(-1006, "group msg")
    with pytest.raises(RetryAfter) as group_caught:
        await plain_bot.send_message(-1006, "third in a minute")
    assert 25 <= retry_seconds(group_caught.value) <= 30

    tg.limits.enabled = False  # limits may be changed at run time
    for _ in range(5):
        await plain_bot.send_message(6001, "no limits")

    tg.limits = Limits(per_chat_per_second=20.0, per_chat_burst=1)
    tg.reset_limits()
    await plain_bot.send_message(6001, "one")
    with pytest.raises(RetryAfter) as short:
        await plain_bot.send_message(6001, "two")
    assert retry_seconds(short.value) == 1  # at least 1 second even when the wait is shorter
    await asyncio.sleep(0.1)
    await plain_bot.send_message(6001, "refilled")

    tg.limits = Limits(global_per_second=0.5, global_burst=2)
    tg.reset_limits()
    tg.user(6002)
    tg.user(6003)
    await plain_bot.send_message(6002, "a")
    await plain_bot.send_message(6003, "b")
    with pytest.raises(RetryAfter):
        await plain_bot.send_message(6001, "global limit")
    assert tg.rate_limited == 4
    assert await plain_bot.send_chat_action(6001, "typing")  # not a message: never limited


async def test_user_document_get_file_and_download(tg: FakeTelegram, echo: Recorder, plain_bot: Bot) -> None:
    user = tg.user(7001)
    await user.send_document(b"hello file", "notes.txt", "text/plain")
    reply = await user.expect("got notes.txt")
    assert reply.text == "got notes.txt: hello file"
    registered = tg.add_file(b"\x00\x01binary", "data.bin")
    file = await plain_bot.get_file(registered["file_id"])
    assert file.file_size == 8 and file.file_path is not None
    assert bytes(await file.download_as_bytearray()) == b"\x00\x01binary"
    with pytest.raises(BadRequest):
        await plain_bot.get_file("unknown")


async def test_poll_and_poll_answer_round_trip(tg: FakeTelegram, echo: Recorder, plain_bot: Bot) -> None:
    tg.limits.enabled = False  # more than a burst of messages to one chat
    user = tg.user(8001)
    await user.send("/poll")
    poll_message = await user.next_message()
    assert poll_message.method == "sendPoll" and poll_message.poll is not None
    assert [o["text"] for o in poll_message.poll["options"]] == ["Sat", "Sun", "Mon"]
    await user.answer_poll(poll_message, [1])
    voted = await user.expect("voted")
    assert voted.text == "voted [1]"
    assert echo.poll_answers == [(poll_message.poll["id"], (1,), 8001)]
    assert poll_message.poll["options"][1]["voter_count"] == 1
    await user.answer_poll(poll_message, [2])  # regular polls allow changing the vote
    assert (await user.expect("voted")).text == "voted [2]"
    assert [o["voter_count"] for o in poll_message.poll["options"]] == [0, 0, 1]
    stopped = await plain_bot.stop_poll(8001, poll_message.message_id)
    assert stopped.is_closed and stopped.total_voter_count == 1
    anonymous = await plain_bot.send_poll(8001, "Anon?", ["a", "b"])
    assert anonymous.poll is not None and anonymous.poll.is_anonymous
    with pytest.raises(AssertionError, match="anonymous"):
        await user.answer_poll(user.last(), [0])
    second = await plain_bot.send_poll(
        8001, "Quiz", ["x", "y"], type="quiz", correct_option_ids=[1], is_anonymous=False
    )
    assert second.poll is not None
    assert second.poll.id != poll_message.poll["id"] and second.poll.correct_option_ids == (1,)


async def test_copy_and_forward_message(tg: FakeTelegram, echo: Recorder, plain_bot: Bot) -> None:
    user = tg.user(9001)
    photo_id = await user.send_photo(caption="my photo")
    copied = await user.expect(lambda m: m.method == "copyMessage")
    assert copied.text == "my photo" and copied.file_bytes is not None and copied.raw["photo"]
    assert copied.message_id > photo_id  # one message-id sequence per private chat
    other = tg.user(9002)
    result = await plain_bot.copy_message(
        9002, from_chat_id=9001, message_id=photo_id, caption="<b>new</b>", parse_mode="HTML"
    )
    assert result.message_id == other.last().message_id and other.last().text == "new"
    forwarded = await plain_bot.forward_message(9002, from_chat_id=9001, message_id=photo_id)
    assert forwarded.forward_origin is not None and other.last().method == "forwardMessage"
    with pytest.raises(BadRequest, match="Message to copy not found"):
        await plain_bot.copy_message(9002, from_chat_id=9001, message_id=999)


async def test_text_validation_like_telegram(tg: FakeTelegram, plain_bot: Bot) -> None:
    tg.limits.enabled = False
    tg.user(10001)
    for bad_html, reason in [
        ("line<br>break", 'Unsupported start tag "br"'),
        ("<b>open", "Can't find end tag"),
        ("<b><i>x</b></i>", "Unmatched end tag"),
        ("a < b", "Unsupported start tag"),
    ]:
        with pytest.raises(BadRequest, match="parse entities") as caught:
            await plain_bot.send_message(10001, bad_html, parse_mode=ParseMode.HTML)
        assert reason.lower() in str(caught.value).lower()
    ok = await plain_bot.send_message(
        10001, '<b>B</b> &lt;tag&gt; <a href="https://x.org">link</a> <tg-spoiler>s</tg-spoiler>', parse_mode="HTML"
    )
    assert ok.text == "B <tag> link s"
    assert [e.type for e in ok.entities] == ["bold", "text_link", "spoiler"]
    with pytest.raises(BadRequest, match="reserved"):
        await plain_bot.send_message(10001, "1. item", parse_mode=ParseMode.MARKDOWN_V2)
    assert (await plain_bot.send_message(10001, "1\\. *item*", parse_mode=ParseMode.MARKDOWN_V2)).text == "1. item"
    with pytest.raises(BadRequest, match="Message is too long"):
        await plain_bot.send_message(10001, "ب" * 4097)
    assert (await plain_bot.send_message(10001, "ب" * 4096)).text == "ب" * 4096
    with pytest.raises(BadRequest, match="Message text is empty"):
        await plain_bot.send_message(10001, "<b></b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await plain_bot.send_photo(10001, photo=b"img", caption="c" * 1025)
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await plain_bot.send_message(
            10001, "x", reply_markup=InlineKeyboardMarkup.from_button(InlineKeyboardButton("b", callback_data="d" * 65))
        )


async def test_edit_and_delete_errors(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(11001)
    markup = InlineKeyboardMarkup.from_button(InlineKeyboardButton("b", callback_data="b"))
    message = await plain_bot.send_message(11001, "v1", reply_markup=markup)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await plain_bot.edit_message_text("v1", 11001, message.message_id, reply_markup=markup)
    edited = await plain_bot.edit_message_text("v2", 11001, message.message_id, reply_markup=markup)
    assert isinstance(edited, type(message)) and edited.text == "v2" and edited.edit_date is not None
    assert user.last().edits == ["v1"] and user.last().button_texts() == ["b"]
    await plain_bot.edit_message_reply_markup(11001, message.message_id, reply_markup=None)
    assert user.last().reply_markup is None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await plain_bot.edit_message_text("x", 11001, 9999)
    assert await plain_bot.delete_message(11001, message.message_id)
    assert user.last().deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await plain_bot.delete_message(11001, message.message_id)


async def test_expect_skips_and_no_message_fails(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(12001)
    for text in ("one", "two", "three"):
        await plain_bot.send_message(12001, text)
    assert (await user.expect("thr")).text == "three"
    await user.no_message(within=0.05)
    task = asyncio.create_task(user.no_message(within=1.0))
    await asyncio.sleep(0.05)
    await plain_bot.send_message(12001, "surprise")
    with pytest.raises(AssertionError, match="surprise"):
        await task
    with pytest.raises(AssertionError, match="no message matching 'never'"):
        await user.expect("never", timeout=0.1)
    with pytest.raises(AssertionError, match="wait_until timed out"):
        await tg.wait_until(lambda: False, timeout=0.1)


async def test_webhook_delivery_and_getupdates_conflict(tg: FakeTelegram, plain_bot: Bot) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token")))
        return web.Response()

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        assert await plain_bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        assert tg.webhook is not None and tg.webhook["secret_token"] == "s3cret"
        with pytest.raises(Conflict, match="webhook is active"):
            await plain_bot.get_updates()
        user = tg.user(13001)
        await user.send("via webhook")
        await tg.wait_until(lambda: len(received) == 1)
        assert received[0][0]["message"]["text"] == "via webhook" and received[0][1] == "s3cret"
        assert (await plain_bot.get_webhook_info()).url.endswith("/hook")
        with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
            await plain_bot.set_webhook("http://example.org/hook")
        assert await plain_bot.delete_webhook()
        assert tg.webhook is None and await plain_bot.get_updates(timeout=0) == ()
    finally:
        await plain_bot.delete_webhook()
        await runner.cleanup()


async def test_second_getupdates_terminates_first(tg: FakeTelegram) -> None:
    first = asyncio.create_task(raw_call(tg, "getUpdates", timeout=3))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(raw_call(tg, "getUpdates", timeout=0))
    status, body = await first
    assert status == 409 and "terminated by other getUpdates" in body["description"]
    assert (await second)[0] == 200


async def test_other_methods_answer_shapes_ptb_accepts(tg: FakeTelegram, plain_bot: Bot) -> None:
    user = tg.user(14001, "Huda", last_name="K", username="huda_k")
    chat = await plain_bot.get_chat(14001)
    assert chat.id == 14001 and chat.type == "private" and chat.username == "huda_k"
    member = await plain_bot.get_chat_member(14001, 14001)
    assert member.status == "member" and member.user.id == 14001
    video = await plain_bot.send_video(14001, video=b"mp4", caption="v")
    audio = await plain_bot.send_audio(14001, audio=b"mp3")
    animation = await plain_bot.send_animation(14001, animation=b"gif")
    assert video.video is not None and audio.audio is not None and animation.animation is not None
    edited = await plain_bot.edit_message_caption(14001, video.message_id, caption="<u>new</u>", parse_mode="HTML")
    assert isinstance(edited, type(video)) and edited.caption == "new" and user.inbox[0].edits == ["v"]
    tg.limits.enabled = False
    album = await plain_bot.send_media_group(
        14001,
        [InputMediaPhoto(b"p1", caption="first"), InputMediaDocument(b"d2", filename="d.txt")],
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert [m.file_bytes for m in user.inbox[-2:]] == [b"p1", b"d2"]
    location = await plain_bot.send_location(14001, latitude=33.5, longitude=36.3)
    assert location.location is not None and location.location.latitude == 33.5
    contact = await plain_bot.send_contact(14001, phone_number="+963", first_name="Huda")
    assert contact.contact is not None
    assert await plain_bot.send_chat_action(14001, "typing")
    assert (await plain_bot.get_my_name()).name == "Cohort Bot"
    assert (await plain_bot.get_chat_menu_button()).type == "commands"
    info = await plain_bot.get_webhook_info()
    assert info.url == "" and info.pending_update_count == 0
    assert await plain_bot.pin_chat_message(14001, location.message_id)
    assert await plain_bot.log_out() and await plain_bot.close()


async def test_json_and_query_string_requests(tg: FakeTelegram) -> None:
    tg.user(15001)
    async with aiohttp.ClientSession() as session:
        url = f"{tg.base_url}{tg.token}/sendMessage"
        markup = {"inline_keyboard": [[{"text": "ok", "callback_data": "ok"}]]}
        async with session.post(url, json={"chat_id": 15001, "text": "123", "reply_markup": markup}) as response:
            body = await response.json()
        assert response.status == 200 and body["result"]["text"] == "123"
        assert body["result"]["reply_markup"] == markup
        async with session.get(url, params={"chat_id": "15001", "text": "true"}) as response:
            body = await response.json()
        assert body["result"]["text"] == "true"  # text stays a string, not JSON-decoded
    assert [m.text for m in tg.messages_to(15001)] == ["123", "true"]
    assert tg.messages_to(15001)[0].button_texts() == ["ok"]
