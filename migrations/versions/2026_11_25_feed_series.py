"""Series in the feeds as one VEVENT: a master with RRULE and EXDATE, plus overrides

Revision ID: 2026_11_25_feed_series
Revises: 2026_11_25_feeds
Create Date: 2026-11-25 02:40:00.000000

Two new tables only, keyed by series id without a foreign key (series live on another
branch, whose downgrade must not depend on this one); `bookings` is not touched (no batch
copy on SQLite).  Run `flask rebuild-feeds` after upgrading: until then a series already in
the feeds keeps its one-VEVENT-per-occurrence pieces.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_25_feed_series"
down_revision = "2026_11_25_feeds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_series_items",
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("uid", sa.String(length=100), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("revision", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("render_version", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("series_id", name=op.f("pk_feed_series_items")),
    )
    op.create_table(
        "feed_series_pieces",
        sa.Column("series_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("privacy", sa.String(length=8), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "series_id", "privacy", "locale", name=op.f("pk_feed_series_pieces")
        ),
    )


def downgrade() -> None:
    op.drop_table("feed_series_pieces")
    op.drop_table("feed_series_items")
