"""Bookings an admin recorded after the fact, and why

Revision ID: 2026_12_13_record_past
Revises: 2026_11_25_core
Create Date: 2026-12-05 18:45:00

A booking may no longer start in the past, except when an admin records it after the fact
with a reason; the reason is kept on the booking (NULL for every booking made ahead).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_13_record_past"
down_revision = "2026_11_25_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bookings", sa.Column("record_past_reason", sa.String(length=500)))


def downgrade() -> None:
    # A plain DROP COLUMN: a batch copy of `bookings` on SQLite would cascade to the holds.
    op.drop_column("bookings", "record_past_reason")
