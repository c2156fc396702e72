"""The generation token of the reference data that web processes cache

Revision ID: 2026_12_19_reference_generation
Revises: 2026_11_25_core
Create Date: 2026-12-19 10:00:00

One row; every transaction that changes a cached table (API tokens, offices, opening hours,
closures, resources with their rows, time off) writes a new random token into it, and each
request compares it with the token of its process's snapshot.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "2026_12_19_reference_generation"
down_revision = "2026_11_25_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    table = op.create_table(
        "reference_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_generation")),
    )
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("reference_generation")
