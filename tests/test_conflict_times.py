"""A 409 names the clashing times in Europe/Sofia with their offset, as the README promises."""

from __future__ import annotations

from datetime import datetime

from service.plumbing.clock import SOFIA
from tests.test_bookings_api import body
from tests.test_series import create, series_body, teacher_and_room

BEFORE_DST = datetime(2027, 3, 24, 11, tzinfo=SOFIA)  # Wednesday, EET (+02:00)
AFTER_DST = datetime(2027, 3, 31, 11, tzinfo=SOFIA)  # Wednesday, EEST (+03:00)


def test_a_booking_clash_shows_the_held_time_in_sofia_on_both_sides_of_the_clock_change(
    client, factory, admin
):
    interpreter = factory.interpreter()
    for start in (BEFORE_DST, AFTER_DST):
        held = factory.booking([interpreter], start)

        answer = client.post("/api/v1/bookings", json=body([interpreter.id], start), headers=admin)

        assert answer.status_code == 409
        (conflict,) = answer.json["errors"]["conflicts"]
        assert conflict["booking_id"] == held.id
        assert (conflict["starts_at"], conflict["ends_at"]) == (
            start.isoformat(),
            start.replace(hour=12).isoformat(),
        )
    assert BEFORE_DST.isoformat() == "2027-03-24T11:00:00+02:00"
    assert AFTER_DST.isoformat() == "2027-03-31T11:00:00+03:00"


def test_a_series_clash_lists_every_time_in_sofia_across_the_clock_change(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    busy = [factory.booking([teacher], start) for start in (BEFORE_DST, AFTER_DST)]

    answer = create(client, admin, series_body([teacher.id, room.id]))

    assert answer.status_code == 409
    conflicts = answer.json["errors"]["conflicts"]
    assert [(c["booking_id"], c["starts_at"], c["ends_at"]) for c in conflicts] == [
        (busy[0].id, "2027-03-24T11:00:00+02:00", "2027-03-24T12:00:00+02:00"),
        (busy[1].id, "2027-03-31T11:00:00+03:00", "2027-03-31T12:00:00+03:00"),
    ]
    assert [c["occurrence_starts_at"] for c in conflicts] == [
        "2027-03-24T10:00:00+02:00",
        "2027-03-31T10:00:00+03:00",
    ]


def test_a_series_outside_opening_hours_names_its_times_in_sofia(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 3, 22, 16, 30, tzinfo=SOFIA)

    answer = create(client, admin, series_body([teacher.id, room.id], start=start))

    assert answer.status_code == 409
    hours = [c for c in answer.json["errors"]["conflicts"] if c["reason"] == "hours"]
    starts = [c["starts_at"] for c in hours]
    assert "2027-03-22T16:30:00+02:00" in starts
    assert "2027-03-29T16:30:00+03:00" in starts


def test_time_off_clashes_are_shown_in_sofia_both_ways(client, factory, admin):
    interpreter = factory.interpreter()
    held = factory.booking([interpreter], AFTER_DST)
    leave = {
        "starts_at": "2027-03-31T00:00:00+03:00",
        "ends_at": "2027-04-01T00:00:00+03:00",
        "reason": "leave",
    }
    path = f"/api/v1/resources/{interpreter.id}/time-off"

    refused = client.post(path, json=leave, headers=admin)

    assert refused.status_code == 409
    (clash,) = refused.json["errors"]["conflicts"]
    assert (clash["booking_id"], clash["starts_at"]) == (held.id, "2027-03-31T11:00:00+03:00")

    client.post(f"/api/v1/bookings/{held.id}/cancel", json={"reason": "x"}, headers=admin)
    assert client.post(path, json=leave, headers=admin).status_code == 201
    away = client.post(
        "/api/v1/bookings", json=body([interpreter.id], BEFORE_DST.replace(day=31)), headers=admin
    )
    assert away.status_code == 409
    (conflict,) = away.json["errors"]["conflicts"]
    assert conflict["reason"] == "time_off"
    assert (conflict["starts_at"], conflict["ends_at"]) == (
        "2027-03-31T00:00:00+03:00",
        "2027-04-01T00:00:00+03:00",
    )
