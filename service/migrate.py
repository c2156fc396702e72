"""Run the Alembic migrations, the only source of the schema, on SQLite or PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "heads") -> None:
    command.upgrade(alembic_config(engine), revision)


def is_current(bind: Engine | Connection) -> bool:
    """Tell whether the database is at every head of the migration scripts."""
    heads = set(ScriptDirectory.from_config(alembic_config(bind.engine)).get_heads())
    if isinstance(bind, Connection):
        return set(MigrationContext.configure(bind).get_current_heads()) == heads
    with bind.connect() as connection:
        applied = set(MigrationContext.configure(connection).get_current_heads())
    return applied == heads
