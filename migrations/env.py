"""Alembic environment: the engine comes from `service.plumbing.migrate`, or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine

from service.models import Base
from service.plumbing.db import make_engine

config = context.config
engine: Engine | None = config.attributes.get("engine")
if engine is None:
    engine = make_engine(os.environ.get("DATABASE_URL", "sqlite:///instance/zapis.sqlite3"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # A migration may rewrite a large table: the app's per-statement deadline is for
            # requests, not for this (its lock deadline stays, so it never queues everyone).
            connection.exec_driver_sql("SET LOCAL statement_timeout = 0")
        context.run_migrations()
    connection.commit()
