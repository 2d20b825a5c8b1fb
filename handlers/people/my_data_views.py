"""How /mydata reads: the stored values themselves, section by section, and the same as a JSON file when long."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from bot.i18n import N_, _, ngettext
from bot.services.people import AttendanceStatus, PersonalData, as_json
from bot.text import Safe, cmd, esc, fmt, local_date, local_datetime, ltr, name
from handlers.attendance.views import status_name
from handlers.campaigns.texts import METRIC_NAMES, REPEAT_NAMES, joined, kind_name, platform_name

JSON_NAME = "my-data.json"
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}
NONE = "—"
ANNOUNCEMENT_STATES = {"draft": N_("draft"), "sending": N_("sending"), "done": N_("sent"), "cancelled": N_("cancelled")}
When = Callable[[dt.datetime | None], Safe]  # a time in the reader's zone; a dash for none


def json_file(data: PersonalData) -> bytes:
    """Everything, for a machine or a careful reader: UTF-8, Arabic kept as it is, times in UTC with the zone."""
    return json.dumps(as_json(data), ensure_ascii=False, indent=2).encode("utf-8")


def my_data_lines(data: PersonalData, zone: str) -> list[str]:
    """The readable message, in the reader's language; times in `zone`."""

    def when(moment: dt.datetime | None) -> Safe:
        return Safe(NONE) if moment is None else local_datetime(moment, zone)

    lines = [_("<b>Everything we store about you</b>"), fmt(_("Telegram id: {id}"), id=ltr(data.telegram_id))]
    if data.name:
        lines.append(fmt(_("Name: {name}"), name=name(data.name)))
    if data.town:
        lines.append(fmt(_("Town: {town}"), town=name(data.town)))
    if data.language:
        lines.append(fmt(_("Language: {language}"), language=LANGUAGE_NAMES.get(data.language, data.language)))
    if data.consent_at:
        lines.append(fmt(_("Privacy consent given: {when}"), when=when(data.consent_at)))
    if data.first_contact:
        lines.append(fmt(_("First contact: {when}"), when=when(data.first_contact)))
    if data.coordinator_since:
        lines.append(fmt(_("Coordinator since {when}."), when=when(data.coordinator_since)))
    if data.memberships:
        count = len(data.memberships)
        lines.append(
            ngettext("You are in {count} cohort:", "You are in {count} cohorts:", count).format(count=ltr(count))
        )
        for membership in data.memberships:
            role = _("trainer") if membership.role == "trainer" else _("trainee")
            date = local_date(membership.joined_at.date())
            lines.append(
                fmt(_("• {cohort} ({role}), joined {date}"), cohort=name(membership.cohort), role=role, date=date)
            )
    lines += _lessons(data, when)
    lines += _attendance(data, when)
    lines += _campaigns(data, when)
    lines += _announcements(data, when)
    if data.deliveries:
        sent = sum(1 for d in data.deliveries if d.state == "sent")
        lines.append(
            fmt(
                _("Messages the bot recorded for you: {count} ({sent} sent)."),
                count=len(data.deliveries),
                sent=sent,
            )
        )
    lines.append(fmt(_("To delete all of it, send {command}."), command=cmd("/forgetme")))
    return lines


def _heading(title: str) -> str:
    return "\n<b>" + esc(title) + "</b>"


def _lessons(data: PersonalData, when: When) -> list[str]:
    lines: list[str] = []
    if data.lessons:
        lines.append(_heading(_("Lessons")))
    for lesson in data.lessons:
        lines.append(
            fmt(
                _("• {cohort}, lesson {number} ({lesson}): received {received}, opened {opened}, done {done}"),
                cohort=name(lesson.cohort),
                number=lesson.number,
                lesson=ltr(lesson.lesson),
                received=when(lesson.received_at),
                opened=when(lesson.opened_at),
                done=when(lesson.done_at),
            )
        )
    if data.quiz_answers:
        lines.append(_heading(_("Quiz answers")))
    for answer in data.quiz_answers:
        if answer.answer is None:
            template = _("• {lesson}, question {question}: sent {sent}, not answered")
            lines.append(fmt(template, lesson=ltr(answer.lesson), question=answer.question, sent=when(answer.sent_at)))
            continue
        lines.append(
            fmt(
                _("• {lesson}, question {question}: you chose {answer} ({result}) on {when}"),
                lesson=ltr(answer.lesson),
                question=answer.question,
                answer=ltr(", ".join(str(option) for option in answer.answer)),
                result=_("right") if answer.correct else _("wrong"),
                when=when(answer.answered_at),
            )
        )
    return lines


def _attendance(data: PersonalData, when: When) -> list[str]:
    lines: list[str] = []
    if data.attendance:
        lines.append(_heading(_("Attendance")))
    for record in data.attendance:
        how = _("check-in") if record.source == "checkin" else _("roll")
        lines.append(
            fmt(
                _("• {session} ({cohort}), {when}: {status} ({how})"),
                session=name(record.session),
                cohort=name(record.cohort),
                when=when(record.starts_at),
                status=status_name(AttendanceStatus(record.status)),
                how=how,
            )
        )
    for change in data.roll_changes:
        before = status_name(AttendanceStatus(change.before or AttendanceStatus.ABSENT))
        text = fmt(
            _("• A trainer changed {session} on {when}: {before} → {after}"),
            session=name(change.session),
            when=when(change.changed_at),
            before=before,
            after=status_name(AttendanceStatus(change.after)),
        )
        if change.note:
            text = fmt(_("{change}; the note: «{note}»"), change=text, note=change.note)
        lines.append(text)
    if data.wrong_checkin_codes:
        times = joined(when(moment) for moment in data.wrong_checkin_codes)
        template = _("Wrong check-in codes kept for the limit (deleted after a while): {count}, at {times}")
        lines.append(fmt(template, count=len(data.wrong_checkin_codes), times=times))
    return lines


def _campaigns(data: PersonalData, when: When) -> list[str]:
    if not (data.plans or data.team_places or data.marks or data.comments_written):
        return []
    lines = [_heading(_("Campaign plans"))]
    for plan in data.plans:
        metric = plan.target_unit if plan.target_metric == "other" else _(METRIC_NAMES.get(plan.target_metric, ""))
        lines += [
            fmt(_("• Your plan {label} ({cohort})"), label=name(plan.label), cohort=name(plan.cohort)),
            fmt(_("  The problem: {text}"), text=name(plan.problem)),
            fmt(_("  The goal: {text}"), text=name(plan.goal)),
            fmt(_("  The target: {count} {metric}"), count=plan.target_count, metric=name(metric or "")),
            fmt(_("  The audience: {text}"), text=name(plan.audience)),
            fmt(_("  Platforms: {names}"), names=joined(platform_name(code) for code in plan.platforms)),
        ]
        if plan.hashtag:
            lines.append(fmt(_("  Hashtag: {hashtag}"), hashtag=ltr(plan.hashtag)))
        if plan.teammates:
            lines.append(fmt(_("  Teammates: {names}"), names=joined(plan.teammates)))
        for post in plan.posts:
            text = fmt(
                _("  Post {when} · {kind} · {platform} · {repeat}: «{idea}»"),
                when=when(post.starts_at),
                kind=kind_name(post.kind),
                platform=platform_name(post.platform),
                repeat=_(REPEAT_NAMES.get(post.repeat, post.repeat)),
                idea=post.idea,
            )
            lines.append(text + (" " + esc(_("(deleted)")) if post.deleted_at else ""))
        for comment in plan.comments:
            lines.append(
                fmt(_("  A trainer's comment ({when}): «{text}»"), when=when(comment.created_at), text=comment.text)
            )
    for place in data.team_places:
        lines.append(
            fmt(_("• Teammate in the plan {label} of {owner}"), label=name(place.plan), owner=name(place.owner))
        )
    for mark in data.marks:
        state = _("done") if mark.state == "done" else _("skipped")
        if mark.by_you:
            template = _("• {plan}, «{post}» of {when}: {state} by you")
        else:
            template = _("• {plan}, «{post}» of {when}: {state}")
        lines.append(fmt(template, plan=name(mark.plan), post=mark.post, when=when(mark.occurs_at), state=state))
        if mark.proof_kind == "link" and mark.proof:
            lines.append(fmt(_("  Proof: {link}"), link=ltr(mark.proof)))
        elif mark.proof:
            lines.append(fmt(_("  Proof: a screenshot (Telegram file id {id})"), id=ltr(mark.proof)))
    for comment in data.comments_written:
        lines.append(
            fmt(
                _("• Your comment on {plan} ({when}): «{text}»"),
                plan=name(comment.plan),
                when=when(comment.created_at),
                text=comment.text,
            )
        )
    return lines


def _announcements(data: PersonalData, when: When) -> list[str]:
    lines: list[str] = []
    if data.announcements:
        lines.append(_heading(_("Announcements you started")))
    for item in data.announcements:
        lines.append(
            fmt(
                _("• #{number} ({state}), {when}: «{text}»"),
                number=item.number,
                state=_(ANNOUNCEMENT_STATES.get(item.state, item.state)),
                when=when(item.created_at),
                text=item.text or item.content,
            )
        )
    return lines
