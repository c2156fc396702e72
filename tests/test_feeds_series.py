"""Series in the feeds: a series reaches its people's and office's feeds as one VEVENT (master
with RRULE, EXDATE and overrides; see test_feeds_series_rrule.py), public events the public feed."""

from __future__ import annotations

from icalendar import Calendar

from tests.feed_helpers import events, fetch, series_start, subscribe, working_day
from tests.test_series import create, occurrences, series_body, teacher_and_room


def vevents(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def test_a_course_reaches_the_teachers_feed_as_one_series(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = series_start(14, occurrences=3, every_days=1)
    course = create(
        client, admin, series_body([teacher.id, room.id], start=start, rrule="FREQ=DAILY;COUNT=3")
    )
    assert course.status_code == 201, course.json
    feed = subscribe(client, admin, scope="resource", resource_id=teacher.id, privacy="limited")

    ics = fetch(client, feed).data
    (master,) = vevents(ics)  # one VEVENT for the whole series, not one per occurrence
    assert str(master["uid"]) == f"series-{course.json['id']}@zapis"
    assert "rrule" in master
    found = events(ics)
    held = occurrences(client, admin, course.json["id"])
    assert [e.decoded("dtstart").isoformat() for e in found] == [o["starts_at"] for o in held]

    first = held[0]["id"]
    cancelled = client.post(
        f"/api/v1/series/{course.json['id']}/occurrences/{first}/cancel",
        json={"reason": "ill"},
        headers=admin,
    )
    assert cancelled.status_code == 200, cancelled.json
    ics = fetch(client, feed).data
    (master,) = vevents(ics)  # the cancelled occurrence is an EXDATE of the same VEVENT
    assert "exdate" in master
    assert len(events(ics)) == len(held) - 1


def test_a_public_event_series_reaches_the_public_feed_until_it_is_made_private(
    client, factory, admin
):
    _, room = teacher_and_room(factory)
    start = series_start(21, occurrences=2, every_days=7, hour=14)
    event = create(
        client,
        admin,
        series_body(
            [room.id],
            start=start,
            type="community_event",
            title="Open day",
            rrule="FREQ=WEEKLY;COUNT=2",
            public=True,
        ),
    )
    assert event.status_code == 201, event.json
    public = subscribe(client, admin, scope="public", privacy="public", locale="en")
    ics = fetch(client, public).data
    assert len(vevents(ics)) == 1
    assert len(events(ics)) == 2

    private = client.patch(
        f"/api/v1/series/{event.json['id']}", json={"public": False}, headers=admin
    )
    assert private.status_code == 200, private.json
    assert events(fetch(client, public).data) == []


def test_only_a_community_event_can_be_public(client, factory, admin):
    interpreter = factory.interpreter()
    start = working_day(7, 10)
    answer = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "resource_ids": [interpreter.id],
            "public": True,
            "starts_at": start.isoformat(),
            "ends_at": start.replace(hour=11).isoformat(),
        },
        headers=admin,
    )
    assert answer.status_code == 422
    assert "public" in answer.json["errors"]["json"]
