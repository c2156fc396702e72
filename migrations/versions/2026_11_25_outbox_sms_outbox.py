"""SMS outbox, consent history, inbound replies and flagged numbers.

Revision ID: 2026_11_25_outbox
Revises: 2026_11_25_core
Create Date: 2026-11-25 01:25:12.909542
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_11_25_outbox"
down_revision = "2026_11_25_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sms_flagged_numbers",
        sa.Column("phone", sa.String(length=20), nullable=False),
        sa.Column("error_code", sa.String(length=32), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_sms_flagged_numbers")),
    )
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_consent_events_beneficiary_id_beneficiaries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_events_beneficiary_id"), ["beneficiary_id"], unique=False
        )

    op.create_table(
        "sms_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("to_phone", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("encoding", sa.String(length=8), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("estimated_cost", sa.Numeric(precision=10, scale=4), nullable=False),
        sa.Column("event_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("provider_sid", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=32), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_sms_outbox_beneficiary_id_beneficiaries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_sms_outbox_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_sms_outbox_resource_id_resources"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_outbox")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_sms_outbox_dedupe_key")),
    )
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_outbox_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sms_outbox_booking_id"), ["booking_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sms_outbox_provider_sid"), ["provider_sid"], unique=False
        )
        batch_op.create_index("ix_sms_outbox_status_due_at", ["status", "due_at"], unique=False)

    op.create_table(
        "sms_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("beneficiary_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("from_phone", sa.String(length=20), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("provider_sid", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["beneficiary_id"],
            ["beneficiaries.id"],
            name=op.f("fk_sms_replies_beneficiary_id_beneficiaries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_sms_replies_booking_id_bookings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_replies")),
    )
    with op.batch_alter_table("sms_replies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sms_replies_beneficiary_id"), ["beneficiary_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_sms_replies_booking_id"), ["booking_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_replies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sms_replies_booking_id"))
        batch_op.drop_index(batch_op.f("ix_sms_replies_beneficiary_id"))

    op.drop_table("sms_replies")
    with op.batch_alter_table("sms_outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_outbox_status_due_at")
        batch_op.drop_index(batch_op.f("ix_sms_outbox_provider_sid"))
        batch_op.drop_index(batch_op.f("ix_sms_outbox_booking_id"))
        batch_op.drop_index(batch_op.f("ix_sms_outbox_beneficiary_id"))

    op.drop_table("sms_outbox")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_events_beneficiary_id"))

    op.drop_table("consent_events")
    op.drop_table("sms_flagged_numbers")
