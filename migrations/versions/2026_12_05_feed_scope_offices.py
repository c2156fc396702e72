"""The offices a feed may show in detail: those of the coordinator who created it

Revision ID: 2026_12_05_feed_scope_offices
Revises: 2026_11_25_feed_series
Create Date: 2026-12-05 17:10:00

One nullable JSON column: null (rows from before, admins' and staff's feeds) shows every
office's bookings at the feed's privacy; a list of office codes shows the bookings of other
offices as busy only.  Feeds an API token of a coordinator made take that token's offices.
(Coordinators make only office feeds in the console, whose bookings are all of that office, so
console users' feeds are left null: no need to reach into the console branch's `users`.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_05_feed_scope_offices"
down_revision = "2026_11_25_feed_series"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope_offices", sa.JSON(), nullable=True))
    op.execute(
        "UPDATE feeds SET scope_offices = "
        "(SELECT api_tokens.offices FROM api_tokens WHERE api_tokens.id = feeds.api_token_id) "
        "WHERE api_token_id IN (SELECT id FROM api_tokens WHERE role = 'coordinator')"
    )


def downgrade() -> None:
    with op.batch_alter_table("feeds", schema=None) as batch_op:
        batch_op.drop_column("scope_offices")
