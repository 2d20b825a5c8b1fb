"""campaign posts deleted after some occurrence was marked are kept, hidden, so their history stays

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Without the column they would come back to life (and be reminded of): they go, as before this revision.
    op.execute("DELETE FROM campaign_posts WHERE deleted_at IS NOT NULL")
    with op.batch_alter_table("campaign_posts", schema=None) as batch_op:
        batch_op.drop_column("deleted_at")
