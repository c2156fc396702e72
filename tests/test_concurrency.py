"""Many writers at once: the database lets exactly one of them hold a person for a slot."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.models import Booking, Hold
from service.plumbing.db import make_engine
from service.plumbing.errors import Conflict
from tests.factories import Factory

SOFIA = ZoneInfo("Europe/Sofia")
WRITERS = 12


@pytest.fixture
def own_database(fresh_database):
    """A database of its own, because the writers need separate connections."""
    engine = make_engine(fresh_database(), pool_size=WRITERS, max_overflow=0)
    yield engine
    engine.dispose()


def test_exactly_one_of_many_concurrent_bookings_wins(own_database):
    with Session(own_database) as session:
        factory = Factory(session)
        interpreter = factory.interpreter("ckb", offices=("harmanli",))
        interpreter_id = interpreter.id
    make_session = sessionmaker(own_database)
    start = datetime(2027, 2, 2, 10, tzinfo=SOFIA)
    barrier = threading.Barrier(WRITERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def book(n: int) -> None:
        request = BookingRequest(
            type="interpretation",
            office="harmanli",
            resource_ids=[interpreter_id],
            starts_at=start + timedelta(minutes=n % 3 * 15),
            ends_at=start + timedelta(minutes=60),
        )
        barrier.wait()
        with make_session() as session:
            try:
                create_booking(session, request, Actor(f"writer {n}"), BookingPolicy())
                session.commit()
                result = "booked"
            except Conflict:
                session.rollback()
                result = "conflict"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=book, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked"] + ["conflict"] * (WRITERS - 1)
    with Session(own_database) as session:
        holds = session.scalars(
            select(Hold).where(Hold.resource_id == interpreter_id, Hold.active)
        ).all()
        assert len(holds) == 1


@pytest.mark.postgres_only
def test_the_exclusion_constraint_refuses_overlapping_holds_written_behind_the_service(
    session, factory, is_postgres
):
    assert is_postgres, "this test needs TEST_DATABASE_URL (PostgreSQL)"
    interpreter = factory.interpreter()
    booking = factory.booking([interpreter], datetime(2027, 2, 2, 10, tzinfo=SOFIA))
    other = factory.booking([factory.interpreter()], datetime(2027, 2, 2, 10, tzinfo=SOFIA))
    hold = booking.holds[0]
    sneaky = {
        "booking_id": other.id,
        "resource_id": interpreter.id,
        "active": True,
        "starts_at": hold.ends_at,
        "ends_at": hold.ends_at + timedelta(hours=1),
        "blocked_until": hold.ends_at + timedelta(hours=1),
    }
    with pytest.raises(IntegrityError, match="ex_holds_no_overlap"), session.begin_nested():
        session.execute(
            insert(Hold).values(**sneaky | {"starts_at": hold.ends_at - timedelta(minutes=1)})
        )
    # Right after the buffer the same row is accepted, and a cancelled hold never blocks.
    with session.begin_nested():
        session.execute(insert(Hold).values(**sneaky | {"starts_at": hold.blocked_until}))
    with session.begin_nested():
        session.execute(
            insert(Hold).values(**sneaky | {"starts_at": hold.starts_at, "active": False})
        )
    assert session.scalar(select(Booking.id).where(Booking.id == booking.id)) == booking.id
