"""Who recorded a change of SMS consent (a console user or API token), beside how

Revision ID: 2026_12_02_consent_actor
Revises: 2026_11_25_outbox
Create Date: 2026-12-02 07:45:00

One nullable column: rows from before, and those a beneficiary's own STOP or START reply
made, have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_02_consent_actor"
down_revision = "2026_11_25_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_column("actor")
