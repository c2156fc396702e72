"""The backup and restore commands of the README, run once against a seeded database.

pg_dump --format=custom --file zapis.dump DATABASE
createdb NEW && pg_restore --exit-on-error --dbname NEW zapis.dump
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service import create_app
from service.booking.bookings import Actor, change_status
from service.models import Beneficiary, Booking, Hold, OutboxMessage
from service.plumbing.db import make_engine
from tests.conftest import drop_database
from tests.factories import Factory
from tests.outbox_support import at, future_monday

pytestmark = pytest.mark.postgres_only

TABLES = (Booking, Hold, Beneficiary, OutboxMessage)


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not on PATH: install the PostgreSQL client (postgresql-client)")
    return found


def _seed(engine: Engine) -> None:
    monday = future_monday()
    with Session(engine) as session:
        factory = Factory(session)
        people = [factory.interpreter("ar"), factory.interpreter("fa")]
        for n in range(6):
            person = factory.beneficiary(
                phone=f"+3598883{n:05d}", sms_consent=True, other_languages=["fa"]
            )  # speaks Arabic and Farsi: either interpreter will do
            booking = factory.booking(
                [people[n % 2]], at(monday, 9 + n), beneficiary_ids=[person.id]
            )
            if n == 5:
                change_status(session, booking, "cancel", Actor("tests"), reason="moved away")
                session.commit()


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        found = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in TABLES
        }
        found["active holds"] = session.scalar(select(func.count()).where(Hold.active))
        return {name: int(count or 0) for name, count in found.items()}


def _libpq(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_a_custom_format_dump_restores_into_a_new_database_that_is_ready(
    fresh_database, is_postgres, tmp_path: Path
) -> None:
    assert is_postgres, "this test needs TEST_DATABASE_URL (PostgreSQL)"
    pg_dump, createdb, pg_restore = (_binary(n) for n in ("pg_dump", "createdb", "pg_restore"))
    source = make_url(fresh_database())
    source_engine = make_engine(source.render_as_string(hide_password=False))
    restored = source.set(database=f"zapis_restored_{uuid.uuid4().hex[:8]}")
    dump = tmp_path / "zapis.dump"
    env = {**os.environ, "PGPASSWORD": source.password or ""}
    restored_engine = None
    try:
        _seed(source_engine)
        subprocess.run(
            [pg_dump, "--format=custom", "--file", str(dump), _libpq(source)], env=env, check=True
        )
        assert dump.stat().st_size > 0
        subprocess.run(
            [createdb, "--host", source.host or "127.0.0.1", "--port", str(source.port or 5432),
             "--username", source.username or "postgres", restored.database or ""],
            env=env,
            check=True,
        )  # fmt: skip
        subprocess.run(
            [pg_restore, "--exit-on-error", "--dbname", _libpq(restored), str(dump)],
            env=env,
            check=True,
        )

        restored_engine = make_engine(restored.render_as_string(hide_password=False))
        assert _counts(restored_engine) == _counts(source_engine)
        assert _counts(restored_engine)["active holds"] == 5
        app = create_app({"DATABASE_URL": restored.render_as_string(False), "TESTING": True})
        try:
            assert app.test_client().get("/ready").status_code == 200
        finally:
            app.extensions["zapis.engine"].dispose()
        with restored_engine.connect() as connection:  # the no-double-booking rule came along
            constraint = connection.scalar(
                text("SELECT count(*) FROM pg_constraint WHERE conname = 'ex_holds_no_overlap'")
            )
        assert constraint == 1
        with Session(restored_engine) as session:
            hold = session.scalars(select(Hold).where(Hold.active)).first()
            assert hold is not None
            factory = Factory(session)
            other = factory.interpreter("ar")
            assert other.id > hold.resource_id  # the sequences were restored too
            moved = hold.starts_at + timedelta(minutes=30)
            clash = Hold(
                booking_id=hold.booking_id,
                resource_id=hold.resource_id,
                starts_at=moved,
                ends_at=moved + timedelta(hours=1),
                blocked_until=moved + timedelta(hours=1),
            )
            session.add(clash)
            with pytest.raises(IntegrityError, match="ex_holds_no_overlap"):
                session.commit()
    finally:
        source_engine.dispose()
        if restored_engine is not None:
            restored_engine.dispose()
        drop_database(source.render_as_string(False), restored.database or "")
