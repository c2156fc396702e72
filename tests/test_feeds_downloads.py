"""One booking as .ics, free/busy of a person, and an independent parser (ical.js) on a feed."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, timedelta

from icalendar import Calendar

from service import feeds
from tests.clients.npm import ICALJS_SCRIPT as SCRIPT
from tests.feed_helpers import events, fetch, next_working_day, subscribe, working_day


def test_a_booking_downloads_as_one_event_with_details_by_role(client, factory, admin):
    interpreter = factory.interpreter("ar")
    beneficiary = factory.beneficiary(language="ar", discreet=True)
    start = working_day(5)
    booking = factory.booking(
        [interpreter], start, beneficiary_ids=[beneficiary.id], notes="Bring the file"
    )
    staff = factory.headers("staff", resource_id=interpreter.id)

    as_admin = client.get(f"/api/v1/bookings/{booking.id}.ics", headers=admin)
    as_staff = client.get(f"/api/v1/bookings/{booking.id}.ics?locale=en", headers=staff)

    assert as_admin.status_code == as_staff.status_code == 200
    assert as_admin.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in as_admin.headers["Content-Disposition"]
    (full,) = events(as_admin.data)
    (limited,) = events(as_staff.data)
    assert str(full["uid"]) == str(limited["uid"]) == f"booking-{booking.id}@zapis"
    assert full.decoded("dtstart") == start
    assert "Bring the file" in str(full["description"])
    assert beneficiary.case_reference in str(full["description"])
    assert "Bring the file" not in str(limited["description"])
    assert beneficiary.case_reference not in str(limited["description"])
    assert "discreet case (ar)" in str(limited["description"])
    # A download imports one event; it does not offer a new subscribed calendar.
    assert "X-WR-CALNAME" not in Calendar.from_ical(as_admin.data)


def test_a_booking_download_is_authorised_like_reading_the_booking(client, factory, admin):
    interpreter, other = factory.interpreter(), factory.interpreter()
    booking = factory.booking([interpreter], working_day(5))
    factory.office("burgas")
    outsider = factory.headers("staff", resource_id=other.id)
    burgas = factory.headers("coordinator", offices=["burgas"])
    assert client.get(f"/api/v1/bookings/{booking.id}.ics", headers=outsider).status_code == 404
    assert client.get(f"/api/v1/bookings/{booking.id}.ics", headers=burgas).status_code == 404
    assert client.get(f"/api/v1/bookings/{booking.id}.ics").status_code == 401
    assert client.get("/api/v1/bookings/999999.ics", headers=admin).status_code == 404
    bad = client.get(f"/api/v1/bookings/{booking.id}.ics?locale=fr", headers=admin)
    assert bad.status_code == 422
    assert "locale" in bad.json["errors"]["query"]


def test_a_rescheduled_booking_downloads_with_the_feed_sequence(client, factory, admin):
    interpreter = factory.interpreter()
    start = working_day(5)
    booking = factory.booking([interpreter], start)
    moved = next_working_day(start, 11)
    client.post(
        f"/api/v1/bookings/{booking.id}/reschedule",
        json={
            "version": booking.version,
            "starts_at": moved.isoformat(),
            "ends_at": (moved + timedelta(hours=1)).isoformat(),
        },
        headers=admin,
    )
    (event,) = events(client.get(f"/api/v1/bookings/{booking.id}.ics", headers=admin).data)
    assert event["sequence"] == 1
    assert event.decoded("dtstart") == moved

    client.post(f"/api/v1/bookings/{booking.id}/cancel", json={"reason": "x"}, headers=admin)
    gone = client.get(f"/api/v1/bookings/{booking.id}.ics", headers=admin)
    assert gone.status_code == 409


def test_free_busy_lists_bookings_and_time_off_merged(client, factory, admin):
    interpreter = factory.interpreter()
    day = working_day(5, 9)
    factory.booking([interpreter], day, minutes=60)
    factory.booking([interpreter], day + timedelta(hours=1, minutes=15), minutes=45)
    cancelled = factory.booking([interpreter], day + timedelta(hours=5), minutes=30)
    client.post(f"/api/v1/bookings/{cancelled.id}/cancel", json={"reason": "x"}, headers=admin)
    away_from = next_working_day(day, 0)  # a later day, even counted from a holiday
    client.post(
        f"/api/v1/resources/{interpreter.id}/time-off",
        json={
            "starts_at": away_from.isoformat(),
            "ends_at": (away_from + timedelta(days=1)).isoformat(),
        },
        headers=admin,
    )
    start, end = day.replace(hour=0), day.replace(hour=0) + timedelta(days=10)

    answer = client.get(
        f"/api/v1/resources/{interpreter.id}/freebusy",
        query_string={"start": start.isoformat(), "end": end.isoformat()},
        headers=admin,
    )

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    (freebusy,) = Calendar.from_ical(answer.data).walk("VFREEBUSY")
    spans = [period.dt for period in freebusy["FREEBUSY"]]
    assert spans == [
        (day, day + timedelta(hours=1)),
        (day + timedelta(hours=1, minutes=15), day + timedelta(hours=2)),
        (away_from, away_from + timedelta(days=1)),
    ]


def test_free_busy_refuses_bad_ranges_naming_the_field(client, factory, admin):
    interpreter = factory.interpreter()
    day = working_day(5)
    url = f"/api/v1/resources/{interpreter.id}/freebusy"
    for query, field in (
        ({"end": day.isoformat()}, "start"),
        ({"start": day.isoformat(), "end": (day - timedelta(hours=1)).isoformat()}, "end"),
        ({"start": day.isoformat(), "end": (day + timedelta(days=400)).isoformat()}, "end"),
        ({"start": "soon", "end": day.isoformat()}, "start"),
    ):
        answer = client.get(url, query_string=query, headers=admin)
        assert answer.status_code == 422, query
        assert field in answer.json["errors"]["query"]
    missing = client.get(
        "/api/v1/resources/999999/freebusy",
        query_string={"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        headers=admin,
    )
    assert missing.status_code == 404


def test_icaljs_reads_the_same_events_from_an_office_feed(client, factory, admin, node, tmp_path):
    interpreter, room = factory.interpreter("uk"), factory.room("sofia")
    beneficiary = factory.beneficiary(language="uk")
    booked = [
        factory.booking([interpreter, room], working_day(3), beneficiary_ids=[beneficiary.id]),
        factory.booking([interpreter], working_day(40, 16), notes="Довести преводача"),
        factory.booking([interpreter], working_day(150, 9, 30), status="tentative"),
        factory.booking([room], working_day(200, 12), minutes=180, type="community_event"),
    ]
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    path = tmp_path / "office.ics"
    path.write_bytes(fetch(client, feed).data)

    result = icaljs_events(node, path)

    seen = sorted((o["uid"], o["start"], o["end"], o["summary"]) for o in result)
    expected = sorted(
        (
            f"booking-{b.id}@zapis",
            b.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            b.ends_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            str(e["summary"]),
        )
        for b, e in zip(booked, events(path.read_bytes()), strict=True)
    )
    assert seen == expected


def icaljs_events(node: str, path) -> list[dict]:
    result = subprocess.run(
        [node, str(SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_rebuild_all_gives_the_same_bytes(client, factory, admin, session):
    interpreter = factory.interpreter()
    factory.booking([interpreter], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="limited")
    before = fetch(client, feed)
    assert feeds.rebuild_all(session) == 1
    session.commit()
    after = fetch(client, feed)
    assert after.data == before.data
