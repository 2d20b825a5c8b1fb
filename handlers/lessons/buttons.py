"""The lessons feature's buttons as typed data: one codec each, used by the keyboard that builds the button, the
`Button` declaration that routes it and the handler that reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from handlers.core.buttons import Codec, Num


@dataclass(frozen=True)
class LessonPress:
    """A lesson's Done or Later, a nudge's Open, or a lesson number in /lessons."""

    action: Literal["open", "done", "later"]
    cohort_id: int
    number: Annotated[int, Num(digits=4)]


LESSON_PRESS = Codec("ls", LessonPress)


@dataclass(frozen=True)
class StatsPress:
    """/lessonstats: the cohort chosen."""

    cohort_id: int


STATS_PRESS = Codec("st", StatsPress)
