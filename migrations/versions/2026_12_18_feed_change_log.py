"""Feed changes as an append-only log, folded by the scheduler: no hot counter row per office

Revision ID: 2026_12_18_feed_change_log
Revises: 2026_12_13_feed_pieces
Create Date: 2026-12-18 10:00:00

Every booking of an office used to update that office's `feed_changes` row, so writers of one
office waited on one another.  Now each transaction appends a `feed_change_log` row per scope
and the scheduler folds them into `feed_changes`.  Existing rows keep their counters; their
`last_row_at` starts as their `changed_at`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_18_feed_change_log"
down_revision = "2026_12_13_feed_pieces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_change_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("scope", sa.String(length=48), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed_change_log")),
    )
    op.create_index(
        "ix_feed_change_log_scope", "feed_change_log", ["scope", "id", "changed_at"], unique=False
    )
    with op.batch_alter_table("feed_changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_row_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE feed_changes SET last_row_at = changed_at")
    with op.batch_alter_table("feed_changes", schema=None) as batch_op:
        batch_op.alter_column(
            "last_row_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    # Fold what is left of the log, so no change is lost to the counters.
    op.execute(
        "INSERT INTO feed_changes (scope, counter, changed_at, last_row_at) "
        "SELECT scope, 0, max(changed_at), max(changed_at) FROM feed_change_log "
        "WHERE scope NOT IN (SELECT scope FROM feed_changes) GROUP BY scope"
    )
    op.execute(
        "UPDATE feed_changes SET counter = counter + "
        "(SELECT count(*) FROM feed_change_log l WHERE l.scope = feed_changes.scope)"
    )
    with op.batch_alter_table("feed_changes", schema=None) as batch_op:
        batch_op.drop_column("last_row_at")
    op.drop_index("ix_feed_change_log_scope", table_name="feed_change_log")
    op.drop_table("feed_change_log")
