"""Series, their skipped dates, enrolments and attendance; bookings learn their series

Revision ID: 2026_11_25_series
Revises: 2026_11_25_core
Create Date: 2026-11-25 01:21:15.860708
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_25_series"
down_revision = "2026_11_25_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("local_start", sa.Time(), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("resource_ids", sa.JSON(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["offices.id"], name=op.f("fk_series_office_id_offices")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["series.id"], name=op.f("fk_series_parent_id_series")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series")),
    )
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_series_office_id"), ["office_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_series_status"), ["status"], unique=False)

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("enrolled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_enrolments_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_enrolments_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sa.UniqueConstraint("series_id", "beneficiary_id", name=op.f("uq_enrolments_series_id")),
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_enrolments_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(
            "ix_enrolments_queue", ["series_id", "status", "requested_at"], unique=False
        )

    op.create_table(
        "series_exceptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("recurrence_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["series.id"],
            name=op.f("fk_series_exceptions_series_id_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_exceptions")),
        sa.UniqueConstraint("series_id", "day", name=op.f("uq_series_exceptions_series_id")),
    )
    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_attendance_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_attendance_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("booking_id", "beneficiary_id", name=op.f("uq_attendance_booking_id")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_beneficiary_id"), ["beneficiary_id"], unique=False
        )

    # Plain ADD COLUMN on both back ends: a batch copy of `bookings` on SQLite would drop the
    # table that `holds` references (cascading) and rewrite every booking.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE bookings ADD COLUMN series_id INTEGER CONSTRAINT "
            "fk_bookings_series_id_series REFERENCES series (id) ON DELETE CASCADE"
        )
    else:
        op.add_column("bookings", sa.Column("series_id", sa.Integer(), nullable=True))
        op.create_foreign_key(
            op.f("fk_bookings_series_id_series"),
            "bookings",
            "series",
            ["series_id"],
            ["id"],
            ondelete="CASCADE",
        )
    op.add_column(
        "bookings", sa.Column("recurrence_start", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("bookings", sa.Column("walk_ins", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_bookings_series_id"), "bookings", ["series_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_bookings_series_id"), table_name="bookings")
    if op.get_bind().dialect.name == "sqlite":
        # Native DROP COLUMN (SQLite 3.35+), never a batch copy: dropping the old `bookings`
        # would cascade to every table that references it (holds first of all).
        for column in ("walk_ins", "recurrence_start", "series_id"):
            op.execute(f"ALTER TABLE bookings DROP COLUMN {column}")
    else:
        op.drop_constraint(op.f("fk_bookings_series_id_series"), "bookings", type_="foreignkey")
        for column in ("walk_ins", "recurrence_start", "series_id"):
            op.drop_column("bookings", column)

    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_beneficiary_id"))

    op.drop_table("attendance")
    op.drop_table("series_exceptions")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_queue")
        batch_op.drop_index(batch_op.f("ix_enrolments_beneficiary_id"))

    op.drop_table("enrolments")
    with op.batch_alter_table("series", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_status"))
        batch_op.drop_index(batch_op.f("ix_series_office_id"))

    op.drop_table("series")
