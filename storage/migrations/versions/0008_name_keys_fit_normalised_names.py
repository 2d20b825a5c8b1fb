"""name keys fit normalised names: NFKC spells a ligature such as ﷺ out in 18 characters, so the comparison key of a
valid 12-character name outgrew VARCHAR(64); people.name_key and cohorts.name_key become VARCHAR(256) (the parsers
refuse a name whose key would be longer: bot.parsing.NAME_KEY_MAX)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD, NEW = 64, 256
KEYS = (("people", True), ("cohorts", False))  # (table, nullable) of each `name_key`


def _sqlite_declared_length(table: str, old: int, new: int) -> None:
    """SQLite never enforces a VARCHAR length; only the declared type changes. A batch "move and copy" would drop
    the table inside the migration's transaction, where foreign keys stay on: ON DELETE CASCADE would empty
    memberships, deliveries and the rest. The declared type is edited in place instead, the documented way for
    schema changes that leave the stored data as it is (same TEXT affinity): sqlite.org/lang_altertable.html §7."""
    bind = op.get_bind()
    version = int(bind.exec_driver_sql("PRAGMA schema_version").scalar_one())
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        changed = bind.execute(
            sa.text(
                "UPDATE sqlite_master SET sql = replace(sql, :old, :new) "
                "WHERE type = 'table' AND name = :table AND instr(sql, :old) > 0"
            ),
            {"old": f"name_key VARCHAR({old})", "new": f"name_key VARCHAR({new})", "table": table},
        ).rowcount
        bind.exec_driver_sql(f"PRAGMA schema_version={version + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")
    if changed != 1:
        raise RuntimeError(f"{table}.name_key: expected a VARCHAR({old}) column to widen")


def _resize(old: int, new: int) -> None:
    for table, nullable in KEYS:
        if op.get_bind().dialect.name == "sqlite":
            _sqlite_declared_length(table, old, new)
            continue
        op.alter_column(
            table,
            "name_key",
            existing_type=sa.String(length=old),
            type_=sa.String(length=new),
            existing_nullable=nullable,
            # Downgrading cuts longer keys (a cut cohort key that collides makes the downgrade fail, loudly).
            postgresql_using=f"left(name_key, {new})",
        )


def upgrade() -> None:
    _resize(OLD, NEW)


def downgrade() -> None:
    _resize(NEW, OLD)
