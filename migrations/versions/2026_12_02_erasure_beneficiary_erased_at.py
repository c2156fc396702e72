"""Beneficiaries can be erased: a tombstone keeps the time of erasure

Revision ID: 2026_12_02_erasure
Revises: 2026_11_25_core
Create Date: 2026-12-02 07:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_02_erasure"
down_revision = "2026_11_25_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both back ends: a batch copy of `beneficiaries` on SQLite would drop
    # the old table, cascading to the attendees, enrolments and consent that reference it.
    op.add_column("beneficiaries", sa.Column("erased_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE beneficiaries DROP COLUMN erased_at")  # native, never a batch copy
    else:
        op.drop_column("beneficiaries", "erased_at")
