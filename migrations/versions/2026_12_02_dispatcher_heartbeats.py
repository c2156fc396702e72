"""Dispatcher heartbeats: one row per dispatcher process, written on every dispatch tick

Revision ID: 2026_12_02_heartbeats
Revises: 2026_11_25_outbox
Create Date: 2026-12-02 07:30:00

A new table only (no batch copy on SQLite); rows are pruned by the scheduler itself.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_02_heartbeats"
down_revision = "2026_11_25_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dispatcher_heartbeats",
        sa.Column("worker_id", sa.String(length=120), nullable=False),
        sa.Column("host", sa.String(length=100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("interval_seconds", sa.Float(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_beat_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_claimed", sa.Integer(), nullable=False),
        sa.Column("last_sent", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", name=op.f("pk_dispatcher_heartbeats")),
    )
    op.create_index(
        op.f("ix_dispatcher_heartbeats_last_beat_at"),
        "dispatcher_heartbeats",
        ["last_beat_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_dispatcher_heartbeats_last_beat_at"), table_name="dispatcher_heartbeats")
    op.drop_table("dispatcher_heartbeats")
