"""check-ins remember the code and QR token they replaced, for a short grace after each rotation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_code", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("previous_token", sa.String(length=24), nullable=True))
        batch_op.create_index(batch_op.f("ix_checkins_previous_code"), ["previous_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_previous_token"), ["previous_token"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkins_previous_token"))
        batch_op.drop_index(batch_op.f("ix_checkins_previous_code"))
        batch_op.drop_column("previous_token")
        batch_op.drop_column("previous_code")
