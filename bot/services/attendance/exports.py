"""Attendance exports for coordinators: XLSX (right-to-left for Arabic readers, bold frozen header, autofilter,
local naive times, one row per trainee and one column per session, totals) and CSV (UTF-8 with a BOM, so Excel
opens Arabic). Labels are in the reader's language; every cell goes through `bot.spreadsheet_cells`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.i18n import N_, gettext_for
from bot.services.attendance.reports import Grid, SessionDetail, Summary, TraineeRow
from bot.spreadsheet_cells import csv_bytes
from storage.attendance.dto import AttendanceStatus, SessionDTO
from storage.dto import CohortDTO

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
STATUS_LABELS = {
    AttendanceStatus.PRESENT: N_("present"),
    AttendanceStatus.LATE: N_("late"),
    AttendanceStatus.EXCUSED: N_("excused"),
    AttendanceStatus.ABSENT: N_("absent"),
}
NOT_EXPECTED = "—"  # joined after the session
CellValue = str | float | dt.datetime | None


def export_name(cohort: CohortDTO, extension: str, day: dt.date, what: str = "attendance") -> str:
    """An ASCII file name (any Telegram client and mail filter takes it): attendance-hit-a-2026-12-03.xlsx."""
    slug = re.sub(r"[^a-z0-9]+", "-", cohort.name.casefold()).strip("-")[:40] or f"cohort-{cohort.id}"
    return f"{what}-{slug}-{day.isoformat()}.{extension}"


def local_naive(moment: dt.datetime, zone: str) -> dt.datetime:
    """openpyxl refuses aware datetimes: the cohort's local time, without the zone."""
    return moment.astimezone(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)


def session_label(session: SessionDTO, zone: str) -> str:
    return f"{local_naive(session.starts_at, zone):%Y-%m-%d %H:%M}\n{session.title}"


class Labels:
    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, message: str) -> str:
        return gettext_for(self.locale, message)

    def status(self, status: AttendanceStatus | None) -> str:
        return NOT_EXPECTED if status is None else self(STATUS_LABELS[status])

    def grid_header(self, grid: Grid, *, one_line: bool = False) -> list[str]:
        zone = grid.summary.cohort.timezone
        sessions = [session_label(s, zone) for s in grid.sessions]
        return [
            "#",
            self(N_("Name")),
            self(N_("Town")),
            *([label.replace("\n", " · ") for label in sessions] if one_line else sessions),
            self(N_("Present")),
            self(N_("Late")),
            self(N_("Excused")),
            self(N_("Absent")),
            self(N_("Attendance %")),
        ]


def row_counts(row: TraineeRow) -> list[int]:
    return [row.counts[status] for status in STATUS_LABELS]


def fraction(value: int | None) -> float | None:
    return None if value is None else value / 100


def attendance_csv(grid: Grid, locale: str) -> bytes:
    label = Labels(locale)
    rows: list[Sequence[object]] = [label.grid_header(grid, one_line=True)]
    for number, row in enumerate(grid.rows, 1):
        percent = "" if row.percent is None else f"{row.percent}%"
        cells = [label.status(cell) for cell in row.cells]
        rows.append([number, row.trainee.name, row.trainee.town or "", *cells, *row_counts(row), percent])
    stats = grid.summary.held
    rows.append(["", label(N_("Attended")), "", *(s.attended for s in stats), *totals(grid.rows), ""])
    rows.append(["", label(N_("Attendance %")), "", *(("" if s.percent is None else f"{s.percent}%") for s in stats)])
    return csv_bytes(rows)


def absentees_csv(summary: Summary, locale: str) -> bytes:
    """The trainees absent twice or more (UTF-8 with a BOM): number, name, town, absences, sessions expected."""
    label = Labels(locale)
    rows: list[list[object]] = [["#", label(N_("Name")), label(N_("Town")), label(N_("Absent")), label(N_("Expected"))]]
    for number, absentee in enumerate(summary.flagged, 1):
        trainee = absentee.trainee
        rows.append([number, trainee.name, trainee.town or "", absentee.absences, absentee.expected])
    return csv_bytes(rows)


def session_csv(detail: SessionDetail, locale: str) -> bytes:
    """One session's expected trainees with their state and the roll's note (UTF-8 with a BOM)."""
    label = Labels(locale)
    rows: list[list[object]] = [["#", label(N_("Name")), label(N_("Town")), label(N_("Status")), label(N_("Note"))]]
    for number, entry in enumerate(detail.entries, 1):
        status = label.status(entry.status) if entry.status is not None else label(N_("not marked yet"))
        rows.append([number, entry.trainee.name, entry.trainee.town or "", status, entry.note or ""])
    return csv_bytes(rows)


def totals(rows: Sequence[TraineeRow]) -> list[int]:
    return [sum(row.counts[status] for row in rows) for status in STATUS_LABELS]


def attendance_xlsx(grid: Grid, locale: str) -> bytes:
    """The XLSX. openpyxl is imported on first use: some 25 MB the bot need not hold until someone exports."""
    from bot.services.attendance.exports_xlsx import write_attendance_xlsx

    return write_attendance_xlsx(grid, locale)
