"""Attendance exports for coordinators: XLSX (right-to-left for Arabic readers, bold frozen header, autofilter,
local naive times, one row per trainee and one column per session, totals) and CSV (UTF-8 with a BOM, so Excel
opens Arabic). Labels are in the reader's language."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import N_, gettext_for, is_rtl
from bot.services.attendance_reports import Grid, SessionDetail, Summary, TraineeRow
from storage.dto import CohortDTO
from storage.dto_attendance import AttendanceStatus, SessionDTO, Source

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
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


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


def safe_csv(value: object) -> object:
    """A typed name or town must not become a spreadsheet formula."""
    return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_START) else value


def attendance_csv(grid: Grid, locale: str) -> bytes:
    label = Labels(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(label.grid_header(grid, one_line=True))
    for number, row in enumerate(grid.rows, 1):
        percent = "" if row.percent is None else f"{row.percent}%"
        cells = [label.status(cell) for cell in row.cells]
        writer.writerow([safe_csv(v) for v in [number, row.trainee.name, row.trainee.town or "", *cells]] + [
            *row_counts(row),
            percent,
        ])  # fmt: skip
    stats = grid.summary.held
    writer.writerow(["", label(N_("Attended")), "", *(s.attended for s in stats), *totals(grid.rows), ""])
    writer.writerow(
        ["", label(N_("Attendance %")), "", *(("" if s.percent is None else f"{s.percent}%") for s in stats)]
    )
    return buffer.getvalue().encode("utf-8-sig")


def absentees_csv(summary: Summary, locale: str) -> bytes:
    """The trainees absent twice or more (UTF-8 with a BOM): number, name, town, absences, sessions expected."""
    label = Labels(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["#", label(N_("Name")), label(N_("Town")), label(N_("Absent")), label(N_("Expected"))])
    for number, absentee in enumerate(summary.flagged, 1):
        trainee = absentee.trainee
        row = [number, trainee.name, trainee.town or "", absentee.absences, absentee.expected]
        writer.writerow([safe_csv(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def session_csv(detail: SessionDetail, locale: str) -> bytes:
    """One session's expected trainees with their state and the roll's note (UTF-8 with a BOM)."""
    label = Labels(locale)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["#", label(N_("Name")), label(N_("Town")), label(N_("Status")), label(N_("Note"))])
    for number, entry in enumerate(detail.entries, 1):
        row = [number, entry.trainee.name, entry.trainee.town or "", label.status(entry.status), entry.note or ""]
        writer.writerow([safe_csv(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def totals(rows: Sequence[TraineeRow]) -> list[int]:
    return [sum(row.counts[status] for row in rows) for status in STATUS_LABELS]


def attendance_xlsx(grid: Grid, locale: str) -> bytes:
    """Streamed (openpyxl's write-only mode): 2,000 trainees × 30 sessions in about a second."""
    label = Labels(locale)
    book = Workbook(write_only=True)
    rtl = is_rtl(locale)
    _grid_sheet(_sheet(book, label(N_("Attendance"))), grid, label, rtl)
    _sessions_sheet(_sheet(book, label(N_("Sessions"))), grid, label, rtl)
    _changes_sheet(_sheet(book, label(N_("Changes"))), grid, label, rtl)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, title: str) -> WriteOnlyWorksheet:
    sheet = book.create_sheet(title[:31])
    assert isinstance(sheet, WriteOnlyWorksheet)
    return sheet


def _cell(sheet: WriteOnlyWorksheet, value: CellValue, *, bold: bool = False, number_format: str | None = None) -> Cell:
    cell = WriteOnlyCell(sheet, value)
    if bold:
        cell.font = BOLD
    if number_format:
        cell.number_format = number_format
    return cell


def _text(sheet: WriteOnlyWorksheet, value: str) -> object:
    """User text stays text, even when it starts like a formula."""
    if not value.startswith("="):
        return value
    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"
    return cell


def _begin(
    sheet: WriteOnlyWorksheet, titles: list[str], widths: list[float], rtl: bool, rows: int, freeze: str
) -> None:
    """Column widths, direction, frozen panes and the filter, then the bold header (write-only: in this order)."""
    sheet.sheet_view.rightToLeft = rtl
    sheet.freeze_panes = freeze
    layout: Any = sheet  # column widths and the filter exist on write-only sheets too; the stubs omit them
    for index, width in enumerate(widths, 1):
        layout.column_dimensions[get_column_letter(index)].width = width
    layout.auto_filter.ref = f"A1:{get_column_letter(len(titles))}{rows + 1}"
    header = []
    for title in titles:
        cell = _cell(sheet, title, bold=True)
        cell.alignment = WRAP
        header.append(cell)
    sheet.append(header)


def _grid_sheet(sheet: WriteOnlyWorksheet, grid: Grid, label: Labels, rtl: bool) -> None:
    sessions = len(grid.sessions)
    widths = [6.0, 28.0, 14.0] + [18.0] * sessions + [11.0] * 5
    _begin(sheet, label.grid_header(grid), widths, rtl, len(grid.rows), "D2")
    for number, row in enumerate(grid.rows, 1):
        cells = [label.status(cell) for cell in row.cells]
        share = _cell(sheet, fraction(row.percent), number_format="0%")
        sheet.append([number, _text(sheet, row.trainee.name), _text(sheet, row.trainee.town or ""), *cells,
                      *row_counts(row), share])  # fmt: skip
    stats = grid.summary.held
    expected = sum(stat.expected for stat in stats)
    attended = sum(stat.attended for stat in stats)
    overall = attended / expected if expected else None
    sheet.append(
        [None, _cell(sheet, label(N_("Attended")), bold=True), None]
        + [_cell(sheet, stat.attended, bold=True) for stat in stats]
        + [_cell(sheet, total, bold=True) for total in totals(grid.rows)]
        + [_cell(sheet, overall, bold=True, number_format="0%")]
    )
    sheet.append(
        [None, _cell(sheet, label(N_("Attendance %")), bold=True), None]
        + [_cell(sheet, fraction(stat.percent), bold=True, number_format="0%") for stat in stats]
    )


def _sessions_sheet(sheet: WriteOnlyWorksheet, grid: Grid, label: Labels, rtl: bool) -> None:
    titles = [
        "#",
        label(N_("Date and time")),
        label(N_("Session")),
        label(N_("Place")),
        label(N_("Expected")),
        label(N_("Present")),
        label(N_("Late")),
        label(N_("Excused")),
        label(N_("Absent")),
        label(N_("Attendance %")),
    ]
    widths = [6.0, 18.0, 30.0, 20.0] + [11.0] * 6
    _begin(sheet, titles, widths, rtl, len(grid.summary.held), "A2")
    zone = grid.summary.cohort.timezone
    for number, stat in enumerate(grid.summary.held, 1):
        counts = stat.counts
        sheet.append(
            [
                number,
                _cell(sheet, local_naive(stat.session.starts_at, zone), number_format="yyyy-mm-dd hh:mm"),
                _text(sheet, stat.session.title),
                _text(sheet, stat.session.place or ""),
                stat.expected,
                counts[AttendanceStatus.PRESENT],
                counts[AttendanceStatus.LATE],
                counts[AttendanceStatus.EXCUSED],
                stat.absent,
                _cell(sheet, fraction(stat.percent), number_format="0%"),
            ]
        )


def _changes_sheet(sheet: WriteOnlyWorksheet, grid: Grid, label: Labels, rtl: bool) -> None:
    """The roll's changes: who changed whose status, when, from what to what, and why (check-ins are in the grid)."""
    titles = [
        label(N_("When")),
        label(N_("Session")),
        label(N_("Trainee")),
        label(N_("Before")),
        label(N_("After")),
        label(N_("By")),
        label(N_("How")),
        label(N_("Note")),
    ]
    _begin(sheet, titles, [18.0, 30.0, 26.0, 12.0, 12.0, 26.0, 12.0, 40.0], rtl, len(grid.changes), "A2")
    zone = grid.summary.cohort.timezone
    sessions = {s.id: s for s in grid.sessions}
    how = {Source.CHECKIN: label(N_("check-in")), Source.ROLL: label(N_("roll"))}
    for change in grid.changes:
        session = sessions.get(change.session_id)
        author = grid.names.get(change.changed_by, "?") if change.changed_by is not None else "?"
        sheet.append(
            [
                _cell(sheet, local_naive(change.changed_at, zone), number_format="yyyy-mm-dd hh:mm:ss"),
                _text(sheet, session_label(session, zone).replace("\n", " ") if session else ""),
                _text(sheet, grid.names.get(change.person_id, "?")),
                label.status(change.before or AttendanceStatus.ABSENT),
                label.status(change.after),
                _text(sheet, author),
                how[change.source],
                _text(sheet, change.note or ""),
            ]
        )
