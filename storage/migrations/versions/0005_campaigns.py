"""campaigns: campaign plans, posts, reminders and reviews

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete
    )


def _indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def _drop_indexes(table: str, *columns: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in reversed(columns):
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "campaign_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("problem", sa.String(length=300), nullable=False),
        sa.Column("goal", sa.String(length=300), nullable=False),
        sa.Column("target_metric", sa.String(length=16), nullable=False),
        sa.Column("target_count", sa.Integer(), nullable=False),
        sa.Column("target_unit", sa.String(length=40), nullable=True),
        sa.Column("audience", sa.String(length=300), nullable=False),
        sa.Column("platforms", sa.String(length=64), nullable=False),
        sa.Column("hashtag", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _fk("campaign_plans", "owner_id", "people", "CASCADE"),
        _fk("campaign_plans", "cohort_id", "cohorts", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_plans")),
    )
    _indexes("campaign_plans", "cohort_id", "owner_id")

    op.create_table(
        "campaign_teammates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        _fk("campaign_teammates", "plan_id", "campaign_plans", "CASCADE"),
        _fk("campaign_teammates", "person_id", "people", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_teammates")),
        sa.UniqueConstraint("plan_id", "person_id", name=op.f("uq_campaign_teammates_plan_id")),
    )
    _indexes("campaign_teammates", "person_id", "plan_id")

    op.create_table(
        "campaign_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("platform", sa.String(length=8), nullable=False),
        sa.Column("idea", sa.String(length=500), nullable=False),
        sa.Column("repeat", sa.String(length=8), nullable=False),
        sa.Column("repeat_until", sa.Date(), nullable=True),
        sa.Column("lead_minutes", sa.Integer(), nullable=True),
        sa.Column("occasion", sa.String(length=64), nullable=True),
        sa.Column("planned_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('campaign', 'occasion', 'promotion')", name=op.f("ck_campaign_posts_kind")),
        sa.CheckConstraint("repeat IN ('none', 'weekly', 'monthly')", name=op.f("ck_campaign_posts_repeat")),
        _fk("campaign_posts", "plan_id", "campaign_plans", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_posts")),
        sqlite_autoincrement=True,
    )
    _indexes("campaign_posts", "plan_id", "planned_until")

    op.create_table(
        "campaign_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("occurs_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proof_kind", sa.String(length=8), nullable=True),
        sa.Column("proof", sa.String(length=512), nullable=True),
        sa.Column("proof_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('done', 'skipped')", name=op.f("ck_campaign_occurrences_state")),
        sa.CheckConstraint(
            "proof_kind IS NULL OR proof_kind IN ('link', 'photo')", name=op.f("ck_campaign_occurrences_proof_kind")
        ),
        _fk("campaign_occurrences", "post_id", "campaign_posts", "CASCADE"),
        _fk("campaign_occurrences", "plan_id", "campaign_plans", "CASCADE"),
        _fk("campaign_occurrences", "by_id", "people", "SET NULL"),
        _fk("campaign_occurrences", "approved_by", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_occurrences")),
        sa.UniqueConstraint("post_id", "occurs_at", name=op.f("uq_campaign_occurrences_post_id")),
        sqlite_autoincrement=True,
    )
    _indexes("campaign_occurrences", "approved_by", "by_id", "plan_id")

    op.create_table(
        "campaign_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _fk("campaign_comments", "plan_id", "campaign_plans", "CASCADE"),
        _fk("campaign_comments", "author_id", "people", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_comments")),
        sqlite_autoincrement=True,
    )
    _indexes("campaign_comments", "author_id", "plan_id")


def downgrade() -> None:
    _drop_indexes("campaign_comments", "author_id", "plan_id")
    op.drop_table("campaign_comments")
    _drop_indexes("campaign_occurrences", "approved_by", "by_id", "plan_id")
    op.drop_table("campaign_occurrences")
    _drop_indexes("campaign_posts", "plan_id", "planned_until")
    op.drop_table("campaign_posts")
    _drop_indexes("campaign_teammates", "person_id", "plan_id")
    op.drop_table("campaign_teammates")
    _drop_indexes("campaign_plans", "cohort_id", "owner_id")
    op.drop_table("campaign_plans")
