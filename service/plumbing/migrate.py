"""Run the Alembic migrations, the only source of the schema, on SQLite or PostgreSQL."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

BESIDE_PACKAGE = Path(__file__).resolve().parents[2] / "migrations"


def migrations_dir() -> Path:
    """Find the scripts: MIGRATIONS_DIR, else beside the source tree, else ./migrations.

    An installed wheel (the Docker image) does not carry them; the image copies them to its
    working directory.
    """
    configured = os.environ.get("MIGRATIONS_DIR")
    if configured:
        return Path(configured)
    return BESIDE_PACKAGE if BESIDE_PACKAGE.is_dir() else Path.cwd() / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
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
