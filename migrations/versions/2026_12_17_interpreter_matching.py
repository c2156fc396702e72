"""Interpreter matching: a beneficiary's needs and avoided interpreters; an interpreter's
gender, dialects, trainings and hour limits; overrides of the matching rules

Revision ID: 2026_12_17_interpreter_matching
Revises: 2026_12_13_languages
Create Date: 2026-12-17 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "2026_12_17_interpreter_matching"
down_revision = "2026_12_13_languages"
branch_labels = None
depends_on = None


def _resource_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["resource_id"],
        ["resources.id"],
        name=op.f(f"fk_{table}_resource_id_resources"),
        ondelete="CASCADE",
    )


def _beneficiary_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["beneficiary_id"],
        ["beneficiaries.id"],
        name=op.f(f"fk_{table}_beneficiary_id_beneficiaries"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "interpreter_needs",
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("gender", sa.String(length=8)),
        sa.Column("dialect", sa.String(length=16)),
        sa.Column("child_trained", sa.Boolean(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        _beneficiary_fk("interpreter_needs"),
        sa.PrimaryKeyConstraint("beneficiary_id", name=op.f("pk_interpreter_needs")),
    )
    op.create_table(
        "avoided_interpreters",
        sa.Column("beneficiary_id", sa.Integer(), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        _beneficiary_fk("avoided_interpreters"),
        _resource_fk("avoided_interpreters"),
        sa.PrimaryKeyConstraint(
            "beneficiary_id", "resource_id", name=op.f("pk_avoided_interpreters")
        ),
    )
    op.create_index(
        op.f("ix_avoided_interpreters_resource_id"), "avoided_interpreters", ["resource_id"]
    )
    op.create_table(
        "resource_dialects",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("dialect", sa.String(length=16), nullable=False),
        _resource_fk("resource_dialects"),
        sa.PrimaryKeyConstraint("resource_id", "dialect", name=op.f("pk_resource_dialects")),
    )
    op.create_table(
        "resource_trainings",
        sa.Column("resource_id", sa.Integer(), nullable=False),
        sa.Column("training", sa.String(length=24), nullable=False),
        _resource_fk("resource_trainings"),
        sa.PrimaryKeyConstraint("resource_id", "training", name=op.f("pk_resource_trainings")),
    )
    # Plain ADD COLUMN on both back ends: a batch copy of `bookings` (or `enrolments`) on
    # SQLite would drop the old table and cascade to its holds and attendance.
    op.add_column("resources", sa.Column("gender", sa.String(length=8)))
    op.add_column("resources", sa.Column("max_hours_day", sa.SmallInteger()))
    op.add_column("resources", sa.Column("max_hours_week", sa.SmallInteger()))
    op.add_column("resources", sa.Column("limited_types", sa.String(length=200)))
    for table in ("bookings", "enrolments"):
        op.add_column(table, sa.Column("interpreter_override_rules", sa.String(length=100)))
        op.add_column(table, sa.Column("interpreter_override_reason", sa.String(length=500)))


def downgrade() -> None:
    # Native DROP COLUMN on SQLite (3.35+), never a batch copy (see upgrade).
    drops = [
        (table, column)
        for table in ("enrolments", "bookings")
        for column in ("interpreter_override_reason", "interpreter_override_rules")
    ] + [
        ("resources", column)
        for column in ("limited_types", "max_hours_week", "max_hours_day", "gender")
    ]
    for table, column in drops:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        else:
            op.drop_column(table, column)
    op.drop_table("resource_trainings")
    op.drop_table("resource_dialects")
    op.drop_index(op.f("ix_avoided_interpreters_resource_id"), table_name="avoided_interpreters")
    op.drop_table("avoided_interpreters")
    op.drop_table("interpreter_needs")
