"""The schema comes from the migrations alone, and they match the models on this back end."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.models import Base
from service.plumbing.db import make_engine
from service.plumbing.migrate import is_current


def _fk_signature(constraint: Any) -> tuple[str, tuple[str, ...], str]:
    return (
        constraint.table.name,
        tuple(c.name for c in constraint.columns),
        constraint.referred_table.name,
    )


def _without_unnamed_fk_twins(differences: list[Any]) -> list[Any]:
    """Drop FK pairs that differ only by a name SQLite cannot reflect from ADD COLUMN.

    SQLite keeps an inline `CONSTRAINT name REFERENCES ...` added by ALTER TABLE, but its
    reflection reports it unnamed; the constraint itself is the same.
    """
    removed = {_fk_signature(d[1]) for d in differences if d[0] == "remove_fk" and not d[1].name}
    added = {_fk_signature(d[1]) for d in differences if d[0] == "add_fk"}
    twins = removed & added
    return [
        d
        for d in differences
        if not (d[0] in ("add_fk", "remove_fk") and _fk_signature(d[1]) in twins)
    ]


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    if engine.dialect.name == "sqlite":
        differences = _without_unnamed_fk_twins(differences)
    assert differences == []


def test_a_fresh_database_is_current_after_upgrade(fresh_database):
    engine = make_engine(fresh_database())
    try:
        assert is_current(engine)
    finally:
        engine.dispose()
