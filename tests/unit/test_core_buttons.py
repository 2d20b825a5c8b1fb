"""Typed button data (handlers.core.buttons): round trips, the 64-byte limit, and forged data decoded to None."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from typing import Annotated, Literal

import pytest

from bot.services.access import Audience
from handlers.core.buttons import EMPTY, MONTH, Codec, Empty, NoneAs, Num, Text
from handlers.core.registry import Button


@dataclass(frozen=True)
class LessonPress:
    action: Literal["open", "done", "later"]
    cohort_id: int
    number: Annotated[int, Num(digits=4)]


class Step(enum.StrEnum):
    ALL = "all"
    TOWNS = "towns"


@dataclass(frozen=True)
class Everything:
    flag: bool
    step: Step
    day: dt.date
    month: Annotated[dt.date, MONTH]
    at: dt.datetime
    token: Annotated[str, Text("[0-9a-f]{6}")]
    curriculum: Annotated[int | None, NoneAs("none")]


@dataclass(frozen=True)
class Tagged:
    broadcast_id: int


LESSON = Codec("ls", LessonPress)
EVERYTHING = Codec("zz", Everything)
GO = Codec("bc", Tagged, tag="go")
NOOP = Codec("cp", Empty, tag="noop")
AT = dt.datetime(2026, 3, 7, 18, 30, 15, tzinfo=dt.UTC)


async def noop(*_args: object) -> None:
    return None


def test_round_trip_keeps_todays_wire_format() -> None:
    assert LESSON.encode(LessonPress("open", 12, 3)) == "ls:open:12:3"
    assert LESSON.decode("ls:open:12:3") == LessonPress("open", 12, 3)
    assert LESSON.decode("ls:later:007:3") == LessonPress("later", 7, 3)  # as parse_positive_int read it
    assert GO.encode(Tagged(5)) == "bc:go:5" and GO.decode("bc:go:5") == Tagged(5)
    assert NOOP.encode(EMPTY) == "cp:noop" and NOOP.decode("cp:noop") == EMPTY
    value = Everything(True, Step.TOWNS, dt.date(2026, 2, 28), dt.date(2026, 3, 1), AT, "a1b2c3", None)
    data = EVERYTHING.encode(value)
    assert data == f"zz:1:towns:20260228:202603:{int(AT.timestamp())}:a1b2c3:none"
    assert EVERYTHING.decode(data) == value
    assert EVERYTHING.decode(data.removesuffix("none") + "42") == Everything(
        True, Step.TOWNS, dt.date(2026, 2, 28), dt.date(2026, 3, 1), AT, "a1b2c3", 42
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        "",
        "ls",
        "ls:",
        "ls:open:12",  # wrong arity
        "ls:open:12:3:4",
        "ls:shut:12:3",  # not a choice
        "ls:open:x:3",  # not digits
        "ls:open:-1:3",
        "ls:open:0:3",  # below the minimum
        "ls:open:1234567890:3",  # more digits than allowed
        "ls:open:12:12345",
        "ls:open:١٢:3",  # digits in another script: the bot never builds them
        "ls:open:۱۲:3",
        "ls:open:12:3\n",
        "lsx:open:12:3",
        "LS:open:12:3",
        "ls:open:" + "9" * 400 + ":3",
    ],
)
def test_forged_or_malformed_data_decodes_to_none(data: str | None) -> None:
    assert LESSON.decode(data) is None
    assert not LESSON.matches(data)


def test_invalid_dates_and_times_decode_to_none() -> None:
    base = EVERYTHING.encode(Everything(False, Step.ALL, dt.date(2026, 1, 1), dt.date(2026, 1, 1), AT, "abcdef", 1))
    parts = base.split(":")
    for index, bad in [(3, "20260230"), (4, "202613"), (5, "99999999999"), (6, "ABCDEF"), (2, "none")]:
        forged = ":".join([*parts[:index], bad, *parts[index + 1 :]])
        assert EVERYTHING.decode(forged) is None, forged


def test_encode_refuses_what_decode_would_refuse() -> None:
    with pytest.raises(ValueError, match="out of range"):
        LESSON.encode(LessonPress("open", 0, 3))
    with pytest.raises(ValueError, match="out of range"):
        LESSON.encode(LessonPress("open", 12, 10_000))
    with pytest.raises(ValueError, match="not one of"):
        LESSON.encode(LessonPress("shut", 12, 3))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="out of range"):
        GO.encode(Tagged(True))  # a bool is not an id
    naive = Everything(False, Step.ALL, dt.date(2026, 1, 1), dt.date(2026, 1, 1), AT.replace(tzinfo=None), "abcdef", 1)
    with pytest.raises(ValueError, match="aware"):
        EVERYTHING.encode(naive)
    with pytest.raises(ValueError, match="not a month"):
        EVERYTHING.encode(Everything(False, Step.ALL, dt.date(2026, 1, 1), dt.date(2026, 1, 2), AT, "abcdef", 1))
    with pytest.raises(TypeError):
        LESSON.encode(Tagged(1))  # type: ignore[arg-type]


def test_the_64_byte_limit_is_checked_when_built() -> None:
    @dataclass(frozen=True)
    class Long:
        word: Annotated[str, Text("[a-z]{1,80}")]

    codec = Codec("long", Long)
    assert codec.encode(Long("a" * 59)) == "long:" + "a" * 59  # 64 bytes
    with pytest.raises(ValueError, match="64 bytes"):
        codec.encode(Long("a" * 60))
    assert codec.decode("long:" + "a" * 60) is None


def test_codec_definitions_are_checked() -> None:
    with pytest.raises(ValueError, match="prefix"):
        Codec("Bad", Tagged)
    with pytest.raises(ValueError, match="a tag or a field"):
        Codec("cp", Empty)
    with pytest.raises(ValueError, match="tag"):
        Codec("cp", Empty, tag="a:b")

    @dataclass(frozen=True)
    class Untyped:
        word: str

    with pytest.raises(TypeError):
        Codec("cp", Untyped)


def test_button_declaration_routes_exactly_what_the_codec_decodes() -> None:
    button = Button.of(LESSON, Audience.TRAINEE, noop)
    assert button.prefix == "ls"
    for data in ["ls:open:12:3", "ls:done:1:9999"]:
        assert button.regex.match(data) and LESSON.decode(data) is not None
    for data in ["ls:open:12", "ls:open:١٢:3", "ls:shut:1:1", "ls:open:12:3:4"]:
        assert not button.regex.match(data)
    assert isinstance(LESSON.regex, re.Pattern)
