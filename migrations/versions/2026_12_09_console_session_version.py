"""A console account's session version, so that sessions end on the server

Revision ID: 2026_12_09_session_version
Revises: 2026_11_25_console
Create Date: 2026-12-09 09:00:00

Every session cookie carries the version it was signed in with; sign-out, a password change
or reset and deactivation move it, so a copied cookie is refused afterwards. Existing accounts
start at 0; cookies from before this revision carry no version and must sign in again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_09_session_version"
down_revision = "2026_11_25_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")
