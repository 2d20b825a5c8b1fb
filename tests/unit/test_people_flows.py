"""The people feature's typed drafts and button codecs, without Telegram or a database."""

from __future__ import annotations

import datetime as dt
from typing import Any

from handlers.core.buttons import EMPTY
from handlers.people.invites import REVOKE_PRESSED, InvitePress
from handlers.people.my_data import FORGET_ANSWERED, ForgetPress
from handlers.people.new_cohort import CURRICULUM_CHOSEN, DRAFT, CohortDraft, CurriculumPress
from handlers.people.registration import CONSENT_GIVEN, LANGUAGE_CHOSEN, TOWN_CHOSEN, LanguagePress, TownPress
from handlers.people.registration import DRAFT as REGISTRATION


class FakeContext:
    def __init__(self) -> None:
        self.user_data: dict[Any, Any] = {}
        self.chat_data: dict[Any, Any] = {}


def test_a_new_cohort_draft_persisted_before_the_kit_still_reads() -> None:
    context: Any = FakeContext()
    context.user_data["new_cohort"] = {"name": "Hit", "start": "2026-12-01", "time": "18:30"}  # ISO strings
    assert DRAFT.get(context) == CohortDraft("Hit", dt.date(2026, 12, 1), dt.time(18, 30))


def test_the_registration_draft_lives_in_chat_data_only() -> None:
    context: Any = FakeContext()
    REGISTRATION.put(context, REGISTRATION.shape(token="abc", locale="ar"))
    assert context.user_data == {} and context.chat_data["registration"]["token"] == "abc"


def test_button_data_is_what_it_was() -> None:
    assert LANGUAGE_CHOSEN.encode(LanguagePress("ar")) == "reg:lang:ar"
    assert TOWN_CHOSEN.encode(TownPress(4)) == "reg:town:4"
    assert TOWN_CHOSEN.encode(TownPress(None)) == "reg:town:other"
    assert CONSENT_GIVEN.encode(EMPTY) == "reg:consent"
    assert CURRICULUM_CHOSEN.encode(CurriculumPress(12)) == "nc:cur:12"
    assert CURRICULUM_CHOSEN.encode(CurriculumPress(None)) == "nc:cur:none"
    assert REVOKE_PRESSED.encode(InvitePress(7)) == "inv:revoke:7"
    assert FORGET_ANSWERED.encode(ForgetPress("yes")) == "forget:yes"


def test_forged_data_decodes_as_today() -> None:
    assert LANGUAGE_CHOSEN.decode("reg:lang:xx") == LanguagePress("xx")  # routed, then asked again
    assert TOWN_CHOSEN.decode("reg:town:9") == TownPress(9)  # routed, then asked again
    assert CURRICULUM_CHOSEN.decode("nc:cur:0") == CurriculumPress(0)  # "no longer available"
    assert REVOKE_PRESSED.decode("inv:revoke:0") == InvitePress(0)  # "no longer active"
    assert REVOKE_PRESSED.decode("inv:revoke:" + "9" * 20) is None  # the fallback: "no longer active"
    assert FORGET_ANSWERED.decode("forget:maybe") is None
