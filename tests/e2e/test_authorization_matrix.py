"""The authorization matrix, through the real Application: every declared command and button × every role ×
every spelling. Where allowed, the effect; where not, a polite refusal and not one row changed.

Roles: a stranger, a trainee, a trainee of another cohort, a trainer of another cohort, a trainer, a coordinator
(see tests/trust_world.py). Spellings: plain, UPPER, @botname, trailing punctuation (Telegram's command entity
ends at it), and an edited message (never runs anything)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from bot.i18n import set_locale
from bot.services.access import Audience
from handlers.core.registry import Registry, refusal
from tests.conftest import BotHarness, make_settings
from tests.fake_telegram import FakeUser, SentMessage
from tests.trust_world import IDS, Who, World, changed_tables, fingerprint, world_bot

BOT_NAME = "cohort_test_bot"
BIDI = re.compile("[\u200e\u200f\u2066-\u2069]")
SENTINEL = "Your Telegram id is"
ALL = frozenset(Who)
TRAINEES = frozenset({Who.TRAINEE, Who.OTHER_TRAINEE})
TRAINERS = frozenset({Who.TRAINER, Who.OTHER_TRAINER, Who.COORDINATOR})
ADMITTED = {
    Audience.ANYONE: ALL,
    Audience.TRAINEE: TRAINEES,
    Audience.TRAINER: TRAINERS,
    Audience.COORDINATOR: frozenset({Who.COORDINATOR}),
}
# What a service says when the audience admits someone but the thing is not theirs.
DENIALS = ("among yours", "not allowed", "not yours", "no longer active", "no cohort named", "not available")


def plain(message: SentMessage) -> str:
    return BIDI.sub("", message.text or "")


@dataclass(frozen=True)
class Row:
    """One command as typed (`/name args`), who gets its effect, and how the effect shows in the replies."""

    names: tuple[str, ...]  # the command and its aliases, each tried
    args: str
    effect: str  # a regular expression found in the replies of those allowed (English, bidi marks removed)
    allowed: frozenset[Who] | None = None  # None: everyone the declared audience admits
    denied: str | None = None  # a phrase in the replies of those admitted but not allowed (not theirs)


ROWS: tuple[Row, ...] = (
    Row(("start",), "", "Welcome"),
    Row(("help",), "", "What you can do"),
    Row(("language",), "", "Choose your language"),
    Row(("mydata",), "", "store"),
    Row(("forgetme",), "", "Delete everything?"),
    Row(("whoami",), "", SENTINEL),
    Row(("cancel",), "", "cancel"),
    Row(("today",), "", "lesson"),
    Row(("lessons",), "", "lessons"),
    Row(("progress",), "", "lesson"),
    Row(("announcements",), "", "announcements"),
    Row(("campaign",), "", "campaign"),
    Row(("calendar",), "", "campaign plan|Your posts in"),
    Row(("checkin",), "123456", "code"),
    Row(("myattendance",), "", "attendance"),
    Row(("broadcast",), "", "Who should get it?"),
    Row(("broadcasts",), "", "nnouncement"),
    Row(("campaigns",), "", "plan"),
    Row(("sessions",), "Alpha", "Opening", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("session", "newsession"), "Alpha", "What day", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("checkin_open", "opencheckin"), "Alpha", "Code", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("checkin_close",), "Alpha", "heck-in", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("roll",), "Alpha", "Opening", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("attendance",), "Alpha", "Attendance · Alpha", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("export",), "Alpha", "Alpha", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("lessonstats",), "Alpha", "Alpha", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("trainees",), "Alpha", "Trainee Person", TRAINERS - {Who.OTHER_TRAINER}, "among yours"),
    Row(("cohorts",), "", "Cohorts"),
    Row(("newcohort",), "", "What is its name?"),
    Row(("invite",), "Alpha", "Invite link"),
    Row(("invites",), "Alpha", "Invites of Alpha"),
    Row(("endcohort",), "Gamma", "Gamma"),
    Row(("curricula",), "", "curriculum"),
    Row(("grant",), "5551", "5551"),
    Row(("revoke",), "5551", "5551"),
)


def spellings(name: str, args: str) -> list[str]:
    tail = f" {args}" if args else ""
    return [f"/{name}{tail}", f"/{name.upper()}{tail}", f"/{name}@{BOT_NAME}{tail}", f"/{name},{tail or ' '}"]


@pytest.fixture
async def matrix_bot(database_url: str) -> AsyncIterator[tuple[BotHarness, World]]:
    """The real bot, handling one update at a time so each answer can be told apart (a sentinel follows)."""
    async with world_bot(database_url, concurrent_updates=1) as bot_and_world:
        yield bot_and_world


async def exchange(user: FakeUser, text: str, sentinels: int = 1) -> list[SentMessage]:
    """Send `text`, then /whoami; everything the bot answered before the sentinel's reply."""
    await user.send(text)
    await user.send("/whoami")
    replies: list[SentMessage] = []
    seen = 0
    while seen < sentinels:
        message = await user.expect(lambda m: True, timeout=15)
        if SENTINEL in plain(message):
            seen += 1
            if seen == sentinels:
                break
        replies.append(message)
    return replies


def audience_of(registry: Registry, name: str) -> Audience:
    audience = registry.command_audience(name)
    assert audience is not None, f"/{name} is not declared"
    return audience


def test_every_declared_command_is_in_the_matrix(tmp_path: object) -> None:
    from bot.app import build_application

    application = build_application(make_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    registry: Registry = application.bot_data["services"].menus.registry
    declared = {name for command in registry.commands() for name in command.names}
    assert declared == {name for row in ROWS for name in row.names}


async def test_commands_by_role_and_spelling(matrix_bot: tuple[BotHarness, World]) -> None:
    bot, _world = matrix_bot
    assert bot.registry is not None
    problems: list[str] = []
    for who, telegram_id in IDS.items():
        user = bot.fake.user(telegram_id, who.value, language_code="en")
        for row in ROWS:
            audience = audience_of(bot.registry, row.names[0])
            admitted = who in ADMITTED[audience]
            allowed = admitted and (row.allowed is None or who in row.allowed)
            before = None if allowed else await fingerprint(bot.db)
            for name in row.names:
                for text in spellings(name, row.args):
                    replies = await exchange(user, text, 2 if name == "whoami" else 1)
                    shown = " | ".join(plain(m) for m in replies)
                    set_locale("en")
                    if not admitted:
                        if [plain(m) for m in replies] != [refusal(audience)]:
                            problems.append(f"{who} {text!r}: expected the refusal, got {shown!r}")
                    elif not allowed:
                        assert row.denied is not None
                        if row.denied not in shown:
                            problems.append(f"{who} {text!r}: expected {row.denied!r}, got {shown!r}")
                    elif not re.search(row.effect, shown) or any(plain(m) in REFUSALS for m in replies):
                        problems.append(f"{who} {text!r}: expected {row.effect!r}, got {shown!r}")
            if before is not None and (changed := changed_tables(before, await fingerprint(bot.db))):
                problems.append(f"{who} /{row.names[0]}: refused but changed {changed}")
    assert problems == []


async def test_edited_messages_never_run_a_command(matrix_bot: tuple[BotHarness, World]) -> None:
    bot, _world = matrix_bot
    before = await fingerprint(bot.db)
    for who, telegram_id in IDS.items():
        user = bot.fake.user(telegram_id, who.value, language_code="en")
        originals = [await user.send("hello") for _row in ROWS]
        for message_id, row in zip(originals, ROWS, strict=True):
            await user.edit(message_id, f"/{row.names[0]} {row.args}".strip())
        await user.send("/whoami")
        await user.expect(lambda m: SENTINEL in plain(m), timeout=15)
        assert [plain(m) for m in user.inbox if "understand" not in plain(m)] == [plain(user.inbox[-1])]
    assert changed_tables(before, await fingerprint(bot.db)) == []
    async with bot.db.reading() as uow:
        assert await uow.coordinators.all_ids() == [IDS[Who.COORDINATOR]]


REFUSALS: frozenset[str] = frozenset()


def _refusals() -> frozenset[str]:
    set_locale("en")
    return frozenset(refusal(a) for a in (Audience.TRAINEE, Audience.TRAINER, Audience.COORDINATOR))


REFUSALS = _refusals()


@dataclass(frozen=True)
class Press:
    """A button's data (built from the world), who gets its effect, and how the effect shows (a regular expression
    in the pop-up, the new messages and the pressed message's new text, bidi marks removed)."""

    data: Callable[[World, int], str]  # (world, open check-in id) → callback data
    effect: str
    allowed: frozenset[Who] | None = None  # None: everyone the declared prefix admits
    denied: str = "|".join(DENIALS)  # what the admitted but not allowed see


def fixed(data: str) -> Callable[[World, int], str]:
    return lambda _world, _checkin: data


STALE = "no longer active"
ALPHA_TRAINERS = frozenset({Who.TRAINER, Who.COORDINATOR})
PRESSES: tuple[Press, ...] = (
    Press(fixed("lang:en"), "Language set|nothing is saved before you join"),
    Press(fixed("forget:no"), "Nothing was deleted"),
    # Steps of a conversation nobody is in: whatever the prefix, the stale-button answer, for everyone.
    Press(fixed("reg:consent"), STALE),
    Press(fixed("nc:cur:none"), STALE),
    Press(fixed("se:np"), STALE),
    Press(lambda w, _c: f"inv:revoke:{w.alpha_invite}", "revoked"),
    Press(lambda w, _c: f"ls:open:{w.alpha}:1", "lesson", frozenset({Who.TRAINEE})),
    Press(lambda w, _c: f"st:{w.alpha}", "Alpha", ALPHA_TRAINERS),
    Press(lambda w, _c: f"bc:csv:{w.alpha_broadcast}", r"#\d", ALPHA_TRAINERS),  # the report's caption
    Press(lambda w, _c: f"bc:x:{w.alpha_broadcast}", "already ended|ancel", ALPHA_TRAINERS),
    Press(lambda w, _c: f"an:show:{w.alpha_broadcast}", "", frozenset()),
    Press(fixed("cc:m:0"), "December|January|posts|plan"),
    Press(lambda w, _c: f"cv:p:{w.alpha_plan}", "Few young voters", ALPHA_TRAINERS),
    Press(lambda w, _c: f"cv:m:{w.alpha_plan}", "comment", ALPHA_TRAINERS),
    Press(lambda w, _c: f"cp:v:{w.alpha_plan}", "Few young voters", frozenset({Who.TRAINEE})),
    Press(fixed("cr:n"), "."),
    Press(lambda w, _c: f"se:rl:{w.alpha_session}", "Opening", ALPHA_TRAINERS),
    Press(lambda w, _c: f"rl:l:{w.alpha_session}:0", "Opening", ALPHA_TRAINERS),
    Press(lambda w, _c: f"at:d:{w.alpha_session}", "Opening", ALPHA_TRAINERS),
    Press(lambda w, _c: f"at:s:{w.alpha}", "Alpha", ALPHA_TRAINERS),
    Press(lambda _w, c: f"ci:cnt:{c}", "heck", ALPHA_TRAINERS),
    Press(lambda w, _c: f"se:oc:{w.alpha_session}:d", "Code", ALPHA_TRAINERS),
    Press(lambda w, _c: f"bc:go:{w.alpha_broadcast}", "nnouncement|Sending|sent", ALPHA_TRAINERS),
)


def test_every_declared_button_prefix_is_in_the_matrix(tmp_path: object) -> None:
    from bot.app import build_application

    application = build_application(make_settings(f"sqlite+aiosqlite:///{tmp_path}/x.db"))
    registry: Registry = application.bot_data["services"].menus.registry
    world = World(1, 2, 3, 4, 5, 6, 7, 8, 9)
    pressed = {press.data(world, 10).split(":", 1)[0] for press in PRESSES}
    assert {button.prefix for button in registry.buttons()} == pressed


async def open_checkin(bot: BotHarness, world: World) -> int:
    now = dt.datetime.now(dt.UTC)
    async with bot.db.unit_of_work() as uow:
        checkin = await uow.checkins.add(
            session_id=world.alpha_session,
            code="482913",
            token="matrixcheckintoken00001",
            rotate_minutes=None,
            opened_by=None,
            now=now,
            closes_at=now + dt.timedelta(minutes=15),
        )
        await uow.commit()
    return checkin.id


async def test_buttons_by_role(matrix_bot: tuple[BotHarness, World]) -> None:
    bot, world = matrix_bot
    assert bot.registry is not None
    checkin_id = await open_checkin(bot, world)
    problems: list[str] = []
    for who, telegram_id in IDS.items():
        user = bot.fake.user(telegram_id, who.value, language_code="en")
        for press in PRESSES:
            data = press.data(world, checkin_id)
            declaration = next(b for b in bot.registry.buttons() if b.regex.match(data))
            admitted = who in ADMITTED[declaration.audience] or press.effect == STALE
            allowed = admitted and (press.allowed is None or who in press.allowed)
            before = None if allowed else await fingerprint(bot.db)
            shown = await press_and_collect(user, data)
            set_locale("en")
            if not admitted:
                if shown != refusal(declaration.audience):
                    problems.append(f"{who} {data}: expected the refusal, got {shown!r}")
            elif not allowed:
                if not re.search(press.denied, shown) or shown in REFUSALS:
                    problems.append(f"{who} {data}: expected a denial, got {shown!r}")
            elif not re.search(press.effect, shown) or shown in REFUSALS:
                problems.append(f"{who} {data}: expected {press.effect!r}, got {shown!r}")
            if before is not None and (changed := changed_tables(before, await fingerprint(bot.db))):
                problems.append(f"{who} {data}: refused but changed {changed}")
    assert problems == []


async def press_and_collect(user: FakeUser, data: str) -> str:
    """Press a button with `data` on the bot's newest message; the pop-up, then what the bot sent or changed."""
    await user.send("/whoami")
    anchor = await user.expect(lambda m: SENTINEL in plain(m), timeout=15)
    answer = await user.press_data(data, anchor, timeout=15)
    replies = await exchange_after(user)
    texts = [BIDI.sub("", str(answer.get("text") or ""))] + [plain(m) for m in replies]
    if plain(anchor) and SENTINEL not in plain(anchor):  # the pressed message was edited into the answer
        texts.append(plain(anchor))
    return " | ".join(t for t in texts if t) if len(texts) > 1 else texts[0]


async def exchange_after(user: FakeUser) -> list[SentMessage]:
    await user.send("/whoami")
    replies: list[SentMessage] = []
    while SENTINEL not in plain(message := await user.expect(lambda m: True, timeout=15)):
        replies.append(message)
    return replies
