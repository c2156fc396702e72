"""Booking through the API: the fixed contract, conflicts, cancellation and rescheduling."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

SOFIA = ZoneInfo("Europe/Sofia")
TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=SOFIA)


def body(resource_ids, start=TUESDAY_10, minutes=60, **extra):
    return {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "resource_ids": resource_ids,
        "beneficiary_ids": [],
    } | extra


def test_booking_is_created_and_the_same_slot_is_refused_naming_the_collision(
    client, factory, admin
):
    interpreter = factory.interpreter("ckb")
    beneficiary = factory.beneficiary(language="ckb")

    first = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], beneficiary_ids=[beneficiary.id]),
        headers=admin,
    )
    assert first.status_code == 201, first.json
    assert first.json["status"] == "confirmed"
    assert first.json["version"] == 1
    assert first.json["starts_at"] == "2027-02-02T10:00:00+02:00"

    again = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    assert again.status_code == 409
    conflict = again.json["errors"]["conflicts"][0]
    assert conflict["resource_id"] == interpreter.id
    assert conflict["booking_id"] == first.json["id"]
    assert conflict["starts_at"] == "2027-02-02T10:00:00+02:00"  # Europe/Sofia, as documented
    assert {"resource_id", "booking_id", "starts_at", "ends_at"} <= conflict.keys()


def test_cancelling_frees_the_time_at_once(client, factory, admin):
    interpreter = factory.interpreter()
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json

    cancelled = client.post(
        f"/api/v1/bookings/{booked['id']}/cancel", json={"reason": "ill"}, headers=admin
    )

    assert cancelled.status_code == 200
    assert cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancel_reason"] == "ill"
    again = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    assert again.status_code == 201


def test_a_booking_holds_all_its_resources_or_none(client, factory, admin):
    interpreter, other = factory.interpreter(), factory.interpreter()
    room = factory.room("sofia")
    client.post("/api/v1/bookings", json=body([other.id, room.id]), headers=admin)

    refused = client.post("/api/v1/bookings", json=body([interpreter.id, room.id]), headers=admin)
    assert refused.status_code == 409
    assert refused.json["errors"]["conflicts"][0]["resource_id"] == room.id

    listed = client.get(f"/api/v1/bookings?resource_id={interpreter.id}", headers=admin)
    assert listed.json == []


@pytest.mark.parametrize(
    ("gap_minutes", "status"),
    [(0, 409), (10, 409), (14, 409), (15, 201), (30, 201)],
)
def test_a_person_gets_the_buffer_between_bookings(client, factory, admin, gap_minutes, status):
    interpreter = factory.interpreter()
    client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)

    later = TUESDAY_10 + timedelta(minutes=60 + gap_minutes)
    assert (
        client.post(
            "/api/v1/bookings", json=body([interpreter.id], start=later), headers=admin
        ).status_code
        == status
    )


def test_a_room_needs_no_buffer(client, factory, admin):
    room = factory.room("sofia")
    client.post("/api/v1/bookings", json=body([room.id]), headers=admin)
    back_to_back = client.post(
        "/api/v1/bookings",
        json=body([room.id], start=TUESDAY_10 + timedelta(hours=1)),
        headers=admin,
    )
    assert back_to_back.status_code == 201


@pytest.mark.parametrize(
    ("gap_minutes", "status"), [(120, 409), (269, 409), (270, 201), (300, 201)]
)
def test_travel_from_sofia_to_burgas_is_respected(client, factory, admin, gap_minutes, status):
    """Sofia to Burgas is about four and a half hours' drive."""
    interpreter = factory.interpreter(offices=("sofia", "burgas"))
    client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], start=TUESDAY_10 - timedelta(hours=1)),
        headers=admin,
    )

    start = TUESDAY_10 + timedelta(minutes=gap_minutes)
    answer = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=start, office="burgas"), headers=admin
    )
    assert answer.status_code == status, answer.json
    if status == 409:
        assert answer.json["errors"]["conflicts"][0]["reason"] == "travel"


def test_a_video_booking_needs_no_travel(client, factory, admin):
    interpreter = factory.interpreter(offices=("sofia", "burgas"))
    client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    video = body(
        [interpreter.id],
        start=TUESDAY_10 + timedelta(hours=1, minutes=30),
        office="burgas",
        modality="video",
        remote_link="https://meet.example.org/x",
    )
    assert client.post("/api/v1/bookings", json=video, headers=admin).status_code == 201


def test_reschedule_with_the_version_read_and_a_stale_version_is_refused(client, factory, admin):
    interpreter = factory.interpreter()
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json
    later = TUESDAY_10 + timedelta(hours=2)
    move = {
        "version": booked["version"],
        "starts_at": later.isoformat(),
        "ends_at": (later + timedelta(hours=1)).isoformat(),
    }

    moved = client.post(f"/api/v1/bookings/{booked['id']}/reschedule", json=move, headers=admin)
    assert moved.status_code == 200, moved.json
    assert moved.json["starts_at"] == "2027-02-02T12:00:00+02:00"
    assert moved.json["version"] == booked["version"] + 1

    stale = client.post(f"/api/v1/bookings/{booked['id']}/reschedule", json=move, headers=admin)
    assert stale.status_code == 409
    assert stale.json["errors"]["current_version"] == moved.json["version"]
    assert "version" in stale.json["errors"]["json"]

    # The old time is free again, the new one is held.
    assert (
        client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/bookings", json=body([interpreter.id], start=later), headers=admin
        ).status_code
        == 409
    )


def test_life_cycle_tentative_confirmed_completed_and_the_audit_trail(client, factory, admin):
    interpreter = factory.interpreter()
    past = datetime(2026, 11, 3, 10, tzinfo=SOFIA)
    recorded = {"record_past": True, "record_past_reason": "booked on paper"}
    booked = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], start=past, status="tentative", **recorded),
        headers=admin,
    ).json
    assert booked["status"] == "tentative"
    # A tentative booking holds its resources like a confirmed one.
    assert (
        client.post(
            "/api/v1/bookings", json=body([interpreter.id], start=past, **recorded), headers=admin
        ).status_code
        == 409
    )

    assert (
        client.post(f"/api/v1/bookings/{booked['id']}/complete", headers=admin).status_code == 409
    )
    assert (
        client.post(f"/api/v1/bookings/{booked['id']}/confirm", headers=admin).json["status"]
        == "confirmed"
    )
    assert (
        client.post(f"/api/v1/bookings/{booked['id']}/complete", headers=admin).json["status"]
        == "completed"
    )
    assert (
        client.post(
            f"/api/v1/bookings/{booked['id']}/cancel", json={"reason": "x"}, headers=admin
        ).status_code
        == 409
    )

    trail = client.get(f"/api/v1/bookings/{booked['id']}/audit", headers=admin).json
    assert [e["action"] for e in trail] == ["record_past", "confirm", "complete"]
    assert trail[1]["before"]["status"] == "tentative"
    assert trail[1]["after"]["status"] == "confirmed"


def test_future_booking_cannot_be_marked_no_show(client, factory, admin):
    interpreter = factory.interpreter()
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json
    assert client.post(f"/api/v1/bookings/{booked['id']}/no-show", headers=admin).status_code == 409


def test_admin_may_override_opening_hours_and_the_audit_log_says_so(client, factory, admin):
    interpreter = factory.interpreter()
    evening = TUESDAY_10.replace(hour=19)
    refused = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=evening), headers=admin
    )
    assert refused.status_code == 422
    assert "starts_at" in refused.json["errors"]["json"]

    allowed = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=evening, override=True), headers=admin
    )
    assert allowed.status_code == 201
    trail = client.get(f"/api/v1/bookings/{allowed.json['id']}/audit", headers=admin).json
    assert trail[0]["action"] == "override_create"


def test_a_coordinator_may_not_override(client, factory):
    interpreter = factory.interpreter()
    coordinator = factory.headers("coordinator", offices=["sofia"])
    evening = TUESDAY_10.replace(hour=19)
    answer = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], start=evening, override=True),
        headers=coordinator,
    )
    assert answer.status_code == 422
    assert "override" in answer.json["errors"]["json"]


def test_bookings_list_filters_and_paginates(client, factory, admin):
    interpreter = factory.interpreter()
    for day in range(3):
        client.post(
            "/api/v1/bookings",
            json=body([interpreter.id], start=TUESDAY_10 + timedelta(days=day)),
            headers=admin,
        )

    page = client.get(f"/api/v1/bookings?resource_id={interpreter.id}&page_size=2", headers=admin)
    assert page.status_code == 200
    assert len(page.json) == 2
    assert '"total": 3' in page.headers["X-Pagination"]
    window = client.get(
        "/api/v1/bookings",
        query_string={
            "resource_id": interpreter.id,
            "start": "2027-02-03T00:00:00+02:00",
            "end": "2027-02-04T00:00:00+02:00",
        },
        headers=admin,
    )
    assert [b["starts_at"] for b in window.json] == ["2027-02-03T10:00:00+02:00"]
