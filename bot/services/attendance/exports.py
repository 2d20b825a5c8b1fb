"""Attendance exports for coordinators: XLSX (right-to-left for Arabic readers, bold frozen header, autofilter,
local naive times, one row per trainee and one column per session, totals) and CSV (UTF-8 with a BOM, so Excel
opens Arabic). Labels are in the reader's language; every cell goes through `bot.spreadsheet_cells`."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import N_
from bot.services.attendance.export_labels import Labels, export_name, row_counts, totals
from bot.services.attendance.reports import Grid, SessionDetail, Summary
from bot.spreadsheet_cells import csv_bytes

__all__ = ["absentees_csv", "attendance_csv", "attendance_xlsx", "export_name", "session_csv"]

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


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


def attendance_xlsx(grid: Grid, locale: str) -> bytes:
    """The XLSX. openpyxl is imported on first use: some 25 MB the bot need not hold until someone exports."""
    from bot.services.attendance.exports_xlsx import write_attendance_xlsx

    return write_attendance_xlsx(grid, locale)
