"""How attendance looks in chat: statuses, session lines, the check-in message (code, QR, buttons), results."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot.i18n import N_, _, ngettext
from bot.qr import qr_png
from bot.services.attendance import AttendanceStatus, CheckinResult, CheckinView, SessionDTO, checkin_link
from bot.text import Safe, cmd, fmt, local_date, local_time, ltr, name, rtl_safe
from handlers.attendance.buttons import CHECKIN_ACTION, ROTATION, CheckinPress, RotationPress
from handlers.core.ui import buttons, with_retries

log = logging.getLogger(__name__)

ICONS = {
    AttendanceStatus.PRESENT: "✅",
    AttendanceStatus.LATE: "⏰",
    AttendanceStatus.EXCUSED: "📝",
    AttendanceStatus.ABSENT: "❌",
}
STATUS_NAMES = {
    AttendanceStatus.PRESENT: N_("present"),
    AttendanceStatus.LATE: N_("late"),
    AttendanceStatus.EXCUSED: N_("excused"),
    AttendanceStatus.ABSENT: N_("absent"),
}
LETTERS = {"p": AttendanceStatus.PRESENT, "l": AttendanceStatus.LATE, "e": AttendanceStatus.EXCUSED}
LETTERS["a"] = AttendanceStatus.ABSENT


def status_name(status: AttendanceStatus) -> str:
    return _(STATUS_NAMES[status])


def letter_of(status: AttendanceStatus) -> str:
    return next(letter for letter, value in LETTERS.items() if value is status)


def local(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(ZoneInfo(zone))


def when_text(session: SessionDTO, zone: str) -> Safe:
    """ "3 December 2026, 18:00" in the cohort's zone."""
    start = local(session.starts_at, zone)
    return fmt(_("{date}, {time}"), date=local_date(start.date()), time=local_time(start.time()))


def session_text(session: SessionDTO, zone: str) -> Safe:
    """ "Day 1 — 3 December 2026, 18:00 · Hall" (bold title)."""
    text = fmt("<b>{title}</b> — {when}", title=name(session.title), when=when_text(session, zone))
    if session.place:
        text = Safe(text + fmt(" · {place}", place=name(session.place)))
    return text


def status_counts(counts: dict[AttendanceStatus, int]) -> str:
    return " · ".join(
        fmt("{icon} {status} {count}", icon=ICONS[s], status=status_name(s), count=counts.get(s, 0)) for s in ICONS
    )


# --------------------------------------------------------------------------------------- the check-in message


def checkin_caption(view: CheckinView) -> str:
    checkin, session, cohort = view.checkin, view.session, view.cohort
    zone = cohort.timezone
    lines = [
        fmt(_("📍 <b>Check-in</b> · {cohort}"), cohort=name(cohort.name)),
        session_text(session, zone),
        "",
        fmt(_("Code: <b>{code}</b>"), code=ltr(checkin.code)),
        fmt(
            _("Open until {time}. Check-ins after {late} count as late."),
            time=local_time(local(checkin.closes_at, zone).time()),
            late=local_time(local(view.late_from, zone).time()),
        ),
    ]
    if checkin.rotate_minutes is not None:
        lines.append(
            fmt(
                ngettext(
                    "🔁 The code changes every {count} minute.",
                    "🔁 The code changes every {count} minutes.",
                    checkin.rotate_minutes,
                ),
                count=checkin.rotate_minutes,
            )
        )
    lines += [
        fmt(_("Checked in: {count} of {total}"), count=view.checked_in, total=view.trainees),
        "",
        fmt(
            _("Trainees send the code to the bot (or {command} code), or scan the QR code with their phone's camera."),
            command=cmd("/checkin"),
        ),
    ]
    return "\n".join(lines)


def checkin_markup(view: CheckinView) -> InlineKeyboardMarkup:
    checkin = view.checkin
    rotate = (
        (_("🔒 Keep this code"), ROTATION.encode(RotationPress(checkin.id, on=False)))
        if checkin.rotate_minutes is not None
        else (_("🔁 Change the code every few minutes"), ROTATION.encode(RotationPress(checkin.id, on=True)))
    )
    return buttons(
        [
            [rotate],
            [
                (_("🔄 Count"), CHECKIN_ACTION.encode(CheckinPress("cnt", checkin.id))),
                (_("⏹ Close check-in"), CHECKIN_ACTION.encode(CheckinPress("end", checkin.id))),
            ],
        ]
    )


def closed_caption(view: CheckinView) -> str:
    lines = [
        fmt(_("⏹ <b>Check-in closed</b> · {cohort}"), cohort=name(view.cohort.name)),
        session_text(view.session, view.cohort.timezone),
        fmt(
            _("Checked in: {count} of {total} · late: {late}."),
            count=view.checked_in,
            total=view.trainees,
            late=view.late,
        ),
        fmt(_("Correct the roll with {command}."), command=cmd("/roll")),
    ]
    return "\n".join(lines)


async def send_checkin(bot: Bot, chat_id: int, view: CheckinView) -> Message:
    """The code and the QR of the deep link, as one photo with its buttons."""
    link = checkin_link(bot.username, view.checkin.token)
    picture = qr_png(link)
    caption = rtl_safe(checkin_caption(view))
    return await with_retries(
        lambda: bot.send_photo(
            chat_id,
            picture,
            caption=caption,
            parse_mode=ParseMode.HTML,
            reply_markup=checkin_markup(view),
            filename="checkin.png",
        )
    )


async def edit_checkin(bot: Bot, view: CheckinView, *, closed: bool = False) -> None:
    """Update the shown check-in message (its count, or that it closed); an old or deleted one stays as it is."""
    checkin = view.checkin
    if checkin.chat_id is None or checkin.message_id is None:
        return
    caption = rtl_safe(closed_caption(view) if closed else checkin_caption(view))
    markup = None if closed else checkin_markup(view)
    try:
        await with_retries(
            lambda: bot.edit_message_caption(
                chat_id=checkin.chat_id,
                message_id=checkin.message_id,
                caption=caption,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        )
    except BadRequest as exc:
        if "not modified" not in exc.message:
            log.info("check-in message not edited: %s", exc.message)


async def delete_quietly(bot: Bot, chat_id: int | None, message_id: int | None) -> None:
    if chat_id is None or message_id is None:
        return
    try:
        await bot.delete_message(chat_id, message_id)
    except (BadRequest, Forbidden) as exc:
        log.info("old check-in message not deleted: %s", exc.__class__.__name__)


# ------------------------------------------------------------------------------------------- for the trainee


def result_text(result: CheckinResult) -> str:
    session, cohort = result.session, result.cohort
    values = {"session": name(session.title), "cohort": name(cohort.name)}
    if result.already and result.status is AttendanceStatus.LATE:
        return fmt(
            _("⏰ You are already present at {session} ({cohort}), counted as late: no need to check in again."),
            **values,
        )
    if result.already:
        return fmt(_("✅ You are already present at {session} ({cohort}): no need to check in again."), **values)
    if result.status is AttendanceStatus.LATE:
        return fmt(_("⏰ Checked in to {session} ({cohort}), but late. Thank you for coming!"), **values)
    return fmt(_("✅ Checked in to {session} ({cohort}). Welcome!"), **values)


def ask_code_text(digits: int) -> str:
    return fmt(
        _("Type the {digits}-digit code your trainer shows, or scan the QR code with your phone's camera."),
        digits=digits,
    )
