"""SMS whose send had an unknown outcome are reconciled with Twilio before anyone looks

Revision ID: 2026_12_16_dispatch_reconcile
Revises: 2026_12_02_outbox_handled
Create Date: 2026-12-16 10:00:00

`send_began_at` is when the last send of a row began (Twilio is asked for messages since
then); `reconciliation` how an unclear send was settled: callback, found, resent, superseded,
expired or unknowable (NULL for a send whose outcome was known at once).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_16_dispatch_reconcile"
down_revision = "2026_12_02_outbox_handled"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("sms_outbox", sa.Column("send_began_at", sa.DateTime(timezone=True)))
    op.add_column("sms_outbox", sa.Column("reconciliation", sa.String(length=16)))


def downgrade() -> None:
    op.drop_column("sms_outbox", "reconciliation")
    op.drop_column("sms_outbox", "send_began_at")
