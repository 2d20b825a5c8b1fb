"""Running service calls at the same time, each in its own unit of work, and sorting what came back."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text

from bot.services.errors import DomainError, Problem
from storage.uow import Database

WARM = 5  # the engine's pool keeps this many connections


@dataclass
class Outcomes:
    results: list[Any] = field(default_factory=list)  # what the calls that went through returned
    refusals: list[DomainError] = field(default_factory=list)  # the ordinary answers of the losing side

    @property
    def problems(self) -> Counter[Problem]:
        return Counter(error.problem for error in self.refusals)


async def warm(db: Database) -> None:
    """Fill PostgreSQL's pool: otherwise the first call takes the one idle connection and is done before the others
    have connected, and nothing races."""
    if db.engine.dialect.name != "postgresql":
        return  # SQLite connects at once

    async def hold() -> None:
        async with db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            await asyncio.sleep(0.05)

    await asyncio.gather(*[hold() for _ in range(WARM)])


async def race(db: Database, *calls: Awaitable[Any]) -> Outcomes:
    """All calls at once; any exception other than a domain refusal (an IntegrityError, a deadlock) fails the test."""
    await warm(db)
    outcomes = Outcomes()
    for result in await asyncio.gather(*calls, return_exceptions=True):
        if isinstance(result, DomainError):
            outcomes.refusals.append(result)
        elif isinstance(result, BaseException):
            raise AssertionError(f"a racing call failed with {type(result).__name__}: {result}") from result
        else:
            outcomes.results.append(result)
    return outcomes
