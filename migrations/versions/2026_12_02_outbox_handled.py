"""SMS outbox: when and by whom a failed or unclear message was marked handled

Revision ID: 2026_12_02_outbox_handled
Revises: 2026_11_25_outbox
Create Date: 2026-12-02 07:30:00

Two nullable columns, added without a table copy on SQLite.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_02_outbox_handled"
down_revision = "2026_11_25_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sms_outbox", sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("sms_outbox", sa.Column("handled_by", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sms_outbox") as batch:
        batch.drop_column("handled_by")
        batch.drop_column("handled_at")
