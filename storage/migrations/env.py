"""Alembic environment. Migrations run on a connection handed in by `storage.migrate` (async-safe)."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import storage.attendance.models  # noqa: F401 - attendance tables in the metadata
from storage.campaigns import models as campaign_models  # noqa: F401 - campaign planner tables in the metadata
from storage.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `cohortbot migrate`, which supplies the connection")
_run(connection)
