"""The conversation kit (handlers.core.conversation): typed drafts in user or chat data, and what a Flow adds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import pytest
from telegram import Update
from telegram.ext import ConversationHandler

from bot.services.access import Audience
from handlers.core import conversation as kit
from handlers.core.conversation import END, TIMEOUT, Draft, Flow
from handlers.core.registry import Button, Command, Event, Typed, declaration_of, flatten


@dataclass(frozen=True)
class Plan:
    step: Literal["name", "date"] = "name"
    name: str | None = None
    day: dt.date | None = None
    at: dt.datetime | None = None
    cohorts: tuple[int, ...] = ()
    towns: list[str] = field(default_factory=list)


class FakeContext:
    def __init__(self) -> None:
        self.user_data: dict[Any, Any] = {}
        self.chat_data: dict[Any, Any] = {}


PLAN = Draft("plan", Plan)
CHAT_PLAN = Draft("plan", Plan, where="chat")


def test_draft_round_trip_is_typed_and_stored_as_plain_json() -> None:
    context: Any = FakeContext()
    value = Plan("date", "Alpha", dt.date(2026, 3, 7), dt.datetime(2026, 3, 7, 18, 30, tzinfo=dt.UTC), (3, 5), ["Hit"])
    PLAN.put(context, value)
    stored = context.user_data["plan"]
    assert stored["day"] == "2026-03-07" and stored["cohorts"] == [3, 5]  # what persistence writes as JSON
    assert PLAN.get(context) == value
    PLAN.put(context, replace(value, name="Beta"))
    assert PLAN.get(context) == replace(value, name="Beta")
    PLAN.drop(context)
    assert PLAN.get(context) is None and "plan" not in context.user_data


def test_a_chat_draft_never_touches_user_data() -> None:
    context: Any = FakeContext()
    CHAT_PLAN.put(context, Plan(name="Alpha"))
    assert context.user_data == {} and CHAT_PLAN.get(context) == Plan(name="Alpha")
    assert PLAN.get(context) is None


@pytest.mark.parametrize(
    "stored",
    [
        "not a dict",
        ["a", "list"],
        {"step": "launch"},  # a step that no longer exists
        {"day": "2026-02-30"},
        {"cohorts": ["x"]},
        {"at": "yesterday"},
        {"name": 5},
    ],
)
def test_an_old_or_forged_draft_is_dropped_not_crashed_on(stored: object) -> None:
    context: Any = FakeContext()
    context.user_data["plan"] = stored
    assert PLAN.get(context) is None
    assert "plan" not in context.user_data


def test_an_older_draft_with_missing_fields_reads_with_defaults() -> None:
    context: Any = FakeContext()
    context.user_data["plan"] = {"name": "Alpha"}
    assert PLAN.get(context) == Plan(name="Alpha")


async def step(update: Update, context: Any) -> int:
    return 1


async def cancelled(update: Update, context: Any) -> int:
    return END


async def cleaned_up(update: Update, context: Any) -> None:
    return None


ENTRY = Command(("go",), Audience.TRAINER, step)
NAME = Typed("plan: name", Audience.TRAINER, step)
CHOSEN = Button("pl", Audience.TRAINER, step, r"c:\d{1,9}")


def flow(**options: Any) -> ConversationHandler[Any]:
    settings: dict[str, Any] = {"entry": [ENTRY], "states": {0: [NAME], 1: [CHOSEN]}, "cancel": cancelled}
    return Flow("plan", Audience.TRAINER, **(settings | options)).build()


def labels(handlers: list[Any]) -> list[str]:
    return [declaration.label for h in flatten(handlers) if (declaration := declaration_of(h)) is not None]


def test_every_state_asks_again_after_its_own_steps_and_cancel_is_open_to_anyone() -> None:
    handler = flow(own_buttons="pl", foreign=("x:",), open_states=frozenset({0}), label="new plan")
    assert labels(handler.states[0]) == ["typed:plan: name", "pl:(?!x:).*"]  # an open state takes everything
    assert labels(handler.states[1]) == [r"pl:c:\d{1,9}", "pl:(?!x:).*", "typed:new plan: anything else"]
    (cancel,) = handler.fallbacks
    declaration = declaration_of(cancel)
    assert isinstance(declaration, Command) and declaration.names == ("cancel",)
    assert declaration.audience is Audience.ANYONE and declaration.callback is cancelled
    assert handler.name == "plan" and handler.persistent and handler.allow_reentry


def test_without_ask_again_nothing_is_added() -> None:
    handler = flow(ask_again=None, own_buttons="pl")
    assert labels(handler.states[0]) == ["typed:plan: name"]
    assert labels(handler.states[1]) == [r"pl:c:\d{1,9}"]


def test_time_out_and_persistence_off() -> None:
    handler = flow(timeout=dt.timedelta(minutes=15), on_timeout=cleaned_up, persistent=False)
    assert handler.conversation_timeout == 15 * 60 and not handler.persistent
    (idle,) = handler.states[TIMEOUT]
    declaration = declaration_of(idle)
    assert isinstance(declaration, Event) and declaration.kind == "timeout" and declaration.callback is cleaned_up
    assert TIMEOUT not in flow(timeout=dt.timedelta(minutes=15)).states  # a silent time-out: just the end
    assert flow().conversation_timeout is None


async def test_hand_off_ends_the_flow_then_hands_the_command_on(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    async def hand_off(update: Update, context: Any) -> None:
        calls.append("cleaned")

    async def hand_on(update: Update, context: Any) -> None:
        calls.append("handed on")

    monkeypatch.setattr(kit, "hand_on", hand_on)
    built = Flow("plan", Audience.TRAINER, [ENTRY], {0: [NAME]}, cancelled, hand_off=hand_off, keep_for=("go",))
    handler = built.build()
    assert labels(handler.fallbacks) == ["/cancel", "typed:plan: another command"]
    another = declaration_of(handler.fallbacks[1])
    assert isinstance(another, Typed) and another.audience is Audience.ANYONE
    assert "handed_on" in repr(another.when) and "/(?:go)" in repr(another.when)
    assert "handed_on" in repr(declaration_of(handler.states[0][-1]).when)  # type: ignore[union-attr]
    result = await another.callback(Update(1), None)  # type: ignore[arg-type]
    assert result == END and calls == ["cleaned", "handed on"]
