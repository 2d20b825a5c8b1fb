"""`cohortbot session add|list` and `cohortbot export attendance`, in-process against a real SQLite file."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.cli import main
from bot.services.access import OPERATOR
from bot.services.attendance import AttendanceService
from storage.attendance.dto import AttendanceStatus
from storage.uow import Database
from tests.crowd import enrol
from tests.storage.test_cli import env, remember_username

__all__ = ["env"]  # the fixture, shared with test_cli


def run(database: Path, work: object) -> object:
    async def inside() -> object:
        db = Database(f"sqlite+aiosqlite:///{database}")
        try:
            return await work(db)  # type: ignore[operator]
        finally:
            await db.dispose()

    return asyncio.run(inside())


def test_session_add_list_and_export(env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "Ramadi May", "--start", "2026-05-01", "--lesson-time", "18:30"]) == 0
    capsys.readouterr()
    add = ["session", "add", "--cohort", "ramadi may", "--date", "2026-05-03", "--time", "١٧:٣٠"]
    assert main([*add, "--title", "Day 1: the message", "--place", "Youth centre"]) == 0
    out = capsys.readouterr().out
    assert "added to 'Ramadi May': 2026-05-03 17:30 Asia/Baghdad — Day 1: the message (Youth centre)" in out
    assert main([*add, "--title", "Day 1: the message"]) == 1  # the same session twice
    assert "already exists" in capsys.readouterr().err

    async def prepare(db: Database) -> int:
        async with db.unit_of_work() as uow:
            cohort = await uow.cohorts.by_name_key("ramadi may")
            assert cohort is not None
        await enrol(db, cohort.id, 700, 3, joined=dt.datetime(2026, 4, 1, tzinfo=dt.UTC), locale="en")
        attendance = AttendanceService(db)
        (session,) = await attendance.sessions(OPERATOR, cohort.id)
        assert session.starts_at == dt.datetime(2026, 5, 3, 17, 30, tzinfo=ZoneInfo("Asia/Baghdad"))
        async with db.unit_of_work() as uow:
            people = [await uow.people.by_telegram_id(i) for i in (700, 701)]
        statuses = (AttendanceStatus.PRESENT, AttendanceStatus.LATE)
        for person, status in zip(people, statuses, strict=True):
            assert person is not None
            await attendance.mark(OPERATOR, session.id, person.id, status)  # as the CLI would
        return session.id

    run(env, prepare)
    assert main(["session", "list", "--cohort", "Ramadi May"]) == 0
    listed = capsys.readouterr().out
    assert "\t2026-05-03 17:30\tDay 1: the message\tplace=Youth centre\tattended=2/3 (67%)" in listed

    xlsx = tmp_path / "ramadi.xlsx"
    assert main(["export", "attendance", "--cohort", "Ramadi May", "--format", "xlsx", "-o", str(xlsx)]) == 0
    assert "3 trainees x 1 sessions held" in capsys.readouterr().out
    book = openpyxl.load_workbook(xlsx)
    sheet = book.worksheets[0]
    assert sheet.sheet_view.rightToLeft  # BOT_DEFAULT_LOCALE is Arabic
    assert sheet.freeze_panes == "D2" and sheet["A1"].font.bold and sheet.auto_filter.ref == "A1:I4"
    assert [row[0].value for row in sheet.iter_rows(min_row=2, max_row=4, max_col=1)] == [1, 2, 3]

    comma = tmp_path / "ramadi.csv"
    assert main(["export", "attendance", "--cohort", "Ramadi May", "-o", str(comma), "--lang", "en"]) == 0
    table = list(csv.reader(io.StringIO(comma.read_bytes().decode("utf-8-sig"))))
    assert comma.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [row[3] for row in table[1:4]] == ["present", "late", "absent"]
    assert table[4][1:4] == ["Attended", "", "2"] and table[5][3] == "67%"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "2026-02-30", "--time", "18:00", "--title", "x"], "--date: expected YYYY-MM-DD"),
        (["--date", "2026-02-03", "--time", "25:00", "--title", "x"], "--time: expected HH:MM"),
        (["--date", "2026-02-03", "--time", "18:00", "--title", "   "], "--title: expected 1 to 120 characters"),
    ],
)
def test_bad_session_adds_nothing(env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "Hit", "--start", "2026-02-01", "--lesson-time", "18:30"]) == 0
    capsys.readouterr()
    assert main(["session", "add", "--cohort", "Hit", *args]) == 1
    assert message in capsys.readouterr().err
    assert (
        main(["session", "add", "--cohort", "Nowhere", "--date", "2026-02-03", "--time", "18:00", "--title", "x"]) == 1
    )
    assert "no cohort named 'Nowhere'" in capsys.readouterr().err
    assert main(["session", "list", "--cohort", "Hit"]) == 0
    assert "has no sessions" in capsys.readouterr().out
