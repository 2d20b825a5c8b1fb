"""nothing kept before consent: earlier versions stored a stranger who chose a language (a people row without
consent) and kept registration drafts (name, town) in the saved conversation state; both are removed. Coordinators'
rows (kept for their language) and anyone in a cohort stay.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REGISTRATION_DRAFT = "registration"


def upgrade() -> None:
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "DELETE FROM people WHERE consent_at IS NULL "
            "AND telegram_id NOT IN (SELECT telegram_id FROM coordinators) "
            "AND id NOT IN (SELECT person_id FROM memberships)"
        )
    )
    bind.execute(sa.text("DELETE FROM bot_state WHERE namespace = 'conversation:registration'"))
    rows = bind.execute(sa.text("SELECT key, data FROM bot_state WHERE namespace = 'user_data'")).all()
    for key, data in rows:
        try:
            values = json.loads(data)
        except ValueError:
            continue
        if not isinstance(values, dict) or REGISTRATION_DRAFT not in values:
            continue
        values.pop(REGISTRATION_DRAFT)
        if values:
            bind.execute(
                sa.text("UPDATE bot_state SET data = :data WHERE namespace = 'user_data' AND key = :key"),
                {"data": json.dumps(values, ensure_ascii=False), "key": key},
            )
        else:
            bind.execute(sa.text("DELETE FROM bot_state WHERE namespace = 'user_data' AND key = :key"), {"key": key})


def downgrade() -> None:
    """What was removed was never meant to be kept."""
