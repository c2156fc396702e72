"""Availability agrees slot for slot with booking: holds, buffers, travel, other modalities."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.plumbing.errors import DomainError

SOFIA = ZoneInfo("Europe/Sofia")
TUESDAY = datetime(2027, 2, 2, tzinfo=SOFIA)


def test_offered_slots_are_exactly_the_bookable_ones(client, factory, admin, session):
    person = factory.interpreter("ar", offices=("sofia", "burgas"))
    other = factory.interpreter("ar", offices=("sofia",))
    factory.booking([person], TUESDAY.replace(hour=9), office="burgas")  # travel to Sofia
    factory.booking(
        [person],
        TUESDAY.replace(hour=16, minute=15),
        modality="video",
        remote_link="https://v.example/1",
    )
    factory.booking([other], TUESDAY.replace(hour=11))  # buffer after it
    # A gap exactly one hour and two buffers long: 10:15 ends at 11:15, its buffer at 11:30.
    between = factory.interpreter("ar", offices=("sofia",))
    factory.booking([between], TUESDAY.replace(hour=9))
    factory.booking([between], TUESDAY.replace(hour=11, minute=30))
    cancelled = factory.booking([other], TUESDAY.replace(hour=14))
    client.post(f"/api/v1/bookings/{cancelled.id}/cancel", json={"reason": "ill"}, headers=admin)

    query = {
        "kind": "interpreter",
        "language": "ar",
        "office": "sofia",
        "start": TUESDAY.isoformat(),
        "end": (TUESDAY + timedelta(days=1)).isoformat(),
        "duration": 60,
    }
    answer = client.get("/api/v1/availability", query_string=query, headers=admin)
    assert answer.status_code == 200
    offered = {
        (r["resource_id"], datetime.fromisoformat(s["starts_at"]))
        for r in answer.get_json()
        for s in r["slots"]
    }
    assert {rid for rid, _ in offered} == {person.id, other.id, between.id}
    after_travel = TUESDAY.replace(hour=14, minute=30)  # 10:00 + 270 min from Burgas
    assert (person.id, after_travel) in offered
    assert (person.id, after_travel - timedelta(minutes=15)) not in offered
    assert (person.id, TUESDAY.replace(hour=15)) in offered  # video at 16:15: no travel
    assert (person.id, TUESDAY.replace(hour=15, minute=15)) not in offered  # its buffer
    assert (other.id, TUESDAY.replace(hour=12, minute=15)) in offered  # 12:00 + buffer
    assert (other.id, TUESDAY.replace(hour=12)) not in offered
    assert (other.id, TUESDAY.replace(hour=14)) in offered  # its booking was cancelled
    assert (between.id, TUESDAY.replace(hour=10, minute=15)) in offered  # touches both
    assert (between.id, TUESDAY.replace(hour=10, minute=30)) not in offered
    for resource in (person, other, between):
        for quarter in range(34):
            start = TUESDAY.replace(hour=9) + timedelta(minutes=15 * quarter)
            request = BookingRequest(
                type="interpretation",
                office="sofia",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                resource_ids=[resource.id],
            )
            savepoint = session.begin_nested()
            try:
                create_booking(session, request, Actor("tests"), BookingPolicy())
                session.flush()
                bookable = True
            except DomainError:
                bookable = False
            finally:
                savepoint.rollback()
            assert bookable == ((resource.id, start) in offered), (resource.id, start)
