"""The offices a beneficiary belongs to, which decide who may see them

Revision ID: 2026_12_05_beneficiary_offices
Revises: 2026_11_25_series
Create Date: 2026-12-05 17:30:00

Existing beneficiaries are given the offices where they are booked or enrolled, so that the
coordinators who served them keep seeing them; from now on only registering and sharing
(audited) add an office, and a booking grants nothing by itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_05_beneficiary_offices"
down_revision = "2026_11_25_series"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "beneficiary_offices",
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_beneficiary_offices_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["offices.id"],
            name=op.f("fk_beneficiary_offices_office_id_offices"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("beneficiary_id", "office_id", name=op.f("pk_beneficiary_offices")),
    )
    op.execute(
        """
        INSERT INTO beneficiary_offices (beneficiary_id, office_id)
        SELECT bb.beneficiary_id, b.office_id
          FROM booking_beneficiaries bb JOIN bookings b ON b.id = bb.booking_id
         WHERE b.office_id IS NOT NULL
        UNION
        SELECT e.beneficiary_id, s.office_id
          FROM enrolments e JOIN series s ON s.id = e.series_id
         WHERE s.office_id IS NOT NULL
        """
    )


def downgrade() -> None:
    op.drop_table("beneficiary_offices")
