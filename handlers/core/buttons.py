"""Typed button data: one codec per button kind, used by the keyboard that builds the data, by the registry's
`Button` declaration that routes it, and by the handler that reads it.

Data is "<prefix>[:<tag>]:<field>:<field>…". A codec is made from a frozen dataclass whose fields say the types:
`int` (ASCII digits, 1…999,999,999 unless `Num` says otherwise), `bool` ("0"/"1"), `Literal["a", "b"]` and str
enums (their values), `dt.date` ("YYYYMMDD", or "YYYYMM" with `MONTH`), `dt.datetime` (aware; UTC epoch seconds),
`str` with a `Text(pattern)`, and `X | None` with a `NoneAs(word)`. Every digit is ASCII: the bot never builds data
in other scripts, so such data is forged and decodes to None. `encode` refuses (ValueError) a value out of range or
data over Telegram's 64 bytes; `decode` returns None for anything it would not have built.

    @dataclass(frozen=True)
    class LessonPress:
        action: Literal["open", "done", "later"]
        cohort_id: int
        number: Annotated[int, Num(digits=4)]

    LESSON = Codec("ls", LessonPress)
    LESSON.encode(LessonPress("open", 12, 3))         # "ls:open:12:3"
    LESSON.decode("ls:open:12:3")                      # LessonPress("open", 12, 3); "ls:open:x:3" -> None
    Button.of(LESSON, Audience.TRAINEE, lesson_button)  # routes exactly what LESSON decodes
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, fields, is_dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar, get_args, get_origin

from telegram import Update

T = TypeVar("T")

DATA_MAX_BYTES = 64  # Telegram's limit on callback_data
PREFIX = re.compile(r"^[a-z]{1,8}$")  # as handlers.core.registry.BUTTON_PREFIX
TAG = re.compile(r"^[a-z0-9]{1,8}$")
DB_INT_MAX = 2**31 - 1
EPOCH_MAX = 32_503_680_000  # 3000-01-01: a timestamp's digits are bounded like any number's


class Malformed(ValueError):
    """One field's text is not what its codec builds."""


@dataclass(frozen=True)
class Num:
    """An int field's bounds: at most `digits` digits, within [minimum, maximum]."""

    digits: int = 9
    minimum: int = 1
    maximum: int = DB_INT_MAX


@dataclass(frozen=True)
class Text:
    """A str field: `pattern` (a regex without capturing groups, no ':') must match it entirely."""

    pattern: str


@dataclass(frozen=True)
class NoneAs:
    """An `X | None` field: None is written as `word`."""

    word: str


@dataclass(frozen=True)
class Month:
    """A dt.date field at month precision: "YYYYMM", decoded as the month's first day."""


MONTH = Month()


@dataclass(frozen=True)
class Field:
    """How one field is written: its regex (no capturing groups) and its two conversions."""

    pattern: str
    write: Callable[[Any], str]
    read: Callable[[str], Any]


def _int_field(num: Num) -> Field:
    def write(value: Any) -> str:
        if type(value) is not int or not num.minimum <= value <= num.maximum or len(str(value)) > num.digits:
            raise ValueError(f"{value!r} is out of range for a button")
        return str(value)

    def read(text: str) -> int:
        value = int(text)
        if not num.minimum <= value <= num.maximum:
            raise Malformed(text)
        return value

    return Field(f"[0-9]{{1,{num.digits}}}", write, read)


def _choice_field(values: dict[str, Any]) -> Field:
    def write(value: Any) -> str:
        for text, choice in values.items():
            if choice == value and type(choice) is type(value):
                return text
        raise ValueError(f"{value!r} is not one of {list(values)}")

    return Field("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)), write, values.__getitem__)


def _text_field(text: Text) -> Field:
    whole = re.compile(rf"(?:{text.pattern})\Z")

    def write(value: Any) -> str:
        if not isinstance(value, str) or ":" in value or not whole.match(value):
            raise ValueError(f"{value!r} does not match {text.pattern!r}")
        return value

    return Field(text.pattern, write, str)


def _date_field(month: bool) -> Field:
    shape = "%Y%m" if month else "%Y%m%d"

    def write(value: Any) -> str:
        if type(value) is not dt.date or (month and value.day != 1):
            raise ValueError(f"{value!r} is not a {'month' if month else 'date'}")
        return f"{value.year:04d}{value.month:02d}" + ("" if month else f"{value.day:02d}")

    def read(text: str) -> dt.date:
        try:
            return dt.datetime.strptime(text, shape).date()
        except ValueError as error:
            raise Malformed(text) from error

    return Field("[0-9]{6}" if month else "[0-9]{8}", write, read)


def _moment_write(value: Any) -> str:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise ValueError(f"{value!r} is not an aware datetime")
    seconds = int(value.timestamp())
    if not 0 <= seconds <= EPOCH_MAX:
        raise ValueError(f"{value!r} is out of range for a button")
    return str(seconds)


def _moment_read(text: str) -> dt.datetime:
    seconds = int(text)
    if seconds > EPOCH_MAX:
        raise Malformed(text)
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _optional(inner: Field, none: NoneAs) -> Field:
    def write(value: Any) -> str:
        return none.word if value is None else inner.write(value)

    def read(text: str) -> Any:
        return None if text == none.word else inner.read(text)

    return Field(f"{re.escape(none.word)}|{inner.pattern}", write, read)


def field_of(annotation: Any, meta: tuple[Any, ...] = ()) -> Field:
    """The Field for one dataclass annotation (see the module docstring for what is supported)."""
    if get_origin(annotation) is Annotated:
        annotation, *extras = get_args(annotation)
        meta = (*meta, *extras)
    none = next((m for m in meta if isinstance(m, NoneAs)), None)
    if get_origin(annotation) in (typing.Union, types.UnionType):
        inner = [a for a in get_args(annotation) if a is not type(None)]
        if len(inner) != 1 or none is None:
            raise TypeError(f"{annotation!r}: only `X | None` with NoneAs(word) is supported")
        return _optional(field_of(inner[0], tuple(m for m in meta if m is not none)), none)
    if annotation is bool:
        return _choice_field({"0": False, "1": True})
    if annotation is int:
        return _int_field(next((m for m in meta if isinstance(m, Num)), Num()))
    if get_origin(annotation) is Literal:
        choices = get_args(annotation)
        if not all(isinstance(c, str) and c and ":" not in c for c in choices):
            raise TypeError(f"{annotation!r}: Literal choices must be non-empty strings without ':'")
        return _choice_field({c: c for c in choices})
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return _choice_field({str(member.value): member for member in annotation})
    if annotation is dt.datetime:
        return Field("[0-9]{1,11}", _moment_write, _moment_read)
    if annotation is dt.date:
        return _date_field(any(isinstance(m, Month) for m in meta))
    text = next((m for m in meta if isinstance(m, Text)), None)
    if annotation is str and text is not None:
        return _text_field(text)
    raise TypeError(f"{annotation!r} is not a supported button field (a str needs Text(pattern))")


class Codec(Generic[T]):
    """Button data of one kind: "<prefix>[:<tag>]:<fields…>" ⇄ an instance of the dataclass `shape`."""

    def __init__(self, prefix: str, shape: type[T], *, tag: str | None = None) -> None:
        if not PREFIX.match(prefix):
            raise ValueError(f"bad button prefix {prefix!r}")
        if tag is not None and not TAG.match(tag):
            raise ValueError(f"bad button tag {tag!r}")
        if not is_dataclass(shape):
            raise TypeError(f"{shape!r} is not a dataclass")
        hints = typing.get_type_hints(shape, include_extras=True)
        self.prefix, self.tag, self.shape = prefix, tag, shape
        self.names = [f.name for f in fields(shape)]
        self.fields = [field_of(hints[name]) for name in self.names]
        if tag is None and not self.fields:
            raise ValueError(f"button {prefix!r} needs a tag or a field")
        head = [re.escape(tag)] if tag is not None else []
        # What follows "<prefix>:" (a Button declaration's pattern), and the same with a group per field to read.
        self.pattern = ":".join(head + [f.pattern if "|" not in f.pattern else f"(?:{f.pattern})" for f in self.fields])
        grouped = ":".join(head + [f"({f.pattern})" for f in self.fields])
        self.regex = re.compile(rf"{re.escape(prefix)}:{grouped}", re.DOTALL)  # used with fullmatch

    def __repr__(self) -> str:
        return f"Codec({self.prefix}:{self.pattern})"

    def encode(self, value: T) -> str:
        """The button data for `value`; ValueError when a field is out of range or the data is over 64 bytes."""
        if not isinstance(value, self.shape):
            raise TypeError(f"{value!r} is not a {self.shape.__name__}")
        parts = [self.prefix] + ([self.tag] if self.tag is not None else [])
        parts += [f.write(getattr(value, name)) for name, f in zip(self.names, self.fields, strict=True)]
        data = ":".join(parts)
        if len(data.encode()) > DATA_MAX_BYTES:
            raise ValueError(f"button data over {DATA_MAX_BYTES} bytes: {data!r}")
        return data

    def decode(self, data: str | None) -> T | None:
        """The value `data` encodes; None for data this codec would not have built (stale, forged, malformed)."""
        if data is None or len(data.encode()) > DATA_MAX_BYTES:
            return None
        match = self.regex.fullmatch(data)
        if match is None:
            return None
        try:
            values = [f.read(text) for f, text in zip(self.fields, match.groups(), strict=True)]
        except (Malformed, KeyError, ValueError):
            return None
        return self.shape(**dict(zip(self.names, values, strict=True)))

    def matches(self, data: str | None) -> bool:
        return self.decode(data) is not None


@dataclass(frozen=True)
class Empty:
    """The fields of a button that has only a prefix and a tag ("cp:noop")."""


EMPTY = Empty()


def pressed(update: Update, codec: Codec[T]) -> T | None:
    """The typed data of the button pressed in `update`, or None (not a press, or not this codec's data)."""
    query = update.callback_query
    return codec.decode(query.data) if query is not None else None
