"""Reminder offsets per series

Revision ID: 2026_12_13_series_reminders
Revises: 2026_12_05_beneficiary_offices
Create Date: 2026-12-05 18:30:00

A series may set the hours before each class at which enrolled beneficiaries are reminded;
NULL keeps the configured default. Existing series keep the default.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_13_series_reminders"
down_revision = "2026_12_05_beneficiary_offices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("series", sa.Column("reminder_offsets", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("series", "reminder_offsets")
