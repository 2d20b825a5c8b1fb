"""Domain refusals as translated sentences: the one place every feature's refusals are read side by side.

Outside handlers.core on purpose (core imports no feature): the general, people's, lessons' and broadcasts'
problems are here; attendance's and the campaign planner's live with their feature and are asked for below."""

from __future__ import annotations

from bot.i18n import _
from bot.services.errors import DomainError, Problem
from bot.text import cmd, fmt, name
from handlers.attendance.problems import attendance_problem_text
from handlers.campaigns.texts import campaign_problem_text


def problem_text(error: DomainError) -> str:
    # One case per Problem in one place (long on purpose): every refusal is read and translated side by side.
    detail = error.details
    match error.problem:
        case Problem.INVITE_NOT_FOUND:
            return _("This invite link is not valid. Please ask your trainer or coordinator for a new one.")
        case Problem.INVITE_EXPIRED:
            return _("This invite link has expired. Please ask your trainer or coordinator for a new one.")
        case Problem.INVITE_REVOKED:
            return _("This invite link was withdrawn. Please ask your trainer or coordinator for a new one.")
        case Problem.INVITE_USED_UP:
            return _("This invite link has been used as many times as allowed. Please ask for a new one.")
        case Problem.COHORT_ENDED:
            return fmt(
                _("The cohort {cohort} has ended; it takes no new members."), cohort=name(detail.get("name", ""))
            )
        case Problem.COHORT_EXISTS:
            return fmt(
                _("A cohort named {cohort} already exists. Choose another name."), cohort=name(detail.get("name", ""))
            )
        case Problem.COHORT_NOT_FOUND:
            return fmt(_("There is no cohort named {cohort}."), cohort=name(detail.get("name", "")))
        case Problem.CURRICULUM_NOT_FOUND:
            return fmt(
                _("That curriculum is no longer available. Send {command} to see the curricula."),
                command=cmd("/curricula"),
            )
        case Problem.ALREADY_MEMBER:
            return fmt(_("You are already registered in {cohort}."), cohort=name(detail.get("cohort", "")))
        case Problem.PERSON_NOT_FOUND:
            return _("Please register first: open the invite link again.")
        case Problem.NOT_ALLOWED:
            return _("Sorry, you are not allowed to do that.")
        case Problem.LAST_COORDINATOR:
            return _("At least one coordinator must remain; grant the role to someone else first.")
        case Problem.ROLE_UNCHANGED:
            return _("Nothing changed.")
        case Problem.NO_CURRICULUM:
            return fmt(_("The cohort {cohort} has no lessons yet."), cohort=name(detail.get("cohort", "")))
        case Problem.NO_RECIPIENTS:
            return _("Nobody would receive this: the chosen cohorts have no registered trainees (with those filters).")
        case Problem.TEXT_TOO_LONG:
            return fmt(
                _("That is too long: {length} characters, the limit is {limit}. Please shorten it."),
                length=int(str(detail.get("length", 0))),
                limit=int(str(detail.get("limit", 0))),
            )
        case Problem.TIME_IN_PAST:
            return _("That time has already passed. Please give a time in the future.")
        case Problem.TIME_TOO_FAR:
            return _("That is more than a year ahead. Please choose a nearer date.")
        case Problem.NAME_INVALID:
            return _("Please type a name of 2 to 64 characters.")
        case Problem.START_DATE_RANGE:
            return _("That start date is too far from today. Please choose a nearer one.")
        case Problem.INVITE_LIMITS:
            return fmt(
                _("An invite can be used 1 to {uses} times and stay valid 1 to {days} days."),
                uses=int(str(detail.get("uses", 0))),
                days=int(str(detail.get("days", 0))),
            )
        case Problem.LESSON_NOT_AVAILABLE:
            return _("This lesson is not available yet. Send {command} to see your lessons.").format(
                command=cmd("/lessons")
            )
    if (campaign := campaign_problem_text(error)) is not None:
        return campaign
    if (attendance := attendance_problem_text(error)) is not None:
        return attendance
    return _("Sorry, that did not work.")
