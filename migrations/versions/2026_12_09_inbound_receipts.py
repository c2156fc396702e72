"""Inbound SMS are handled once: receipts of their MessageSids, one reply row per SID

Revision ID: 2026_12_09_inbound_receipts
Revises: 2026_11_25_outbox
Create Date: 2026-12-09 09:30:00

Twilio retries a webhook whose answer it did not get, and a signed request can be replayed,
so every handled inbound MessageSid is kept in `sms_inbound_receipts` (primary key) and a
reply's `provider_sid` becomes unique. Replies stored twice before this revision keep their
first row's SID; the copies keep their text but lose the SID.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_09_inbound_receipts"
down_revision = "2026_11_25_outbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_inbound_receipts",
        sa.Column("message_sid", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_sid", name=op.f("pk_sms_inbound_receipts")),
    )
    op.execute(
        "UPDATE sms_replies SET provider_sid = NULL WHERE provider_sid IS NOT NULL AND id > "
        "(SELECT MIN(earlier.id) FROM sms_replies AS earlier "
        "WHERE earlier.provider_sid = sms_replies.provider_sid)"
    )
    op.execute(
        "INSERT INTO sms_inbound_receipts (message_sid, received_at) "
        "SELECT provider_sid, MIN(received_at) FROM sms_replies "
        "WHERE provider_sid IS NOT NULL GROUP BY provider_sid"
    )
    with op.batch_alter_table("sms_replies", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_sms_replies_provider_sid"), ["provider_sid"]
        )


def downgrade() -> None:
    with op.batch_alter_table("sms_replies", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_sms_replies_provider_sid"), type_="unique")
    op.drop_table("sms_inbound_receipts")
