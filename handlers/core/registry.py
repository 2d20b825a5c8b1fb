"""One declaration per command and button: its name, who may use it (audience), what runs and its menu entry.

Handler registration builds PTB handlers from these declarations; each handler's callback is wrapped in `Guarded`,
which carries the declaration. Access control (handlers.core.access) finds the handler PTB will actually run and judges
its declared audience; `Guarded` judges it again when the callback runs. Menus and /help read the declarations of
the handlers that are registered (`Registry`), so nothing else lists who may do what.

Only fresh messages in private chats reach commands and typed steps: edited messages and channel posts never do.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    PollAnswerHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.i18n import _
from bot.services.access import Audience, Principal
from handlers.core.buttons import Codec
from handlers.core.context import BotContext
from handlers.core.ui import answer_callback, reply

Callback: TypeAlias = Callable[[Update, BotContext], Coroutine[Any, Any, Any]]
Handler: TypeAlias = BaseHandler[Update, BotContext, Any]

# Commands and typed answers come only from fresh messages in private chats (never edited ones, never channels).
FRESH_PRIVATE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")  # what setMyCommands and Telegram's bot_command entity accept
BUTTON_PREFIX = re.compile(r"^[a-z]{1,8}$")
AUDIENCE_RANK = {Audience.ANYONE: 0, Audience.TRAINEE: 1, Audience.TRAINER: 2, Audience.COORDINATOR: 3}


def refusal(audience: Audience) -> str:
    if audience is Audience.TRAINEE:
        return _("This is for registered trainees. Join a cohort with the invite link your trainer shared.")
    if audience is Audience.TRAINER:
        return _("Sorry, only trainers and coordinators can do that.")
    return _("Sorry, only coordinators can do that.")


async def refuse(update: Update, audience: Audience) -> None:
    """A polite refusal where the person is looking: a pop-up for a button, a message otherwise."""
    text = refusal(audience)
    if update.callback_query is not None:
        await answer_callback(update, text, alert=True)
    elif update.effective_chat is not None:
        await reply(update, text)


def allows(principal: Principal | None, audience: Audience) -> bool:
    if audience is Audience.ANYONE:
        return True
    return principal is not None and principal.allows(audience)


class Declaration:
    """Base of every declaration: who may use it, and a label for logs, errors and tests."""

    audience: Audience

    @property
    def label(self) -> str:
        raise NotImplementedError

    def handler(self) -> Handler:
        raise NotImplementedError


@dataclass(frozen=True, eq=False)
class Guarded:
    """A handler's callback behind its declared audience: what PTB runs is judged when it runs."""

    callback: Callback
    declaration: Declaration

    def __repr__(self) -> str:  # PTB's handler repr shows it
        return f"Guarded({getattr(self.callback, '__qualname__', self.callback)}, {self.declaration.label})"

    async def __call__(self, update: Update, context: BotContext) -> Any:
        audience = self.declaration.audience
        if not allows(context.principal_value, audience):
            # Access control refused this already unless something changed in between (a concurrent update).
            await refuse(update, audience)
            return None  # a conversation stays where it was
        return await self.callback(update, context)


@dataclass(frozen=True, eq=False)
class Command(Declaration):
    """A slash command. `names[0]` is shown in menus; other names are aliases. `menu` (marked with N_) puts it in
    the command menu and /help of everyone its audience allows. Several declarations may share a name (for example
    /start with or without a payload) when they share the audience."""

    names: tuple[str, ...]
    audience: Audience
    callback: Callback
    menu: str | None = None
    when: filters.BaseFilter | None = None  # further conditions (a payload's shape, say)
    has_args: bool | int | None = None

    def __post_init__(self) -> None:
        if not self.names or not all(COMMAND_NAME.match(n) for n in self.names):
            raise ValueError(f"bad command names {self.names!r}")

    @property
    def name(self) -> str:
        return self.names[0]

    @property
    def label(self) -> str:
        return f"/{self.name}"

    def handler(self) -> Handler:
        extra = FRESH_PRIVATE if self.when is None else FRESH_PRIVATE & self.when
        return CommandHandler(list(self.names), Guarded(self.callback, self), filters=extra, has_args=self.has_args)


class ButtonHandler(CallbackQueryHandler[BotContext, Any]):
    """PTB lets a press without data through every pattern; a declared button needs data that matches."""

    def check_update(self, update: object) -> bool | object | None:
        if isinstance(update, Update) and update.callback_query is not None and not update.callback_query.data:
            return None
        return super().check_update(update)


@dataclass(frozen=True, eq=False)
class Button(Declaration):
    """Inline buttons whose data is "<prefix>:<rest>", `rest` matching `pattern` entirely. Data that matches no
    declared button is refused by the fallback ("no longer active")."""

    prefix: str
    audience: Audience
    callback: Callback
    pattern: str = ".*"

    def __post_init__(self) -> None:
        if not BUTTON_PREFIX.match(self.prefix):
            raise ValueError(f"bad button prefix {self.prefix!r}")

    @classmethod
    def of(cls, codec: Codec[Any], audience: Audience, callback: Callback) -> Button:
        """The button whose data `codec` builds (its handler reads it back with `codec.decode`)."""
        return cls(codec.prefix, audience, callback, codec.pattern)

    @property
    def label(self) -> str:
        return f"{self.prefix}:{self.pattern}"

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(rf"^{re.escape(self.prefix)}:(?:{self.pattern})$", re.DOTALL)

    def handler(self) -> Handler:
        return ButtonHandler(Guarded(self.callback, self), pattern=self.regex)


@dataclass(frozen=True, eq=False)
class Typed(Declaration):
    """Messages that are not handled as a command: a conversation's typed answers, check-in codes, fallbacks."""

    name: str
    audience: Audience
    callback: Callback
    when: filters.BaseFilter = filters.ALL

    @property
    def label(self) -> str:
        return f"typed:{self.name}"

    def handler(self) -> Handler:
        return MessageHandler(FRESH_PRIVATE & self.when, Guarded(self.callback, self))


@dataclass(frozen=True, eq=False)
class AnyButton(Declaration):
    """Every button press no other declaration took (stale, forged or another conversation's)."""

    name: str
    audience: Audience
    callback: Callback

    @property
    def label(self) -> str:
        return f"button:{self.name}"

    def handler(self) -> Handler:
        return CallbackQueryHandler(Guarded(self.callback, self))


@dataclass(frozen=True, eq=False)
class Event(Declaration):
    """Updates that are not messages: quiz answers, the bot blocked or unblocked, a conversation's timeout."""

    name: str
    audience: Audience
    callback: Callback
    kind: str  # "poll_answer", "my_chat_member" or "timeout"

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"

    def handler(self) -> Handler:
        guarded = Guarded(self.callback, self)
        if self.kind == "poll_answer":
            return PollAnswerHandler(guarded)
        if self.kind == "my_chat_member":
            return ChatMemberHandler(guarded, ChatMemberHandler.MY_CHAT_MEMBER)
        if self.kind == "timeout":
            return TypeHandler(Update, guarded)
        raise ValueError(f"unknown event kind {self.kind!r}")


Steps: TypeAlias = Sequence[Declaration]


def conversation(
    name: str,
    *,
    entry: Steps,
    states: dict[object, Steps],
    fallbacks: Steps,
    timeout: float | None = None,
    persistent: bool = True,
) -> ConversationHandler[BotContext]:
    """A persisted conversation made of declarations. Buttons are tracked per chat, not per message, on purpose:
    drafts are per person (hence PTB's per_message warning is silenced)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        return ConversationHandler(
            entry_points=[d.handler() for d in entry],
            states={key: [d.handler() for d in steps] for key, steps in states.items()},
            fallbacks=[d.handler() for d in fallbacks],
            allow_reentry=True,
            conversation_timeout=timeout,
            name=name,
            persistent=persistent,
        )


def flatten(handlers: Sequence[Handler]) -> Iterator[Handler]:
    """Every handler, conversations opened up (entry points, each state's steps, fallbacks)."""
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            yield from flatten(handler.entry_points)
            for steps in handler.states.values():
                yield from flatten(steps)
            yield from flatten(handler.fallbacks)
        else:
            yield handler


def declaration_of(handler: Handler) -> Declaration | None:
    callback = getattr(handler, "callback", None)
    return callback.declaration if isinstance(callback, Guarded) else None


def will_run(handlers: Sequence[Handler], update: Update) -> Handler | None:
    """The handler PTB will run for this update among `handlers` (one group), found the way PTB finds it."""
    for handler in handlers:
        check = handler.check_update(update)
        if check is None or check is False:
            continue
        if isinstance(handler, ConversationHandler):
            assert isinstance(check, tuple)
            inner = check[2]
            assert isinstance(inner, BaseHandler)
            return inner
        return handler
    return None


@dataclass
class Registry:
    """The declarations of the registered handlers, in registration order."""

    declarations: list[Declaration] = field(default_factory=list)

    @classmethod
    def of(cls, handlers: Sequence[Handler]) -> Registry:
        registry = cls()
        for handler in flatten(handlers):
            declaration = declaration_of(handler)
            if declaration is None:
                raise TypeError(f"handler {handler!r} has no declared audience")
            if declaration not in registry.declarations:
                registry.declarations.append(declaration)
        registry.validate()
        return registry

    def validate(self) -> None:
        """One audience per command name and per button prefix; one menu entry per command."""
        audiences: dict[str, Audience] = {}
        menus: set[str] = set()
        for declaration in self.declarations:
            keys: list[str] = []
            if isinstance(declaration, Command):
                keys = [f"/{n}" for n in declaration.names]
                if declaration.menu is not None:
                    if declaration.name in menus:
                        raise ValueError(f"/{declaration.name} has two menu entries")
                    menus.add(declaration.name)
            elif isinstance(declaration, Button):
                keys = [f"{declaration.prefix}:"]
            for key in keys:
                if audiences.setdefault(key, declaration.audience) is not declaration.audience:
                    raise ValueError(f"{key} is declared with two audiences")

    def commands(self) -> list[Command]:
        return [d for d in self.declarations if isinstance(d, Command)]

    def buttons(self) -> list[Button]:
        return [d for d in self.declarations if isinstance(d, Button)]

    def command_audience(self, name: str) -> Audience | None:
        for command in self.commands():
            if name in command.names:
                return command.audience
        return None

    def menu(self, allowed: Callable[[Audience], bool]) -> list[Command]:
        """Menu commands someone may run: anyone's first, then trainees', trainers', coordinators'."""
        entries = [c for c in self.commands() if c.menu is not None and allowed(c.audience)]
        return sorted(entries, key=lambda c: AUDIENCE_RANK[c.audience])
