"""One statement instead of check-then-act, on SQLite and PostgreSQL alike.

A read followed by a write races on PostgreSQL (READ COMMITTED: both sides read before either writes) and then fails
with a unique violation, or passes a limit. Instead: `INSERT … ON CONFLICT DO NOTHING` (this module) when a unique
key decides, a conditional `UPDATE … WHERE` when a count does, or a row lock (`with_for_update(key_share=True)`:
FOR NO KEY UPDATE, which still lets other transactions insert rows that refer to the locked one) taken before the
read. On SQLite every writing unit of work begins IMMEDIATE (`storage.db`), so writers run one at a time there and
the lock clause is left out; the statements are the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


class AlreadyExists(Exception):
    """A row with this unique key was there already (perhaps inserted at the same moment by someone else)."""


def insert_ignoring(session: AsyncSession, model: Any, conflict: Sequence[str]) -> postgresql.Insert | sqlite.Insert:
    """`INSERT INTO model … ON CONFLICT (conflict) DO NOTHING` in the session's dialect; add `.values(…)`.

    Another transaction inserting the same key at the same moment makes this one wait for it, then do nothing."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(model).on_conflict_do_nothing(index_elements=list(conflict))


async def inserted(session: AsyncSession, statement: postgresql.Insert | sqlite.Insert) -> int:
    """Run an `insert_ignoring` statement; how many rows it inserted (0: they were there already)."""
    result = await session.execute(statement)
    return max(int(result.rowcount or 0), 0)  # type: ignore[attr-defined]
