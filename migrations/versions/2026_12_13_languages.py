"""The other languages a beneficiary speaks; language overrides on bookings and enrolments

Revision ID: 2026_12_13_languages
Revises: 2026_12_13_series_reminders
Create Date: 2026-12-13 10:00:00

An interpreter is booked for beneficiaries only if each shares a language with them, unless
the booking (or enrolment) carries an override with its reason.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_13_languages"
down_revision = "2026_12_13_series_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beneficiary_languages",
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_beneficiary_languages_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "beneficiary_id", "language", name=op.f("pk_beneficiary_languages")
        ),
    )
    # Plain ADD COLUMN on both back ends: a batch copy of `bookings` (or `enrolments`) on
    # SQLite would drop the old table and cascade to its holds and attendance.
    op.add_column(
        "bookings",
        sa.Column("language_override", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("bookings", sa.Column("language_override_reason", sa.String(length=500)))
    op.add_column("enrolments", sa.Column("language_override_reason", sa.String(length=500)))


def downgrade() -> None:
    # Native DROP COLUMN on SQLite (3.35+), never a batch copy (see upgrade).
    drops = (
        ("enrolments", "language_override_reason"),
        ("bookings", "language_override_reason"),
        ("bookings", "language_override"),
    )
    for table, column in drops:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
    op.drop_table("beneficiary_languages")
