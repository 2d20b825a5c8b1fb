"""One conversation kit for every multi-step flow: a typed draft, ask-again, cancel, time-out, hand-off to another
command, answering only its own buttons, and persistence on or off. Built on `handlers.core.registry.conversation`
(which also silences PTB's per_message warning, once, for every flow).

The draft (`Draft`) is a dataclass kept in user_data (persisted with the conversation) or in chat_data (which the
persistence never writes: a flow that must store nothing before consent, like registration, keeps it there and
builds its Flow with `persistent=False`). It is stored as plain JSON (pydantic's TypeAdapter: dates become ISO
strings) and read back typed; a draft that no longer reads (an older shape, a forged value) is dropped, never
crashed on: `get` returns None and the flow treats it as expired.

A `Flow` adds to the steps it is given, in this order:
- in every state (but `open_states`, whose own steps take everything): the flow's stale buttons (data with its
  `own_buttons` prefix that no step took, except `foreign` sub-prefixes owned by other handlers) and anything else
  that is not a command, both answered by `ask_again` (the same question again; the state stays);
- `/cancel` (open to anyone) with the flow's `cancel` callback;
- with `hand_off`: any other command ends the flow (the callback cleans up and may say so) and then runs as if no
  flow had been waiting (handlers.core.handoff); entry commands restart the flow, `keep_for` ones are left alone;
- with `timeout`: the conversation ends after that long without an answer, running `on_timeout` if given.
Buttons of other features are never answered by a flow: they fall through to their owners or to the stale-button
fallback ("This button is no longer active."), exactly as outside the flow.

    @dataclass(frozen=True)
    class NewSession:
        cohort_id: int | None = None
        day: dt.date | None = None

    DRAFT = Draft("new_session", NewSession)

    async def date_typed(update: Update, context: BotContext) -> int:
        draft = DRAFT.get(context) or NewSession()
        DRAFT.put(context, replace(draft, day=parse_date(text_of(update))))
        return TIME

    async def cancelled(update: Update, context: BotContext) -> int:
        DRAFT.drop(context)
        await reply(update, _("Cancelled; no session was added."))
        return END

    FLOW = Flow(
        "new_session", TRAINER, entry=[SESSION], cancel=cancelled, label="new session",
        states={COHORT: [Button.of(COHORT_CHOSEN, TRAINER, cohort_chosen)], DATE: [Typed(..., date_typed, TEXT)]},
    )
    application_handlers = [FLOW.build()]
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from pydantic import TypeAdapter, ValidationError
from telegram import Update
from telegram.ext import ConversationHandler, filters

from bot.i18n import _
from bot.services.access import Audience
from bot.text import cmd, fmt
from handlers.core.context import BotContext
from handlers.core.handoff import HANDED_ON, hand_on
from handlers.core.registry import Button, Callback, Command, Declaration, Event, Typed, conversation
from handlers.core.ui import answer_callback, reply

__all__ = ["END", "HANDED_ON", "TIMEOUT", "Draft", "Flow", "ask_again"]

log = logging.getLogger(__name__)
D = TypeVar("D")
END = ConversationHandler.END
TIMEOUT = ConversationHandler.TIMEOUT


class Draft(Generic[D]):
    """A flow's answers so far: one dataclass (`shape`) under `key` in user_data or chat_data."""

    def __init__(self, key: str, shape: type[D], *, where: Literal["user", "chat"] = "user") -> None:
        self.key, self.shape, self.where = key, shape, where
        self._adapter: TypeAdapter[D] = TypeAdapter(shape)

    def _data(self, context: BotContext) -> dict[Any, Any]:
        data = context.user_data if self.where == "user" else context.chat_data
        if data is None:
            raise RuntimeError(f"draft {self.key!r} read outside a {self.where}'s update")
        return data

    def get(self, context: BotContext) -> D | None:
        """The draft, typed; None when there is none or it no longer reads (then it is dropped)."""
        data = self._data(context)
        stored = data.get(self.key)
        if stored is None:
            return None
        try:
            return self._adapter.validate_python(stored)
        except ValidationError:
            log.info("draft %s dropped: it no longer reads", self.key)
            data.pop(self.key, None)
            return None

    def put(self, context: BotContext, value: D) -> D:
        """Store `value` as plain JSON (what persistence writes and reads back)."""
        self._data(context)[self.key] = self._adapter.dump_python(value, mode="json")
        return value

    def drop(self, context: BotContext) -> None:
        data = context.user_data if self.where == "user" else context.chat_data
        if data is not None:
            data.pop(self.key, None)


async def ask_again(update: Update, context: BotContext) -> None:
    """The default answer to anything unexpected: a stale button's toast, or the question again (state kept)."""
    if update.callback_query is not None:
        await answer_callback(update, _("This button is no longer active."))
        return
    await reply(update, fmt(_("Please answer the question above, or send {cancel} to stop."), cancel=cmd("/cancel")))


@dataclass(frozen=True, eq=False)
class Flow:
    """A multi-step conversation. `name` is its persistence key (never rename a persisted one); `label` names its
    declarations in logs and tests (defaults to `name`). See the module docstring for what is added."""

    name: str
    audience: Audience  # of the added ask-again steps (cancel and hand-off are open to anyone)
    entry: Sequence[Declaration]
    states: Mapping[object, Sequence[Declaration]]
    cancel: Callback
    label: str = ""
    ask_again: Callback | None = ask_again
    own_buttons: str | None = None  # this flow's button prefix: its stale presses are asked again
    foreign: tuple[str, ...] = ()  # sub-prefixes of own_buttons that other handlers answer ("x:", "csv:")
    open_states: frozenset[object] = field(default_factory=frozenset)
    hand_off: Callback | None = None
    keep_for: tuple[str, ...] = ()  # commands that do not end the flow mid-way (even for another bot: /x@other)
    timeout: dt.timedelta | None = None
    on_timeout: Callback | None = None
    persistent: bool = True

    @property
    def title(self) -> str:
        return self.label or self.name

    def waiting(self) -> filters.BaseFilter:
        """What the added steps may take: never an update being handed on by a flow that ended."""
        return ~HANDED_ON if self.hand_off is not None else filters.ALL

    def otherwise(self, state: object) -> list[Declaration]:
        """The steps added at the end of `state`: stale own buttons, then anything else that is not a command."""
        added: list[Declaration] = []
        if self.ask_again is None:
            return added
        if self.own_buttons is not None:
            pattern = f"(?!{'|'.join(re.escape(f) for f in self.foreign)}).*" if self.foreign else ".*"
            added.append(Button(self.own_buttons, self.audience, self.ask_again, pattern))
        if state not in self.open_states:
            anything = ~filters.COMMAND & self.waiting()
            added.append(Typed(f"{self.title}: anything else", self.audience, self.ask_again, anything))
        return added

    def fallbacks(self) -> list[Declaration]:
        steps: list[Declaration] = [Command(("cancel",), Audience.ANYONE, self.cancel)]
        if self.hand_off is not None:
            another = filters.COMMAND & ~HANDED_ON
            if self.keep_for:
                kept = "|".join(map(re.escape, self.keep_for))
                another = another & ~filters.Regex(rf"^/(?:{kept})(@\w+)?(\s|$)")
            steps.append(Typed(f"{self.title}: another command", Audience.ANYONE, self._handed_off, another))
        return steps

    async def _handed_off(self, update: Update, context: BotContext) -> int:
        assert self.hand_off is not None
        await self.hand_off(update, context)
        await hand_on(update, context)
        return END

    def build(self) -> ConversationHandler[BotContext]:
        states: dict[object, Sequence[Declaration]] = {
            state: [*steps, *self.otherwise(state)] for state, steps in self.states.items()
        }
        if self.timeout is not None and self.on_timeout is not None:
            states[TIMEOUT] = [Event(f"{self.title}: idle", Audience.ANYONE, self.on_timeout, "timeout")]
        return conversation(
            self.name,
            entry=self.entry,
            states=states,
            fallbacks=self.fallbacks(),
            timeout=None if self.timeout is None else self.timeout.total_seconds(),
            persistent=self.persistent,
        )
