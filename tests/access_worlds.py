"""One office's objects for the authorisation matrices of the API and the console."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.models import OutboxMessage, SmsReply
from service.plumbing.clock import utcnow
from tests.feed_helpers import series_start


def build_world(client, factory, session, admin, office: str) -> dict[str, Any]:
    """Build one office's objects: people, a beneficiary, a booking with SMS, a series with an
    enrolment, an office feed, a reply and a token."""
    interpreter = factory.interpreter("fa", offices=(office,))
    teacher = factory.person("teacher", offices=(office,), languages=("bg",))
    room = factory.room(office, capacity=10)
    person = factory.beneficiary(
        offices=(office,), language="fa", phone="+359888123456" if office == "sofia" else None
    )
    # The weekly series below starts on this day, three weeks running.
    start = series_start(14 if office == "sofia" else 15, occurrences=3, every_days=7)
    booking = factory.booking(
        [interpreter, room], start, office=office, beneficiary_ids=[person.id]
    )
    series = client.post(
        "/api/v1/series",
        json={
            "type": "language_class",
            "office": office,
            "title": "Bulgarian A1",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "starts_at": (start + timedelta(hours=3)).isoformat(),
            "ends_at": (start + timedelta(hours=4)).isoformat(),
            "resource_ids": [teacher.id, interpreter.id, room.id],
            "capacity": 5,
        },
        headers=admin,
    )
    assert series.status_code == 201, series.json
    series_id = series.json["id"]
    occurrence = client.get(f"/api/v1/series/{series_id}/occurrences", headers=admin).json[0]
    enrolled = client.post(
        f"/api/v1/series/{series_id}/enrolments", json={"beneficiary_id": person.id}, headers=admin
    )
    assert enrolled.status_code == 201, enrolled.json
    feed = client.post(
        "/api/v1/feeds",
        json={"scope": "office", "office": office, "privacy": "full"},
        headers=admin,
    )
    assert feed.status_code == 201, feed.json
    message = OutboxMessage(
        dedupe_key=f"matrix:{office}",
        kind="reminder",
        status="failed",
        booking_id=booking.id,
        beneficiary_id=person.id,
        to="+359888123456",
        body="x",
        language="fa",
        encoding="GSM-7",
        segments=1,
        estimated_cost=0,
        due_at=utcnow(),
        event_at=booking.starts_at,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    session.add(message)
    session.add(
        SmsReply(
            beneficiary_id=person.id,
            booking_id=booking.id,
            from_phone="+359888123456",
            body="ok",
            received_at=utcnow(),
        )
    )
    session.commit()
    token_id = client.get("/api/v1/tokens", headers=admin).json[-1]["id"]
    return {
        "office": office,
        "code": office,
        "interpreter": interpreter.id,
        "interpreter_id": interpreter.id,
        "resource_id": interpreter.id,
        "room": room.id,
        "teacher": teacher.id,
        "beneficiary_id": person.id,
        "case_reference": person.case_reference,
        "booking_id": booking.id,
        "booking_version": booking.version,
        "start": start,
        "series_id": series_id,
        "occurrence_id": occurrence["id"],
        "enrolment_id": enrolled.json["id"],
        "feed_id": feed.json["id"],
        "outbox_id": message.id,
        "token_id": token_id,
        "day": (start + timedelta(days=60)).date().isoformat(),
    }
