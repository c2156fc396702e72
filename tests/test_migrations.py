"""The schema comes from the migrations alone, and they match the models on this back end."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from service.db import make_engine
from service.migrate import is_current
from service.models import Base


def test_migrated_schema_matches_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": False})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_a_fresh_database_is_current_after_upgrade(fresh_database):
    engine = make_engine(fresh_database())
    try:
        assert is_current(engine)
    finally:
        engine.dispose()
