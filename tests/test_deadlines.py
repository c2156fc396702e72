"""A request stuck behind a lock gives up on the server: 503 with Retry-After, nothing written."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service import create_app
from service.models import Booking, OutboxMessage
from tests.held_locks import hold_booking_lock, seed_booking_request

pytestmark = pytest.mark.postgres_only


@pytest.fixture
def own_app(fresh_database) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app on a database of its own (the lock is held from a second connection), with a
    short lock deadline."""
    app = create_app({"DATABASE_URL": fresh_database(), "DB_LOCK_TIMEOUT_MS": 300})
    yield app
    app.extensions["zapis.engine"].dispose()


def _written(app: Flask) -> tuple[int, int]:
    with Session(app.extensions["zapis.engine"]) as session:
        bookings = session.scalar(select(func.count()).select_from(Booking))
        messages = session.scalar(select(func.count()).select_from(OutboxMessage))
        return int(bookings or 0), int(messages or 0)


def test_every_connection_carries_the_deadlines(own_app: Flask) -> None:
    with own_app.extensions["zapis.engine"].connect() as connection:
        assert connection.execute(text("SHOW lock_timeout")).scalar() == "300ms"
        assert connection.execute(text("SHOW statement_timeout")).scalar() == "5s"


def test_a_booking_behind_a_held_lock_answers_503_at_once_and_writes_nothing(
    own_app: Flask,
) -> None:
    headers, body, interpreter_id = seed_booking_request(own_app.extensions["zapis.engine"])
    client = own_app.test_client()
    holder = own_app.extensions["zapis.engine"].connect()
    try:
        # Another transaction books the same interpreter and does not finish.
        hold_booking_lock(holder, interpreter_id)

        answer = client.post("/api/v1/bookings", json=body, headers=headers)

        # answered while the lock is still held: the server gave up, it did not wait
        assert answer.status_code == 503, answer.json
        assert answer.headers["Retry-After"] == "2"
        assert answer.json["message"] == "The database is busy; try again in a moment."
        assert _written(own_app) == (0, 0)
    finally:
        holder.rollback()
        holder.close()

    retried = client.post("/api/v1/bookings", json=body, headers=headers)
    assert retried.status_code == 201, retried.json
    bookings, messages = _written(own_app)
    assert bookings == 1 and messages >= 1  # the confirmation (and reminders) queued once
