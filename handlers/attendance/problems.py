"""Attendance refusals as translated sentences (handlers.problems asks here for attendance's problems)."""

from __future__ import annotations

from bot.i18n import _, ngettext
from bot.services.errors import DomainError, Problem
from bot.text import fmt, ltr, name


def number(value: object) -> int:
    return int(str(value)) if str(value).lstrip("-").isdigit() else 0


def attendance_problem_text(error: DomainError) -> str | None:
    # Long: one short case per attendance problem; a flat match reads better than splitting it up.
    detail = error.details
    match error.problem:
        case Problem.SESSION_NOT_FOUND:
            return _("That session no longer exists.")
        case Problem.CHECKIN_NOT_NEAR:
            return fmt(
                _("Check-in opens only within 12 hours of a session's start, and {title} is not that close."),
                title=name(str(detail.get("title", ""))),
            )
        case Problem.COHORT_OVER:
            return fmt(
                _("The cohort {cohort} has ended: its sessions, check-ins and roll can no longer change."),
                cohort=name(str(detail.get("name", ""))),
            )
        case Problem.NOT_TRAINEE_OF_COHORT:
            return fmt(
                _("That person is no longer a trainee of {cohort}. Open the roll again."),
                cohort=name(str(detail.get("cohort", ""))),
            )
        case Problem.SESSION_EXISTS:
            return fmt(_("The session {title} already exists at that time."), title=name(str(detail.get("title", ""))))
        case Problem.SESSION_INVALID:
            limit = number(detail.get("limit", 0))
            if detail.get("field") == "date":
                return fmt(_("That is not a date I can use. Type it as {example}."), example=ltr("2026-12-03"))
            if detail.get("field") == "place":
                return fmt(_("Please give a place of 1 to {limit} characters."), limit=limit)
            return fmt(_("Please give a title of 1 to {limit} characters."), limit=limit)
        case Problem.CHECKIN_CLOSED:
            return _("This check-in is closed, or its code has changed. Ask your trainer for the current code.")
        case Problem.CHECKIN_WRONG_CODE:
            left = number(detail.get("left", 0))
            if left <= 0:
                return _("That code is not valid. Please wait a few minutes before trying again.")
            return fmt(
                _("That code is not valid now. Check the code your trainer shows; tries left: {count}."), count=left
            )
        case Problem.CHECKIN_TOO_MANY_TRIES:
            minutes = number(detail.get("minutes", 1))
            return fmt(
                ngettext(
                    "Too many wrong codes. Please try again in {count} minute.",
                    "Too many wrong codes. Please try again in {count} minutes.",
                    minutes,
                ),
                count=minutes,
            )
        case Problem.CHECKIN_FULL:
            return _(
                "This check-in is full: as many people checked in as the cohort has trainees. Please tell your trainer."
            )
        case Problem.CHECKIN_CODE_EXPIRED:
            return _("That code has expired: a new one is on its way to your trainer. Ask them for the new code.")
        case Problem.CHECKIN_ENDED:
            return fmt(
                _(
                    "The check-in of {session} is closed, so that code no longer works. If you are there, ask your "
                    "trainer to mark you on the roll."
                ),
                session=name(str(detail.get("session", ""))),
            )
        case Problem.CHECKIN_NOT_MEMBER:
            return fmt(
                _("This check-in is for the cohort {cohort}, and you are not one of its trainees."),
                cohort=name(str(detail.get("cohort", ""))),
            )
    return None
