"""The attendance XLSX, streamed with openpyxl's write-only mode (imported only when someone exports): right to left
for Arabic readers, bold frozen header, autofilter, local naive times; every cell is made by
`bot.spreadsheet_cells.xlsx_cell`, so user text is never a formula."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from bot.i18n import N_, is_rtl
from bot.services.attendance.export_labels import (
    CellValue,
    Labels,
    fraction,
    local_naive,
    row_counts,
    session_label,
    totals,
)
from bot.services.attendance.reports import Grid
from bot.spreadsheet_cells import xlsx_cell, xlsx_row
from storage.attendance.dto import AttendanceStatus, Source

WRAP = Alignment(wrap_text=True, vertical="top")


def write_attendance_xlsx(grid: Grid, locale: str) -> bytes:
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
    return xlsx_cell(sheet, value, bold=bold, number_format=number_format)


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
        values = [number, row.trainee.name, row.trainee.town or "", *cells, *row_counts(row)]
        sheet.append([*xlsx_row(sheet, values), _cell(sheet, fraction(row.percent), number_format="0%")])
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
        when = _cell(sheet, local_naive(stat.session.starts_at, zone), number_format="yyyy-mm-dd hh:mm")
        share = _cell(sheet, fraction(stat.percent), number_format="0%")
        values = [stat.session.title, stat.session.place or "", stat.expected, counts[AttendanceStatus.PRESENT]]
        values += [counts[AttendanceStatus.LATE], counts[AttendanceStatus.EXCUSED], stat.absent]
        sheet.append([_cell(sheet, number), when, *xlsx_row(sheet, values), share])


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
        when = _cell(sheet, local_naive(change.changed_at, zone), number_format="yyyy-mm-dd hh:mm:ss")
        values = [
            session_label(session, zone).replace("\n", " ") if session else "",
            grid.names.get(change.person_id, "?"),
            label.status(change.before or AttendanceStatus.ABSENT),
            label.status(change.after),
            author,
            how[change.source],
            change.note or "",
        ]
        sheet.append([when, *xlsx_row(sheet, values)])
