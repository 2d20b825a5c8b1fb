"""Every attendance button's data, one typed codec per kind (handlers.core.buttons): the keyboards build it with
`encode`, the registry routes exactly what `decode` reads, and the handlers read it back typed.

    se:oc:<session>:<d|1>   which session's check-in to open (d: rotation as configured, 1: rotating)
    se:rl:<session>         which session's roll
    se:nc:<cohort>          /session: which cohort      se:np   /session: no place
    ci:rot:<checkin>:<0|1>  the check-in's code rotation off/on
    ci:<cnt|end|cls>:<id>   count now, close (on the check-in message), close (chosen after /checkin_close)
    rl:l:<session>:<page>   a page of the roll          rl:f:<session>   finish the roll
    rl:p:<session>:<person>:<page>            one trainee on the roll
    rl:s:<session>:<person>:<p|l|e|a>:<page>  set their status
    at:<s|g|x|v|e|t>:<cohort>  summary, chart, XLSX, CSV, both files, per trainee     at:d:<session>  one session
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from handlers.core.buttons import Codec, Empty, Num

Page = Annotated[int, Num(digits=4, minimum=0, maximum=9999)]


@dataclass(frozen=True)
class SessionPick:
    session_id: int


@dataclass(frozen=True)
class CohortPick:
    cohort_id: int


@dataclass(frozen=True)
class CheckinSessionPick:
    session_id: int
    rotate: Literal["d", "1"]  # "d": as configured (CHECKIN_ROTATE_DEFAULT); "1": /checkin_open … rotate

    @property
    def rotating(self) -> bool | None:
        return True if self.rotate == "1" else None


@dataclass(frozen=True)
class RotationPress:
    checkin_id: int
    on: bool


@dataclass(frozen=True)
class CheckinPress:
    action: Literal["cnt", "end", "cls"]
    checkin_id: int


@dataclass(frozen=True)
class RollPage:
    session_id: int
    page: Page


@dataclass(frozen=True)
class RollPerson:
    session_id: int
    person_id: int
    page: Page


@dataclass(frozen=True)
class RollMark:
    session_id: int
    person_id: int
    letter: Literal["p", "l", "e", "a"]  # handlers.attendance.views.LETTERS
    page: Page


@dataclass(frozen=True)
class CohortReport:
    what: Literal["s", "g", "x", "v", "e", "t"]
    cohort_id: int


OPEN_CHOICE = Codec("se", CheckinSessionPick, tag="oc")
ROLL_CHOICE = Codec("se", SessionPick, tag="rl")
NEW_SESSION_COHORT = Codec("se", CohortPick, tag="nc")
NO_PLACE = Codec("se", Empty, tag="np")
ROTATION = Codec("ci", RotationPress, tag="rot")
CHECKIN_ACTION = Codec("ci", CheckinPress)
ROLL_PAGE = Codec("rl", RollPage, tag="l")
ROLL_PERSON = Codec("rl", RollPerson, tag="p")
ROLL_MARK = Codec("rl", RollMark, tag="s")
ROLL_FINISH = Codec("rl", SessionPick, tag="f")
COHORT_REPORT = Codec("at", CohortReport)
SESSION_DETAIL = Codec("at", SessionPick, tag="d")
