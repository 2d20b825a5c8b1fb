"""The broadcasts buttons' data (today's strings, byte for byte), forged data refused, and the typed draft's round
trip through the conversation kit's JSON."""

from __future__ import annotations

from typing import Any

import pytest

from handlers.broadcasts import buttons as b
from handlers.broadcasts.conversation import FLOW
from handlers.broadcasts.draft import DRAFT, TARGET, AnnouncementDraft
from handlers.core.buttons import EMPTY, Codec
from handlers.core.registry import Button


@pytest.mark.parametrize(
    ("codec", "value", "data"),
    [
        (b.TOGGLE_COHORT, b.CohortPick(12), "bc:t:12"),
        (b.NEXT, EMPTY, "bc:next"),
        (b.STOP, EMPTY, "bc:stop"),
        (b.WHO, b.WhoPick("all"), "bc:all"),
        (b.WHO, b.WhoPick("towns"), "bc:towns"),
        (b.WHO, b.WhoPick("absent"), "bc:absent"),
        (b.TOGGLE_TOWN, b.TownPick(0), "bc:w:0"),
        (b.SEND_NOW, b.BroadcastRef(7), "bc:go:7"),
        (b.SEND_AT, b.BroadcastRef(7), "bc:at:7"),
        (b.DROP, b.BroadcastRef(7), "bc:no:7"),
        (b.CANCEL_RUNNING, b.BroadcastRef(999_999_999), "bc:x:999999999"),
        (b.REPORT, b.BroadcastRef(7), "bc:csv:7"),
        (b.SHOW_AGAIN, b.BroadcastRef(7), "an:show:7"),
    ],
)
def test_each_button_keeps_todays_data_and_reads_it_back(codec: Codec[Any], value: object, data: str) -> None:
    assert codec.encode(value) == data
    assert codec.decode(data) == value


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (b.TOGGLE_COHORT, "bc:t:0"),
        (b.TOGGLE_COHORT, "bc:t:abc"),
        (b.TOGGLE_COHORT, "bc:t:١٢"),  # Arabic-Indic digits: the bot never builds them
        (b.TOGGLE_TOWN, "bc:w:-1"),
        (b.WHO, "bc:some"),
        (b.SEND_NOW, "bc:go:1234567890"),
        (b.CANCEL_RUNNING, "bc:x:"),
        (b.REPORT, "bc:csv:7:8"),
        (b.SHOW_AGAIN, "bc:show:7"),
    ],
)
def test_forged_or_stale_data_reads_as_nothing(codec: Codec[Any], data: str) -> None:
    assert codec.decode(data) is None


def test_the_codecs_of_one_prefix_never_read_each_others_data() -> None:
    codecs = [getattr(b, name) for name in dir(b) if isinstance(getattr(b, name), Codec)]
    pairs: list[tuple[Codec[Any], object]] = [(b.NEXT, EMPTY), (b.WHO, b.WhoPick("all"))]
    samples = [codec.encode(value) for codec, value in pairs]
    samples += [codec.encode(b.BroadcastRef(3)) for codec in (b.SEND_NOW, b.SEND_AT, b.DROP, b.CANCEL_RUNNING)]
    for data in samples:
        assert sum(codec.matches(data) for codec in codecs) == 1, data


def test_the_flow_leaves_running_broadcasts_buttons_to_their_handlers() -> None:
    """In every step a stale "bc" press is asked again, except Cancel and Report of a running broadcast and a late
    Send now, which their own handlers answer."""
    stale = FLOW.otherwise(TARGET)[0]
    assert isinstance(stale, Button)
    this = b.BroadcastRef(3)
    for codec in (b.CANCEL_RUNNING, b.REPORT, b.SEND_NOW):
        assert not stale.regex.match(codec.encode(this))
    for data in (b.SEND_AT.encode(this), b.DROP.encode(this), b.WHO.encode(b.WhoPick("all")), "bc:t:0"):
        assert stale.regex.match(data)


class Context:
    """What the kit's Draft reads: user_data (persisted as JSON)."""

    def __init__(self) -> None:
        self.user_data: dict[Any, Any] = {}
        self.chat_data: dict[Any, Any] = {}


def test_the_draft_survives_its_json_round_trip() -> None:
    context: Any = Context()
    draft = AnnouncementDraft(
        cohort_ids=(3, 5), towns=("الموصل",), offered_towns=("أربيل", "الموصل"), only_absent=True, broadcast_id=9
    )
    DRAFT.put(context, draft)
    assert isinstance(context.user_data["broadcast"]["cohort_ids"], list)  # plain JSON, as persistence stores it
    assert DRAFT.get(context) == draft
    assert DRAFT.get(context).target.towns == ("الموصل",)  # type: ignore[union-attr]
    DRAFT.put(context, AnnouncementDraft())
    assert DRAFT.get(context) == AnnouncementDraft()  # towns None: every town
    context.user_data["broadcast"] = {"cohort_ids": "not a list"}
    assert DRAFT.get(context) is None and "broadcast" not in context.user_data
