"""Every migration keeps every booking and hold, going up and coming back down."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.orm import Session

from service.plumbing.db import make_engine
from service.plumbing.migrate import alembic_config, is_current, upgrade
from tests.factories import Factory

SOFIA = ZoneInfo("Europe/Sofia")


def _counts(engine):
    with engine.connect() as connection:
        return tuple(
            connection.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("bookings", "holds")
        )


def test_downgrading_and_upgrading_the_series_migration_keeps_bookings_and_holds(
    fresh_database,
):
    engine = make_engine(fresh_database())
    try:
        with Session(engine) as session:
            factory = Factory(session)
            factory.booking([factory.interpreter()], datetime(2027, 2, 2, 10, tzinfo=SOFIA))

        command.downgrade(alembic_config(engine), "2026_11_25_series@-1")
        assert _counts(engine) == (1, 1)
        upgrade(engine)

        assert is_current(engine)
        assert _counts(engine) == (1, 1)
        with engine.connect() as connection:
            row = connection.execute(text("SELECT series_id, walk_ins FROM bookings")).one()
        assert tuple(row) == (None, None)
    finally:
        engine.dispose()


def test_each_branch_goes_down_and_up_keeping_bookings_and_holds(fresh_database):
    """A batch copy of `bookings` on SQLite would cascade to the holds: no branch may do it."""
    engine = make_engine(fresh_database())
    try:
        with Session(engine) as session:
            factory = Factory(session)
            factory.booking([factory.interpreter()], datetime(2027, 2, 2, 10, tzinfo=SOFIA))
        heads = ScriptDirectory.from_config(alembic_config(engine)).get_heads()
        assert len(heads) > 1
        for head in heads:
            command.downgrade(alembic_config(engine), f"{head}@-1")
            assert _counts(engine) == (1, 1), head
            upgrade(engine)
            assert _counts(engine) == (1, 1), head
        assert is_current(engine)
    finally:
        engine.dispose()
