"""What both export formats share: the reader's labels, the status names, local times and the counts per trainee."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.i18n import N_, gettext_for
from bot.services.attendance.reports import Grid, TraineeRow
from storage.attendance.dto import AttendanceStatus, SessionDTO
from storage.dto import CohortDTO

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


def totals(rows: Sequence[TraineeRow]) -> list[int]:
    return [sum(row.counts[status] for row in rows) for status in STATUS_LABELS]
