"""Walk every table for what is left of one person (what /forgetme and "nothing before consent" must leave: nothing).

Tables and columns are discovered from the SQLAlchemy metadata, so a table added later is walked too:
- a column that refers to a person: a foreign key to people.id, or a name such as person_id, owner_id,
  author_id, sender_id, by_id, changed_by, created_by (and people.id itself);
- a column that holds a Telegram id: telegram_id, chat_id, *_chat_id, user_id;
- every text column (bot_state's keys and JSON included): the Telegram id as a number, and any text of theirs
  (name, town, proof link, screenshot file id, …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Column, Table, select

import storage.attendance.models
import storage.campaigns.models
from storage.models import Base
from storage.uow import Database

assert storage.attendance.models and storage.campaigns.models  # every table is in the metadata

PERSON_NAME = re.compile(
    r"(^|_)(person|people|owner|author|sender|recipient|member|trainee|trainer)(_id)?$|(^|_)by(_id)?$"
)
TELEGRAM_NAME = re.compile(r"(^|_)(telegram|chat|user)_id$")


@dataclass(frozen=True, slots=True)
class Traces:
    telegram_id: int
    person_id: int | None = None
    texts: tuple[str, ...] = ()


def refers_to_person(table: Table, column: Column[object]) -> bool:
    if table.name == "people" and column.primary_key:
        return True
    if any(fk.column.table.name == "people" for fk in column.foreign_keys):
        return True
    return bool(PERSON_NAME.search(column.name))


def holds_telegram_id(column: Column[object]) -> bool:
    return bool(TELEGRAM_NAME.search(column.name))


def person_columns() -> set[tuple[str, str]]:
    """(table, column) of every column that names a person or a Telegram chat."""
    return {
        (table.name, column.name)
        for table in Base.metadata.sorted_tables
        for column in table.columns
        if refers_to_person(table, column) or holds_telegram_id(column)
    }


async def leftovers(db: Database, traces: Traces) -> list[str]:
    """Every cell anywhere that still points at, or holds text of, the person: `table.column = value`."""
    number = re.compile(rf"(?<!\d){traces.telegram_id}(?!\d)")
    found: list[str] = []
    async with db.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = (await connection.execute(select(table))).mappings().all()
            for row in rows:
                for column in table.columns:
                    value = row[column.name]
                    if value is not None and _points_at(table, column, value, traces, number):
                        found.append(f"{table.name}.{column.name} = {value!r}")
    return found


def _points_at(table: Table, column: Column[object], value: object, traces: Traces, number: re.Pattern[str]) -> bool:
    if traces.person_id is not None and refers_to_person(table, column) and value == traces.person_id:
        return True
    if holds_telegram_id(column) and value == traces.telegram_id:
        return True
    if isinstance(value, str):
        return bool(number.search(value)) or any(text in value for text in traces.texts if text)
    return False


async def rows_count(db: Database, table_name: str) -> int:
    table = Base.metadata.tables[table_name]
    async with db.engine.connect() as connection:
        return len((await connection.execute(select(table))).all())
