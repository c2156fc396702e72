"""Per-person feeds show per-person truth: a substitute's feed holds the one class she gives,
and the regular teacher's feed no longer holds it; the same for rooms.  Office and public
feeds keep showing the whole series.

Every feed is expanded as clients expand it: by recurring_ical_events and by ical.js
(Thunderbird's parser, through node), and compared with the occurrences each is booked on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from service.models import FeedSeriesItem, FeedSeriesResourcePiece
from tests.feed_helpers import fetch, subscribe
from tests.test_feeds_series_rrule import (
    exdates,
    expanded,
    icaljs_starts,
    listed,
    live,
    utc_listed,
    vevents,
)
from tests.test_series import create, series_body, teacher_and_room


@dataclass
class Course:
    """A twelve-week Mon/Wed course (22 classes) with its teacher's and room's limited feeds."""

    series: dict
    teacher: int
    room: int
    teacher_feed: dict
    room_feed: dict


@pytest.fixture
def course(client, factory, admin) -> Course:
    teacher, room = teacher_and_room(factory)
    answer = create(client, admin, series_body([teacher.id, room.id]))
    assert answer.status_code == 201, answer.json
    return Course(
        series=answer.json,
        teacher=teacher.id,
        room=room.id,
        teacher_feed=subscribe(
            client, admin, scope="resource", resource_id=teacher.id, privacy="limited"
        ),
        room_feed=subscribe(client, admin, scope="resource", resource_id=room.id, privacy="busy"),
    )


def move(client, admin, course: Course, occurrence: dict, **body):
    answer = client.post(
        f"/api/v1/series/{course.series['id']}/occurrences/{occurrence['id']}/move",
        json={"starts_at": occurrence["starts_at"], "ends_at": occurrence["ends_at"]} | body,
        headers=admin,
    )
    assert answer.status_code == 200, answer.json
    return answer.json


def booked_on_series(client, admin, series: dict, resource_id: int) -> list[dict]:
    """The live occurrences a person or room is booked on, from the series API."""
    return [o for o in live(client, admin, series["id"]) if resource_id in o["resource_ids"]]


def booked_on(client, admin, course: Course, resource_id: int) -> list[dict]:
    return booked_on_series(client, admin, course.series, resource_id)


def assert_feed_shows(client, feed: dict, rows: list[dict], node: str, tmp_path: Path) -> bytes:
    """The feed expands to exactly rows, in Python and in ical.js."""
    ics = fetch(client, feed).data
    assert expanded(ics) == listed(rows)
    assert icaljs_starts(node, ics, tmp_path) == utc_listed(rows)
    return ics


def test_a_substitute_sees_only_her_class_and_the_teacher_no_longer_sees_it(
    client, factory, admin, course, node, tmp_path
):
    substitute = factory.person("teacher", languages=("bg",))
    mine = subscribe(client, admin, scope="resource", resource_id=substitute.id, privacy="limited")
    everything = live(client, admin, course.series["id"])
    assert len(everything) == 22
    taken = everything[5]

    move(client, admin, course, taken, resource_ids=[substitute.id, course.room])

    theirs = booked_on(client, admin, course, substitute.id)
    assert [o["id"] for o in theirs] == [taken["id"]]
    ics = assert_feed_shows(client, mine, theirs, node, tmp_path)
    (only,) = vevents(ics)  # her class is the series' one date she holds
    assert len(exdates(only)) == 24 - 1
    regular = booked_on(client, admin, course, course.teacher)
    assert len(regular) == 21 and taken["id"] not in [o["id"] for o in regular]
    ics = assert_feed_shows(client, course.teacher_feed, regular, node, tmp_path)
    (master,) = vevents(ics)  # the class he no longer gives is an EXDATE, not an override
    assert datetime.fromisoformat(taken["starts_at"]) in exdates(master)
    # The room is still booked on every class.
    assert_feed_shows(client, course.room_feed, everything, node, tmp_path)


def test_a_class_moved_in_time_to_a_substitute_leaves_the_teacher_at_both_times(
    client, factory, admin, course, node, tmp_path
):
    substitute = factory.person("teacher", languages=("bg",))
    mine = subscribe(
        client, admin, scope="resource", resource_id=substitute.id, privacy="full", locale="en"
    )
    taken = live(client, admin, course.series["id"])[8]
    later = datetime.fromisoformat(taken["starts_at"]) + timedelta(hours=4)

    move(
        client,
        admin,
        course,
        taken,
        starts_at=later.isoformat(),
        ends_at=(later + timedelta(hours=2)).isoformat(),
        resource_ids=[substitute.id, course.room],
    )

    theirs = booked_on(client, admin, course, substitute.id)
    assert listed(theirs) == [(later.isoformat(), (later + timedelta(hours=2)).isoformat())]
    ics = assert_feed_shows(client, mine, theirs, node, tmp_path)
    unfolded = ics.replace(b"\r\n ", b"")
    assert b"Bulgarian A1" in unfolded and b"Enrolled: 0" in unfolded  # her feed is full
    regular = booked_on(client, admin, course, course.teacher)
    ics = assert_feed_shows(client, course.teacher_feed, regular, node, tmp_path)
    starts = [s for s, _ in expanded(ics)]
    assert taken["starts_at"] not in starts and later.isoformat() not in starts
    assert_feed_shows(
        client, course.room_feed, live(client, admin, course.series["id"]), node, tmp_path
    )


def test_a_class_moved_to_another_room_leaves_the_first_rooms_feed(
    client, factory, admin, course, node, tmp_path
):
    other = factory.room("sofia")
    other_feed = subscribe(client, admin, scope="resource", resource_id=other.id, privacy="busy")
    taken = live(client, admin, course.series["id"])[2]

    move(client, admin, course, taken, resource_ids=[course.teacher, other.id])

    assert_feed_shows(
        client, other_feed, booked_on(client, admin, course, other.id), node, tmp_path
    )
    first_room = booked_on(client, admin, course, course.room)
    assert len(first_room) == 21
    assert_feed_shows(client, course.room_feed, first_room, node, tmp_path)
    # The teacher still gives every class.
    assert_feed_shows(
        client, course.teacher_feed, live(client, admin, course.series["id"]), node, tmp_path
    )


def test_office_and_public_feeds_still_show_the_whole_series_with_the_substitute(
    client, factory, admin, node, tmp_path
):
    teacher, room = teacher_and_room(factory)
    event = create(
        client,
        admin,
        series_body([teacher.id, room.id], type="community_event", title="Open day", public=True),
    )
    assert event.status_code == 201, event.json
    series = event.json
    office = subscribe(client, admin, scope="office", office="sofia", privacy="full", locale="en")
    public = subscribe(client, admin, scope="public", privacy="public", locale="en")
    before = {name: fetch(client, feed).data for name, feed in (("o", office), ("p", public))}
    substitute = factory.person("teacher", languages=("bg",))
    everything = live(client, admin, series["id"])
    taken = everything[3]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{taken['id']}/move",
        json={
            "starts_at": taken["starts_at"],
            "ends_at": taken["ends_at"],
            "resource_ids": [substitute.id, room.id],
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json

    assert [o["id"] for o in booked_on_series(client, admin, series, substitute.id)] == [
        taken["id"]
    ]
    for name, feed in (("o", office), ("p", public)):
        ics = assert_feed_shows(client, feed, everything, node, tmp_path)
        assert expanded(ics) == expanded(before[name])
    master, override = vevents(fetch(client, office).data)  # the substitute's class differs
    assert override.decoded("recurrence-id") == datetime.fromisoformat(taken["starts_at"])
    assert substitute.name in str(override["description"])
    assert substitute.name not in str(master["description"])


def test_substituting_one_class_changes_both_teachers_feeds_and_undoing_it_restores_them(
    client, factory, admin, course, node, tmp_path
):
    substitute = factory.person("teacher", languages=("bg",))
    mine = subscribe(client, admin, scope="resource", resource_id=substitute.id, privacy="limited")
    tags = {
        name: fetch(client, f).headers["ETag"]
        for name, f in (("t", course.teacher_feed), ("s", mine))
    }
    everything = live(client, admin, course.series["id"])
    taken = everything[10]

    move(client, admin, course, taken, resource_ids=[substitute.id, course.room])

    assert fetch(client, course.teacher_feed).headers["ETag"] != tags["t"]
    assert fetch(client, mine).headers["ETag"] != tags["s"]
    assert len(vevents(fetch(client, mine).data)) >= 1

    # Through the bookings API: the regular teacher takes his class back.
    booking = client.get(f"/api/v1/bookings/{taken['id']}", headers=admin).json
    answer = client.post(
        f"/api/v1/bookings/{taken['id']}/reschedule",
        json={
            "version": booking["version"],
            "starts_at": taken["starts_at"],
            "ends_at": taken["ends_at"],
            "resource_ids": [course.teacher, course.room],
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json

    assert vevents(fetch(client, mine).data) == []
    assert_feed_shows(client, course.teacher_feed, everything, node, tmp_path)


def test_rebuild_feeds_gives_a_series_its_peoples_pieces_after_the_upgrade(
    app, client, admin, session, course
):
    """Right after the migration a series has no per-person pieces, and an older version."""
    series_id = course.series["id"]
    session.execute(
        delete(FeedSeriesResourcePiece).where(FeedSeriesResourcePiece.series_id == series_id)
    )
    session.execute(
        update(FeedSeriesItem)
        .where(FeedSeriesItem.series_id == series_id)
        .values(render_version="1.2")
    )
    session.commit()
    assert vevents(fetch(client, course.teacher_feed).data) == []

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["rebuild-feeds"])

    assert result.exit_code == 0, result.output
    ics = fetch(client, course.teacher_feed).data
    assert expanded(ics) == listed(live(client, admin, series_id))
