"""lessons: curricula, delivery outbox, lesson progress, quiz polls

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "curricula",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title_ar", sa.String(length=200), nullable=False),
        sa.Column("title_en", sa.String(length=200), nullable=False),
        sa.Column("lesson_count", sa.Integer(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curricula")),
        sa.UniqueConstraint("slug", name=op.f("uq_curricula_slug")),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=True),
        sa.Column("ref", sa.String(length=64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('pending', 'sending', 'sent', 'failed', 'blocked', 'skipped')", name=op.f("ck_deliveries_state")
        ),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_deliveries_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_deliveries_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
        sa.UniqueConstraint("key", name=op.f("uq_deliveries_key")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_deliveries_cohort_id_due_at", ["cohort_id", "due_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_deliveries_state_not_before", ["state", "not_before"], unique=False)

    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("lesson", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_lesson_progress_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_lesson_progress_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_progress")),
        sa.UniqueConstraint("person_id", "cohort_id", "lesson", name=op.f("uq_lesson_progress_person_id")),
    )
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_progress_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_lesson_progress_person_id"), ["person_id"], unique=False)

    op.create_table(
        "quiz_polls",
        sa.Column("poll_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("lesson", sa.String(length=40), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("correct_options", sa.String(length=40), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_options", sa.String(length=40), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_quiz_polls_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_quiz_polls_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("poll_id", name=op.f("pk_quiz_polls")),
    )
    with op.batch_alter_table("quiz_polls", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quiz_polls_cohort_id"), ["cohort_id"], unique=False)
        batch_op.create_index("ix_quiz_polls_person_cohort_lesson", ["person_id", "cohort_id", "lesson"], unique=False)

    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("curriculum_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("rest_days", sa.String(length=16), nullable=False, server_default="5"))
        batch_op.add_column(sa.Column("observe_holidays", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("nudge_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("lessons_planned", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_cohorts_curriculum_id"), ["curriculum_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_cohorts_curriculum_id_curricula"),
            "curricula",
            ["curriculum_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_cohorts_curriculum_id_curricula"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_cohorts_curriculum_id"))
        batch_op.drop_column("lessons_planned")
        batch_op.drop_column("nudge_time")
        batch_op.drop_column("observe_holidays")
        batch_op.drop_column("rest_days")
        batch_op.drop_column("curriculum_id")

    with op.batch_alter_table("quiz_polls", schema=None) as batch_op:
        batch_op.drop_index("ix_quiz_polls_person_cohort_lesson")
        batch_op.drop_index(batch_op.f("ix_quiz_polls_cohort_id"))

    op.drop_table("quiz_polls")
    with op.batch_alter_table("lesson_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_progress_person_id"))
        batch_op.drop_index(batch_op.f("ix_lesson_progress_cohort_id"))

    op.drop_table("lesson_progress")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index("ix_deliveries_state_not_before")
        batch_op.drop_index(batch_op.f("ix_deliveries_person_id"))
        batch_op.drop_index("ix_deliveries_cohort_id_due_at")

    op.drop_table("deliveries")
    op.drop_table("curricula")
