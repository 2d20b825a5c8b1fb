"""Attendance figures, exports and the chart, from a real database: who is expected (late joiners), per-town
shares, XLSX for Arabic readers (right to left, frozen bold header, autofilter, local naive times), CSV with a BOM,
typed text never turned into a formula, and a phone-sized PNG."""

from __future__ import annotations

import csv
import datetime as dt
import io
import struct
import time
from pathlib import Path

import openpyxl
import pytest

from bot.fonts import FONTS, use_arabic_font
from bot.services.access import OPERATOR, Principal
from bot.services.attendance import AttendanceReports, AttendanceService
from bot.services.attendance.chart import attendance_chart
from bot.services.attendance.exports import attendance_csv, attendance_xlsx, export_name
from bot.services.people import CohortService
from storage.attendance.dto import AttendanceStatus
from storage.dto import Role
from storage.uow import Database

T0 = dt.datetime(2026, 12, 3, 15, 0, tzinfo=dt.UTC)  # 18:00 in Baghdad
COORDINATOR = Principal(telegram_id=1000, locale="ar", is_coordinator=True)


def clock() -> dt.datetime:
    return T0 + dt.timedelta(days=10)


async def people(db: Database, cohort_id: int, rows: list[tuple[int, str, str, dt.datetime]]) -> dict[int, int]:
    """Trainees (Telegram id, name, town, joined) → {Telegram id: person id}."""
    ids = {}
    async with db.unit_of_work() as uow:
        for telegram_id, full_name, town, joined in rows:
            person = await uow.people.add(telegram_id, joined, "ar")
            await uow.people.register(
                person.id, full_name=full_name, name_key=full_name.casefold(), town=town, locale="ar", consent_at=joined
            )
            await uow.memberships.add(person.id, cohort_id, Role.TRAINEE, joined)
            ids[telegram_id] = person.id
        await uow.commit()
    return ids


Made = tuple[int, dict[int, int], list[int]]


@pytest.fixture
async def cohort(db: Database) -> Made:
    """Three sessions held (days 1-3) and one upcoming; Zaid joined after the first session."""
    created = await CohortService(db, clock).create(
        OPERATOR, name="دفعة هيت", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Asia/Baghdad"
    )
    cohort_id = created.cohort.id
    early = T0 - dt.timedelta(days=5)
    ids = await people(
        db,
        cohort_id,
        [
            (1, "Amal", "هيت", early),
            (2, "Badr", "هيت", early),
            (3, "Chadi", '=HYPERLINK("http://x")', early),  # a typed "town" that looks like a formula
            (4, "Zaid", "الرمادي", T0 + dt.timedelta(hours=12)),
        ],
    )
    attendance = AttendanceService(db, clock=clock)
    sessions = []
    for day in range(4):
        session = await attendance.add_session(
            OPERATOR, cohort_id, title=f"اليوم {day + 1}", starts_at=T0 + dt.timedelta(days=day * 2 if day < 3 else 30)
        )
        sessions.append(session.id)
    marks = {
        0: {1: AttendanceStatus.PRESENT, 2: AttendanceStatus.LATE, 3: AttendanceStatus.EXCUSED},
        1: {1: AttendanceStatus.PRESENT, 4: AttendanceStatus.PRESENT},
        2: {1: AttendanceStatus.PRESENT, 2: AttendanceStatus.ABSENT, 3: AttendanceStatus.PRESENT},
    }
    for index, by_person in marks.items():
        for telegram_id, status in by_person.items():
            await attendance.mark(COORDINATOR, sessions[index], ids[telegram_id], status, note="سبب" if index else None)
    return cohort_id, ids, sessions


async def test_summary_counts_expected_people_and_towns(db: Database, cohort: Made) -> None:
    cohort_id, _ids, sessions = cohort
    summary = await AttendanceReports(db, clock).summary(COORDINATOR, cohort_id)
    assert [s.session.id for s in summary.held] == sessions[:3] and [s.id for s in summary.upcoming] == sessions[3:]
    first, second, third = summary.held
    assert (first.expected, first.attended, first.counts[AttendanceStatus.EXCUSED], first.absent) == (3, 2, 1, 0)
    assert (second.expected, second.attended, second.absent) == (4, 2, 2)  # Zaid had joined by then
    assert (third.expected, third.attended, third.percent) == (4, 2, 50)
    towns = {t.town: (t.trainees, t.expected, t.attended) for t in summary.towns}
    assert towns == {"هيت": (2, 6, 4), "الرمادي": (1, 2, 1), '=HYPERLINK("http://x")': (1, 3, 1)}
    assert summary.percent == round(100 * 6 / 11)


async def test_xlsx_for_arabic_readers(db: Database, cohort: Made) -> None:
    cohort_id, _ids, _sessions = cohort
    grid = await AttendanceReports(db, clock).grid(COORDINATOR, cohort_id)
    book = openpyxl.load_workbook(io.BytesIO(attendance_xlsx(grid, "ar")))
    assert all(sheet.sheet_view.rightToLeft for sheet in book.worksheets)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "D2" and sheet.auto_filter.ref == "A1:K5"
    assert all(cell.font.bold for cell in sheet[1])
    header = [cell.value for cell in sheet[1]]
    assert header[3] == "2026-12-03 18:00\nاليوم 1" and len(header) == 3 + 3 + 5
    rows = {row[1]: row for row in sheet.iter_rows(min_row=2, max_row=5, values_only=True)}
    assert rows["Zaid"][3] == "—"  # not yet a member at the first session
    assert rows["Badr"][4:6] == ("غائب", "غائب")
    assert rows["Amal"][3] == "حاضر" and rows["Badr"][3] == "متأخر"
    assert rows["Amal"][6:11] == (3, 0, 0, 0, 1)
    chadi = next(cell for cell in sheet["C"] if cell.value and str(cell.value).startswith("="))
    assert chadi.data_type == "s"  # stays text: no formula runs when the file is opened
    when = book.worksheets[1]["B2"].value
    assert when == dt.datetime(2026, 12, 3, 18, 0) and when.tzinfo is None
    changes = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert len(changes) == 8 and all(isinstance(row[0], dt.datetime) and row[0].tzinfo is None for row in changes)
    assert sum(1 for row in changes if row[7] == "سبب") == 5


async def test_csv_has_a_bom_and_no_formulas(db: Database, cohort: Made) -> None:
    cohort_id, _ids, _sessions = cohort
    grid = await AttendanceReports(db, clock).grid(COORDINATOR, cohort_id)
    data = attendance_csv(grid, "en")
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    by_name = {row[1]: row for row in table[1:5]}
    assert by_name["Chadi"][2] == '\'=HYPERLINK("http://x")'
    assert by_name["Zaid"][3:6] == ["—", "present", "absent"] and by_name["Zaid"][-1] == "50%"
    assert table[5][1] == "Attended" and table[5][3:6] == ["2", "2", "2"]
    assert (
        export_name(grid.summary.cohort, "csv", dt.date(2026, 12, 3)) == f"attendance-cohort-{cohort_id}-2026-12-03.csv"
    )


@pytest.mark.parametrize("locale", ["ar", "en"])
async def test_chart_is_a_phone_sized_png(db: Database, cohort: Made, locale: str) -> None:
    cohort_id, _ids, _sessions = cohort
    summary = await AttendanceReports(db, clock).summary(COORDINATOR, cohort_id)
    started = time.perf_counter()
    png = attendance_chart(summary, locale)
    assert time.perf_counter() - started < 10  # generous on a shared machine; the benchmark measures it
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and struct.unpack(">II", png[16:24]) == (1080, 1350)
    empty = await AttendanceReports(db, lambda: T0 - dt.timedelta(days=1)).summary(COORDINATOR, cohort_id)
    assert not empty.held and attendance_chart(empty, locale).startswith(b"\x89PNG")


async def test_chart_takes_typed_towns_literally_in_the_bundled_font(db: Database, cohort: Made) -> None:
    """A town typed as "$\\frac$" is text, not TeX (matplotlib would raise); Arabic comes from the bundled font."""
    cohort_id, _ids, _sessions = cohort
    await people(db, cohort_id, [(5, "Dana", "$\\frac$", T0 - dt.timedelta(days=5))])
    summary = await AttendanceReports(db, clock).summary(COORDINATOR, cohort_id)
    assert "$\\frac$" in {t.town for t in summary.towns}
    assert attendance_chart(summary, "ar").startswith(b"\x89PNG")
    from matplotlib.font_manager import FontProperties, findfont

    assert Path(findfont(FontProperties(family=use_arabic_font()), fallback_to_default=False)).parent == FONTS


async def test_exports_show_the_cohorts_own_local_times(db: Database) -> None:
    """A cohort outside Baghdad: its session times in the XLSX are its own zone's (Auckland is UTC+13 in December)."""
    created = await CohortService(db, clock).create(
        OPERATOR, name="Auckland", start_date=dt.date(2026, 12, 1), lesson_time=dt.time(18), timezone="Pacific/Auckland"
    )
    ids = await people(db, created.cohort.id, [(11, "Aroha", "Auckland", T0 - dt.timedelta(days=5))])
    attendance = AttendanceService(db, clock=clock)
    session = await attendance.add_session(OPERATOR, created.cohort.id, title="Day 1", starts_at=T0)
    await attendance.mark(COORDINATOR, session.id, ids[11], AttendanceStatus.PRESENT)
    grid = await AttendanceReports(db, clock).grid(COORDINATOR, created.cohort.id)
    book = openpyxl.load_workbook(io.BytesIO(attendance_xlsx(grid, "en")))
    assert not book.worksheets[0].sheet_view.rightToLeft
    assert book.worksheets[0]["D1"].value == "2026-12-04 04:00\nDay 1"
    assert book.worksheets[1]["B2"].value == dt.datetime(2026, 12, 4, 4, 0)
    table = list(csv.reader(io.StringIO(attendance_csv(grid, "en").decode("utf-8-sig"))))
    assert table[0][3] == "2026-12-04 04:00 · Day 1"
