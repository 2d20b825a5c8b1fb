"""How a broadcast's status, report and CSV look (in the sender's language)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup

from bot.i18n import _, ngettext
from bot.services.broadcasts import BroadcastState, DeliveryState, Progress, ReportRow
from bot.spreadsheet_cells import csv_bytes
from bot.text import fmt, local_datetime, ltr, progress_bar
from handlers.broadcasts.buttons import CANCEL_RUNNING, REPORT, BroadcastRef
from handlers.core.delivery_texts import reason_text, state_name
from handlers.core.ui import buttons

FINAL_ORDER = (DeliveryState.SENT, DeliveryState.BLOCKED, DeliveryState.FAILED, DeliveryState.SKIPPED)


def people(count: int) -> str:
    return fmt(ngettext("{count} person", "{count} people", count), count=count)


def eta_text(progress: Progress, now: dt.datetime) -> str:
    started = progress.broadcast.send_at or progress.broadcast.confirmed_at
    done, left = progress.finished, progress.total - progress.finished
    if started is None or done == 0 or left == 0 or now <= started:
        return ""
    rate = done / (now - started).total_seconds()
    seconds = max(1, round(left / rate)) if rate > 0 else 0
    if seconds >= 120:
        return fmt(ngettext("about {n} minute left", "about {n} minutes left", seconds // 60), n=seconds // 60)
    return fmt(ngettext("about {n} second left", "about {n} seconds left", seconds), n=seconds)


def status_text(progress: Progress, zone: str, now: dt.datetime) -> str:
    """While it runs (or waits for its time): a bar, the share done and an estimate of the time left."""
    broadcast = progress.broadcast
    head = fmt(_("📣 Announcement #{number} → {people}"), number=broadcast.id, people=people(broadcast.recipients))
    if broadcast.send_at is not None and broadcast.send_at > now:
        return head + "\n" + fmt(_("⏰ It goes out on {when}."), when=local_datetime(broadcast.send_at, zone))
    total = progress.total or broadcast.recipients
    share = round(100 * progress.finished / total) if total else 0
    line = f"{progress_bar(progress.finished, total)} {ltr(f'{share}%')} · {ltr(f'{progress.finished}/{total}')}"
    eta = eta_text(progress, now)
    return head + "\n" + line + (f" · {eta}" if eta else "")


def final_text(progress: Progress, reasons: dict[tuple[DeliveryState, str], int]) -> str:
    broadcast = progress.broadcast
    if broadcast.state == BroadcastState.CANCELLED:
        head = fmt(
            _("⛔ Announcement #{number} was cancelled: {sent} of {total} had received it."),
            number=broadcast.id,
            sent=progress.states[DeliveryState.SENT],
            total=progress.total,
        )
    else:
        head = fmt(_("✅ Announcement #{number} is done."), number=broadcast.id)
    counts = " · ".join(f"{state_name(state)} {progress.states[state]}" for state in FINAL_ORDER)
    lines = [head, counts]
    for (state, reason), count in sorted(reasons.items(), key=lambda item: -item[1]):
        lines.append(
            fmt("   {state}: {reason} ({count})", state=state_name(state), reason=reason_text(reason), count=count)
        )
    start, end = broadcast.send_at or broadcast.confirmed_at, broadcast.finished_at
    if start is not None and end is not None and end >= start:
        seconds = max(1, round((end - start).total_seconds()))
        lines.append(fmt(ngettext("It took {n} second.", "It took {n} seconds.", seconds), n=seconds))
    return "\n".join(lines)


def running_markup(broadcast_id: int) -> InlineKeyboardMarkup:
    return buttons([[("⛔ " + _("Cancel"), CANCEL_RUNNING.encode(BroadcastRef(broadcast_id)))]])


def report_markup(broadcast_id: int) -> InlineKeyboardMarkup:
    return buttons([[("📄 " + _("Report (CSV)"), REPORT.encode(BroadcastRef(broadcast_id)))]])


def report_csv(rows: list[ReportRow], zone: str) -> bytes:
    """One row per recipient; UTF-8 with a BOM so Excel shows Arabic names; local times; no cell is a formula."""
    table: list[list[object]] = [[_("Name"), _("Town"), _("State"), _("Reason"), _("Sent at")]]
    local = ZoneInfo(zone)
    for row in rows:
        sent = row.sent_at.astimezone(local).strftime("%Y-%m-%d %H:%M:%S") if row.sent_at else ""
        table.append(
            [
                row.name or _("(deleted their data)"),
                row.town or "",
                state_name(row.state),
                reason_text(row.reason) if row.reason and row.state is not DeliveryState.SENT else "",
                sent,
            ]
        )
    return csv_bytes(table)
