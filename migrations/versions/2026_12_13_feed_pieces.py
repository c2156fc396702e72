"""Per-person feeds show per-person truth: a series' piece for each person and room it holds

Revision ID: 2026_12_13_feed_pieces
Revises: 2026_12_05_feed_scope_offices
Create Date: 2026-12-05 18:40:00

One new table, keyed by scope and series id (no foreign key, as `feed_series_pieces`).  Run
`flask rebuild-feeds` after upgrading: until then a series is missing from the feeds of its
people and rooms (office and public feeds are unchanged).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_13_feed_pieces"
down_revision = "2026_12_05_feed_scope_offices"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_series_resource_pieces",
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("privacy", sa.String(length=8), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "scope", "series_id", "privacy", "locale", name=op.f("pk_feed_series_resource_pieces")
        ),
    )
    with op.batch_alter_table("feed_series_resource_pieces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_feed_series_resource_pieces_series_id"), ["series_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("feed_series_resource_pieces")
