"""The `cohortbot` command line, run in-process against a real SQLite file (and a subprocess for start-up)."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from storage.uow import Database


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    database = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env is read
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    return database


def remember_username(database: Path, username: str = "cohort_test_bot") -> None:
    async def store() -> None:
        db = Database(f"sqlite+aiosqlite:///{database}")
        async with db.unit_of_work() as uow:
            await uow.state.put("meta", "bot_username", username)
            await uow.commit()
        await db.dispose()

    asyncio.run(store())


def test_cohort_invite_and_role_commands(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "Baghdad Dec", "--start", "2026-12-01", "--lesson-time", "18:30"]) == 0
    out = capsys.readouterr().out
    assert "https://t.me/cohort_test_bot?start=" in out
    assert main(["cohort", "list"]) == 0
    listed = capsys.readouterr().out
    assert "Baghdad Dec" in listed
    assert "lesson=18:30" in listed
    assert "tz=Asia/Baghdad" in listed
    assert (
        main(["invite", "create", "--cohort", "baghdad dec", "--role", "trainer", "--expires", "7d", "--max-uses", "3"])
        == 0
    )
    invite_out = capsys.readouterr().out
    assert "role=trainer" in invite_out
    assert "max_uses=3" in invite_out
    token = invite_out.split("start=", 1)[1].split()[0]
    assert main(["invite", "revoke", token]) == 0
    assert main(["role", "grant", "4242", "coordinator"]) == 0
    assert "now a coordinator" in capsys.readouterr().out
    assert main(["role", "revoke", "4242", "coordinator"]) == 0
    assert "no longer" in capsys.readouterr().out
    with sqlite3.connect(env) as conn:
        assert conn.execute("select revoked_at is not null from invites where token = ?", (token,)).fetchone() == (1,)


def test_cli_bad_input_is_one_line_and_changes_nothing(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "X", "--start", "2026-02-31", "--lesson-time", "18:30"]) == 1
    assert "--start" in capsys.readouterr().err
    assert main(["cohort", "create", "X", "--start", "2026-02-01", "--lesson-time", "25:00"]) == 1
    assert (
        main(["cohort", "create", "X", "--start", "2026-02-01", "--lesson-time", "9:00", "--tz", "Nowhere/City"]) == 1
    )
    assert main(["invite", "create", "--cohort", "missing"]) == 1
    assert "cohort not found" in capsys.readouterr().err
    with sqlite3.connect(env) as conn:
        assert conn.execute("select count(*) from cohorts").fetchone() == (0,)


def test_backup_is_a_consistent_copy(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    assert main(["cohort", "create", "Ramadi", "--start", "2026-12-01", "--lesson-time", "09:00"]) == 0
    target = tmp_path / "backups"
    target.mkdir()
    assert main(["backup", str(target)]) == 0
    copies = list(target.glob("cohortbot-*.db"))
    assert len(copies) == 1
    with sqlite3.connect(copies[0]) as conn:
        assert conn.execute("pragma integrity_check").fetchone() == ("ok",)
        assert conn.execute("select name from cohorts").fetchall() == [("Ramadi",)]


def test_backup_refuses_postgres(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u@localhost/db")
    assert main(["backup", str(tmp_path / "x.db")]) == 1
    assert "pg_dump" in capsys.readouterr().err


def test_run_without_token_prints_one_line(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_URL"))}
    environment["DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_setting_names_the_variable(tmp_path: Path) -> None:
    environment = dict(os.environ, BOT_TIMEZONE="Nowhere/City", TELEGRAM_BOT_TOKEN="1:x")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert (
        result.stderr.strip() == "cohortbot: BOT_TIMEZONE is invalid: expected an IANA time zone such as Asia/Baghdad."
    )


def test_health(env: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    beat = tmp_path / "hb"
    monkeypatch.setenv("BOT_HEARTBEAT_FILE", str(beat))
    assert main(["health"]) == 1
    beat.touch()
    assert main(["health"]) == 0
    os.utime(beat, (0, 0))
    assert main(["health"]) == 1
