"""`cohortbot curriculum validate|import|list` and `cohort create --curriculum`, in-process on a real SQLite file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.cli import main
from bot.services.lessons.curriculum import load_curriculum
from tests.curriculum_samples import SHIPPED, broken, sample
from tests.storage.test_cli import remember_username


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    database = tmp_path / "cli.db"
    monkeypatch.chdir(tmp_path)  # no stray .env is read, and no curriculum/ folder
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.delenv("CURRICULUM_DIR", raising=False)
    return database


def rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as conn:
        return conn.execute(sql).fetchall()


def test_validate_the_shipped_curriculum(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    questions = sum(len(lesson.questions) for lesson in load_curriculum(SHIPPED).lessons)
    assert main(["curriculum", "validate", str(SHIPPED)]) == 0
    out = capsys.readouterr().out
    assert out == f"{SHIPPED}: OK — digital-campaigns v1, 14 lessons, {questions} questions\n"
    assert not env.exists()  # no database needed


def test_validate_a_broken_file(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(broken(), encoding="utf-8")
    assert main(["curriculum", "validate", str(bad)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f'{bad}: lesson "first" (#1): questions[0].options[1].en: 101 characters, the limit is 100',
        f'{bad}: lesson "second" (#2): title.ar: must not be empty',
        f"cohortbot: {bad}: 2 problems; fix them, then validate again",
    ]
    syntax = tmp_path / "syntax.yaml"
    syntax.write_text("id: x\ntitle: {ar: a, en: b\n", encoding="utf-8")
    assert main(["curriculum", "validate", str(syntax)]) == 1
    assert "line 3, column 1" in capsys.readouterr().err
    assert not env.exists()


def test_import_update_and_list(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["curriculum", "list"]) == 0
    assert "no curricula imported" in capsys.readouterr().out
    course = tmp_path / "course.yaml"
    course.write_text(sample(), encoding="utf-8")
    assert main(["curriculum", "import", str(course)]) == 0
    assert capsys.readouterr().out == "curriculum test-course v1 created (id 1): 2 lessons\n"
    assert main(["curriculum", "import", str(course)]) == 0
    assert "unchanged (id 1)" in capsys.readouterr().out
    course.write_text(sample(version=2, lessons=3), encoding="utf-8")
    assert main(["curriculum", "import", str(course)]) == 0
    assert "updated in place (id 1, v1 -> v2): 3 lessons" in capsys.readouterr().out

    bad = tmp_path / "bad.yaml"
    bad.write_text(broken().replace("test-course", "other-course"), encoding="utf-8")
    assert main(["curriculum", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "title.ar: must not be empty" in err
    assert f"cohortbot: {bad}: 2 problems; nothing was imported" in err
    assert rows(env, "select slug, version, lesson_count from curricula") == [("test-course", 2, 3)]

    assert main(["curriculum", "list"]) == 0
    listed = capsys.readouterr().out
    assert listed.startswith("test-course\tv2 lessons=3 imported=")
    assert f"source={course}" in listed


def test_cohort_create_with_a_curriculum(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    remember_username(env)
    base = ["cohort", "create", "Hit", "--start", "2026-12-01", "--lesson-time", "18:30"]
    assert main([*base, "--curriculum", "test-course"]) == 1
    assert "--curriculum: no curriculum 'test-course'; none is imported yet" in capsys.readouterr().err

    course = tmp_path / "course.yaml"
    course.write_text(sample(), encoding="utf-8")
    assert main(["curriculum", "import", str(course)]) == 0
    assert main(["curriculum", "import", str(SHIPPED)]) == 0
    capsys.readouterr()
    assert main([*base, "--curriculum", "nope"]) == 1
    err = capsys.readouterr().err
    assert err == "cohortbot: --curriculum: no curriculum 'nope'; known: digital-campaigns, test-course\n"
    assert rows(env, "select count(*) from cohorts") == [(0,)]

    assert main([*base, "--curriculum", "digital-campaigns"]) == 0
    captured = capsys.readouterr()
    assert "cohort 'Hit' created (id 1, curriculum digital-campaigns)" in captured.out
    assert "https://t.me/cohort_test_bot?start=" in captured.out
    assert captured.err == ""
    assert main(["cohort", "create", "Ramadi", "--start", "2026-12-01", "--lesson-time", "18:30"]) == 0
    assert "without --curriculum ID this cohort gets no lessons" in capsys.readouterr().err
    assert rows(env, "select c.name, k.slug from cohorts c left join curricula k on k.id = c.curriculum_id") == [
        ("Hit", "digital-campaigns"),
        ("Ramadi", None),
    ]


def test_migrate_imports_curriculum_dir(
    env: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "curricula"
    folder.mkdir()
    shutil.copy(SHIPPED, folder)
    monkeypatch.setenv("CURRICULUM_DIR", str(folder))
    assert main(["migrate"]) == 0
    assert rows(env, "select slug, lesson_count from curricula") == [("digital-campaigns", 14)]

    (folder / "broken.yaml").write_text(broken(), encoding="utf-8")
    capsys.readouterr()
    assert main(["migrate"]) == 1
    err = capsys.readouterr().err
    assert f"\ncohortbot: CURRICULUM_DIR {folder}: nothing was imported" in err  # after migrate's log lines
    assert f'{folder / "broken.yaml"}: lesson "second" (#2): title.ar: must not be empty' in err
    assert "Traceback" not in err
