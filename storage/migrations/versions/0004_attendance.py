"""attendance: sessions, check-ins, attendance records and their audit trail

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "('present', 'late', 'excused', 'absent')"


def upgrade() -> None:
    op.create_table(
        "training_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("place", sa.String(length=120), nullable=True),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("roll_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["cohort_id"], ["cohorts.id"], name=op.f("fk_training_sessions_cohort_id_cohorts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["people.id"], name=op.f("fk_training_sessions_created_by_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_sessions")),
    )
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_training_sessions_cohort_id_starts_at", ["cohort_id", "starts_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_training_sessions_created_by"), ["created_by"], unique=False)

    op.create_table(
        "checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("token", sa.String(length=24), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("code_set_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rotate_minutes", sa.Integer(), nullable=True),
        sa.Column("opened_by", sa.Integer(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["opened_by"], ["people.id"], name=op.f("fk_checkins_opened_by_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_checkins_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkins")),
        sa.UniqueConstraint("token", name=op.f("uq_checkins_token")),
    )
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.create_index("ix_checkins_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_checkins_code", ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_opened_by"), ["opened_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_checkins_session_id"), ["session_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"status IN {STATUSES}", name=op.f("ck_attendance_status")),
        sa.CheckConstraint("source IN ('checkin', 'roll')", name=op.f("ck_attendance_source")),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendance_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_attendance_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("session_id", "person_id", name=op.f("uq_attendance_session_id")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_person_id_session_id_status", ["person_id", "session_id", "status"], unique=False
        )

    op.create_table(
        "attendance_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("changed_by", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("before", sa.String(length=8), nullable=True),
        sa.Column("after", sa.String(length=8), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint(f"after IN {STATUSES}", name=op.f("ck_attendance_changes_after")),
        sa.ForeignKeyConstraint(
            ["changed_by"], ["people.id"], name=op.f("fk_attendance_changes_changed_by_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_attendance_changes_person_id_people"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_attendance_changes_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_changes")),
    )
    with op.batch_alter_table("attendance_changes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_changes_changed_by"), ["changed_by"], unique=False)
        batch_op.create_index(batch_op.f("ix_attendance_changes_person_id"), ["person_id"], unique=False)
        batch_op.create_index("ix_attendance_changes_session_id_changed_at", ["session_id", "changed_at"], unique=False)

    op.create_table(
        "checkin_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_checkin_attempts_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkin_attempts")),
    )
    with op.batch_alter_table("checkin_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_checkin_attempts_person_id_at", ["person_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkin_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_attempts_person_id_at")

    op.drop_table("checkin_attempts")
    with op.batch_alter_table("attendance_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_changes_session_id_changed_at")
        batch_op.drop_index(batch_op.f("ix_attendance_changes_person_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_changes_changed_by"))

    op.drop_table("attendance_changes")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_person_id_session_id_status")

    op.drop_table("attendance")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_checkins_session_id"))
        batch_op.drop_index(batch_op.f("ix_checkins_opened_by"))
        batch_op.drop_index("ix_checkins_code")
        batch_op.drop_index("ix_checkins_closed_at")

    op.drop_table("checkins")
    with op.batch_alter_table("training_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_training_sessions_created_by"))
        batch_op.drop_index("ix_training_sessions_cohort_id_starts_at")

    op.drop_table("training_sessions")
