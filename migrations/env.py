"""Alembic environment: the engine comes from `service.migrate`, or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Engine

from service.db import make_engine
from service.models import Base

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
        context.run_migrations()
    connection.commit()
