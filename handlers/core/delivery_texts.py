"""The delivery engine's states and the skip and failure reasons it records, as readers see them.

Shared by every feature that reports on its deliveries (/lessonstats, a broadcast's status and CSV report)."""

from __future__ import annotations

from bot.delivery.engine import DeliveryState
from bot.i18n import _
from bot.text import fmt, ltr


def state_name(state: DeliveryState) -> str:
    return {
        DeliveryState.SENT: _("sent"),
        DeliveryState.FAILED: _("failed"),
        DeliveryState.BLOCKED: _("blocked"),
        DeliveryState.SKIPPED: _("skipped"),
        DeliveryState.PENDING: _("waiting"),
        DeliveryState.SENDING: _("sending"),
    }[state]


def reason_text(reason: str) -> str:
    """The engine records reasons in English for the logs; readers get them in their language."""
    known = {
        "blocked the bot": _("blocked the bot"),
        "no longer a member": _("no longer a member"),
        "cohort ended": _("the cohort ended"),
        "cohort has no curriculum": _("the cohort has no curriculum"),
        "lesson removed from the curriculum": _("the lesson was removed from the curriculum"),
        "question removed from the lesson": _("the question was removed from the lesson"),
        "lesson opened meanwhile": _("the lesson was opened meanwhile"),
        "lesson already done": _("the lesson was already done"),
        "question already sent": _("the question was already sent"),
        "sent directly in a chat reply": _("sent in reply to the trainee instead"),
        "person deleted their data": _("the person deleted their data"),
    }
    if reason in known:
        return known[reason]
    if reason.startswith("missed"):
        return _("missed: the bot could not send it in time")
    if reason.startswith("400: "):
        return fmt(_("refused by Telegram: {detail}"), detail=ltr(reason[5:]))
    if reason.startswith(("network", "429")):
        return _("network trouble")
    return _("an error on our side")
