"""Liveness and readiness probes, as a load balancer or orchestrator sees them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic import command
from flask import Flask

from service import create_app
from service.plumbing import migrate
from service.plumbing.db import make_engine
from service.plumbing.migrate import alembic_config
from tests.conftest import create_database, drop_database


def _app(url: str) -> Flask:
    return create_app({"DATABASE_URL": url, "TESTING": True})


@pytest.fixture
def app_on(tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    made: list[Flask] = []

    def make(url: str) -> Flask:
        made.append(_app(url))
        return made[-1]

    yield make
    for application in made:
        application.extensions["zapis.engine"].dispose()


@pytest.fixture
def behind_database(tmp_path: Path) -> Iterator[str]:
    """A database whose newest migration has been rolled back."""
    base = os.environ.get("TEST_DATABASE_URL")
    name = f"zapis_test_{uuid.uuid4().hex[:12]}"
    url = create_database(base, name) if base else f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    engine = make_engine(url)
    command.upgrade(alembic_config(engine), "2026_11_25_core")  # the later branches missing
    engine.dispose()
    yield url
    if base:
        drop_database(base, name)


def test_health_answers_while_the_process_runs(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok"}


def test_ready_when_the_database_is_migrated(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/ready")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ready"}


def test_not_ready_while_a_migration_is_missing(behind_database, app_on) -> None:  # type: ignore[no-untyped-def]
    answer = app_on(behind_database).test_client().get("/ready")
    assert answer.status_code == 503
    assert "migrat" in answer.get_json()["message"]
    assert app_on(behind_database).test_client().get("/health").status_code == 200


def test_not_ready_while_the_database_is_unreachable(tmp_path, app_on) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'no-such-dir' / 'zapis.sqlite3'}"
    answer = app_on(url).test_client().get("/ready")
    assert answer.status_code == 503
    assert answer.get_json()["message"] == "The database is unreachable."


def test_an_installed_package_finds_the_migrations_in_its_working_directory(
    tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The Docker image installs a wheel (no migrations inside) and copies them to /app."""
    monkeypatch.delenv("MIGRATIONS_DIR", raising=False)
    monkeypatch.setattr(migrate, "BESIDE_PACKAGE", tmp_path / "site-packages" / "migrations")
    monkeypatch.chdir(tmp_path)
    assert migrate.migrations_dir() == tmp_path / "migrations"
    monkeypatch.setenv("MIGRATIONS_DIR", "/srv/migrations")
    assert migrate.migrations_dir() == Path("/srv/migrations")
