"""Test set-up: one migrated database per run, every test in a savepoint rolled back after.

With TEST_DATABASE_URL (a PostgreSQL server URL) the run creates its own database on that
server and drops it at the end; without it the run uses a fresh SQLite file.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from service import create_app
from service.plumbing.db import RequestSession, make_engine
from service.plumbing.migrate import upgrade
from tests.clients.libical import debian_python_with_libical
from tests.clients.npm import node_with_icaljs
from tests.factories import Factory

METRICS_TOKEN = "test-metrics-token-0123456789"
SCRAPER = {"Authorization": f"Bearer {METRICS_TOKEN}"}  # how Prometheus scrapes /metrics


def create_database(base_url: str, name: str) -> str:
    """Create database `name` on the server of `base_url` and return its URL."""
    url = make_url(base_url)
    admin = make_engine(
        url.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(False)


def drop_database(base_url: str, name: str) -> None:
    url = make_url(base_url)
    admin = make_engine(
        url.set(database="postgres").render_as_string(False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def fresh_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Return a function making a new, migrated database URL; all are dropped at the end."""
    base = os.environ.get("TEST_DATABASE_URL")
    made: list[str] = []

    def make() -> str:
        if base:
            name = f"zapis_test_{uuid.uuid4().hex[:12]}"
            made.append(name)
            url = create_database(base, name)
        else:
            url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'zapis.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url

    yield make
    for name in made:
        drop_database(base or "", name)


@pytest.fixture(scope="session")
def database_url(fresh_database) -> str:  # type: ignore[no-untyped-def]
    return fresh_database()


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    application = create_app(
        {"DATABASE_URL": database_url, "TESTING": True, "METRICS_TOKEN": METRICS_TOKEN}
    )
    yield application
    application.extensions["zapis.engine"].dispose()


@pytest.fixture(scope="session")
def engine(app: Flask) -> Engine:
    return app.extensions["zapis.engine"]


@pytest.fixture
def session(app: Flask, engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test, commits included."""
    connection = engine.connect()
    outer = connection.begin()
    bound = sessionmaker(
        bind=connection,
        class_=RequestSession,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    db_session = bound()
    original = app.extensions["zapis.sessionmaker"]
    app.extensions["zapis.sessionmaker"] = bound
    try:
        yield db_session
    finally:
        app.extensions["zapis.sessionmaker"] = original
        db_session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def factory(session: Session) -> Factory:
    return Factory(session)


@pytest.fixture
def client(app: Flask, session: Session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def admin(factory: Factory) -> dict[str, str]:
    """Authorization headers of an admin."""
    return factory.headers("admin")


@pytest.fixture
def is_postgres(database_url: str) -> bool:
    return database_url.startswith("postgresql")


@pytest.fixture(scope="session")
def node() -> str:
    """Node with ical.js installed, for the tests that read feeds as Thunderbird does."""
    return node_with_icaljs()


@pytest.fixture(scope="session")
def libical() -> str:
    """Debian's python3 with libical-glib, for the tests that read feeds as GNOME Calendar does."""
    return debian_python_with_libical()


ARTIFACTS = Path(__file__).parent / "artifacts"
