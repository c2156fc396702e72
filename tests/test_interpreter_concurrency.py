"""Many coordinators booking one interpreter at once: the daily hour limit still holds."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.interpreters.interpreter_rules import InterpreterRuleBroken
from service.models import Booking, Hold
from service.plumbing.db import make_engine
from service.plumbing.errors import Conflict
from tests.factories import Factory

SOFIA = ZoneInfo("Europe/Sofia")
SLOTS = 7  # one-hour sessions 15 minutes apart, 9:00 to 17:30: seven hours, two past the limit
WRITERS = 2 * SLOTS  # each slot wanted twice


@pytest.fixture
def own_database(fresh_database):
    """A database of its own, because the writers need separate connections."""
    engine = make_engine(fresh_database(), pool_size=WRITERS, max_overflow=0)
    yield engine
    engine.dispose()


def test_racing_bookings_never_pass_an_interpreters_daily_limit(own_database):
    with Session(own_database) as session:
        interpreter_id = Factory(session).interpreter("ar").id
    make_session = sessionmaker(own_database)
    first = datetime(2027, 2, 2, 9, tzinfo=SOFIA)
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(n: int) -> None:
        start = first + timedelta(minutes=75 * (n % SLOTS))
        request = BookingRequest(
            type="counselling",
            office="sofia",
            resource_ids=[interpreter_id],
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
        barrier.wait()
        with make_session() as session:
            try:
                create_booking(session, request, Actor(f"coordinator {n}"), BookingPolicy())
                session.commit()
                result = "booked"
            except InterpreterRuleBroken as exc:
                session.rollback()
                result = exc.code or "refused"
            except Conflict:
                session.rollback()
                result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == WRITERS
    assert outcomes.count("booked") == 5
    assert set(outcomes) <= {"booked", "conflict", "interpreter_hours_day"}
    assert "interpreter_hours_day" in outcomes
    with Session(own_database) as session:
        held = session.execute(
            select(Hold.starts_at, Hold.ends_at)
            .join(Booking, Hold.booking_id == Booking.id)
            .where(Hold.resource_id == interpreter_id, Hold.active)
        ).all()
    assert sum((end - start for start, end in held), timedelta()) == timedelta(hours=5)
