"""The data of every broadcasts button: one codec per kind, used by the keyboard, the declaration and the handler.

"bc" buttons belong to the sender (the conversation's, then Cancel and Report of a running one); "an" ones to a
trainee who received an announcement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from handlers.core.buttons import Codec, Empty, Num


@dataclass(frozen=True)
class CohortPick:
    cohort_id: int


@dataclass(frozen=True)
class TownPick:
    index: Annotated[int, Num(minimum=0)]  # the town's place in the list the draft offered


@dataclass(frozen=True)
class WhoPick:
    who: Literal["all", "towns", "absent"]


@dataclass(frozen=True)
class BroadcastRef:
    broadcast_id: int


PREFIX = "bc"
TOGGLE_COHORT = Codec(PREFIX, CohortPick, tag="t")
NEXT = Codec(PREFIX, Empty, tag="next")
STOP = Codec(PREFIX, Empty, tag="stop")
WHO = Codec(PREFIX, WhoPick)  # everyone, some towns, or those absent from the last session
TOGGLE_TOWN = Codec(PREFIX, TownPick, tag="w")
SEND_NOW = Codec(PREFIX, BroadcastRef, tag="go")  # also pressed again after the conversation ended
SEND_AT = Codec(PREFIX, BroadcastRef, tag="at")
DROP = Codec(PREFIX, BroadcastRef, tag="no")
CANCEL_RUNNING = Codec(PREFIX, BroadcastRef, tag="x")
REPORT = Codec(PREFIX, BroadcastRef, tag="csv")
SHOW_AGAIN = Codec("an", BroadcastRef, tag="show")
# Sub-prefixes of "bc" answered outside the conversation: the conversation leaves them to their own handlers.
OUTSIDE_THE_FLOW = ("x:", "csv:", "go:")
