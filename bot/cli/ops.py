"""`cohortbot backup` and `cohortbot health`: no database session, no bot."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from pathlib import Path

from bot.app import HEARTBEAT_SECONDS
from bot.cli.common import CliError
from bot.settings import Settings


def backup(settings: Settings, target: Path) -> Path:
    """SQLite's online backup API: a consistent copy even while the bot writes."""
    source = settings.sqlite_path
    if source is None:
        raise CliError("backup copies the SQLite database; for PostgreSQL use pg_dump (see README)")
    if not source.exists():
        raise CliError(f"no database at {source}")
    if target.is_dir():
        target = target / f"cohortbot-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.db"
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def health(settings: Settings) -> int:
    path = settings.bot_heartbeat_file
    if not path.exists():
        print("unhealthy: no heartbeat yet", file=sys.stderr)
        return 1
    age = dt.datetime.now(dt.UTC).timestamp() - path.stat().st_mtime
    if age > 3 * HEARTBEAT_SECONDS:
        print(f"unhealthy: last heartbeat {age:.0f} s ago", file=sys.stderr)
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0
