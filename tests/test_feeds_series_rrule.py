"""A series is one VEVENT in the feeds: RRULE, EXDATE for gaps, RECURRENCE-ID for moves.

Feeds are read as clients read them: parsed by icalendar and expanded by
recurring_ical_events, and expanded by ical.js (Thunderbird's parser) through node.
"""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import delete

from service.models import FeedSeriesItem, FeedSeriesPiece
from service.plumbing.clock import SOFIA
from tests.clients.npm import ICALJS_SCRIPT
from tests.feed_helpers import events, fetch, subscribe
from tests.test_series import create, occurrences, series_body, teacher_and_room
from tests.test_series_enrolment import enrol_api


def icaljs_starts(node: str, ics: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """Expand with ical.js; return (start, end) in UTC ISO ("...Z"), earliest first."""
    path = tmp_path / "feed.ics"
    path.write_bytes(ics)
    result = subprocess.run(
        [node, str(ICALJS_SCRIPT), str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return sorted((o["start"], o["end"]) for o in json.loads(result.stdout))


def zulu(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def vevents(ics: bytes) -> list:
    return list(Calendar.from_ical(ics).walk("VEVENT"))


def exdates(vevent) -> list[datetime]:
    found = vevent.get("exdate")
    lists = found if isinstance(found, list) else [found] if found is not None else []
    return sorted(d.dt for item in lists for d in item.dts)


def live(client, headers, series_id) -> list[dict]:
    return [o for o in occurrences(client, headers, series_id) if o["status"] != "cancelled"]


def expanded(ics: bytes) -> list[tuple[str, str]]:
    return [(e.decoded("dtstart").isoformat(), e.decoded("dtend").isoformat()) for e in events(ics)]


def listed(rows: list[dict]) -> list[tuple[str, str]]:
    return [(o["starts_at"], o["ends_at"]) for o in rows]


def utc_listed(rows: list[dict]) -> list[tuple[str, str]]:
    return sorted((zulu(o["starts_at"]), zulu(o["ends_at"])) for o in rows)


@pytest.fixture
def course(client, factory, admin):
    """A twelve-week Mon/Wed course from 1 March 2027 at 10:00, the teacher's limited feed."""
    teacher, room = teacher_and_room(factory)
    answer = create(client, admin, series_body([teacher.id, room.id]))
    assert answer.status_code == 201, answer.json
    feed = subscribe(client, admin, scope="resource", resource_id=teacher.id, privacy="limited")
    return answer.json, feed


def test_a_course_is_one_vevent_with_its_rule_and_the_holidays_as_exdates(
    client, admin, course, node, tmp_path
):
    series, feed = course
    ics = fetch(client, feed).data

    (master,) = vevents(ics)
    assert str(master["uid"]) == f"series-{series['id']}@zapis"
    assert master.decoded("dtstart") == datetime(2027, 3, 1, 10, tzinfo=SOFIA)
    rule = master["rrule"]
    assert (rule["FREQ"], rule["BYDAY"], rule["COUNT"]) == (["WEEKLY"], ["MO", "WE"], [24])
    assert b"DTSTART;TZID=Europe/Sofia:20270301T100000" in ics
    assert exdates(master) == [
        datetime(2027, 3, 3, 10, tzinfo=SOFIA),  # Liberation Day
        datetime(2027, 5, 3, 10, tzinfo=SOFIA),  # Easter Monday (Orthodox, 2027)
    ]
    held = live(client, admin, series["id"])
    assert len(held) == 22
    assert expanded(ics) == listed(held)
    assert {e.decoded("dtstart").astimezone(SOFIA).hour for e in events(ics)} == {10}
    assert icaljs_starts(node, ics, tmp_path) == utc_listed(held)
    # Across the change to summer time: 10:00 local is 08:00Z before, 07:00Z after.
    starts = [s for s, _ in icaljs_starts(node, ics, tmp_path)]
    assert "2027-03-24T08:00:00Z" in starts and "2027-03-29T07:00:00Z" in starts


def test_a_cancelled_occurrence_becomes_an_exdate_and_a_moved_one_an_override(
    client, admin, course, node, tmp_path
):
    series, feed = course
    first = vevents(fetch(client, feed).data)[0]
    held = live(client, admin, series["id"])
    cancelled, moved = held[4], held[6]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{cancelled['id']}/cancel",
        json={"reason": "teacher ill"},
        headers=admin,
    )
    assert answer.status_code == 200, answer.json
    new_start = datetime.fromisoformat(moved["starts_at"]) + timedelta(days=1, hours=4)
    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{moved['id']}/move",
        json={
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=2)).isoformat(),
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json

    ics = fetch(client, feed).data
    master, override = vevents(ics)
    assert str(override["uid"]) == str(master["uid"])
    assert "rrule" in master and "rrule" not in override
    assert datetime.fromisoformat(cancelled["starts_at"]) in exdates(master)
    assert override.decoded("recurrence-id") == datetime.fromisoformat(moved["starts_at"])
    assert override.decoded("dtstart") == new_start
    assert master.decoded("sequence") > first.decoded("sequence")
    assert override.decoded("sequence") == master.decoded("sequence")

    now_held = live(client, admin, series["id"])
    assert len(now_held) == 21
    assert cancelled["starts_at"] not in [o["starts_at"] for o in now_held]
    assert expanded(ics) == listed(now_held)
    seen = icaljs_starts(node, ics, tmp_path)
    assert seen == utc_listed(now_held)
    assert zulu(new_start.isoformat()) in [s for s, _ in seen]
    assert zulu(moved["starts_at"]) not in [s for s, _ in seen]


def test_every_scope_of_the_course_shows_it_once_at_each_privacy_level(
    client, factory, admin, course
):
    series, _teacher_feed = course
    room_id = next(r for r in series["resource_ids"] if r != series["resource_ids"][0])
    person = factory.beneficiary(phone="+359 88 123 4567", discreet=True)
    assert enrol_api(client, admin, series["id"], person.id).status_code == 201

    office = subscribe(client, admin, scope="office", office="sofia", privacy="full", locale="en")
    room = subscribe(client, admin, scope="resource", resource_id=room_id, privacy="busy")
    full, busy = fetch(client, office).data, fetch(client, room).data
    for ics in (full, busy):
        (master,) = vevents(ics)
        assert str(master["uid"]) == f"series-{series['id']}@zapis"
        assert len(events(ics)) == 22
    assert b"Enrolled: 1" in full.replace(b"\r\n ", b"")
    assert b"88" not in full and b"4567" not in full and person.case_reference.encode() not in full
    (blocked,) = vevents(busy)
    assert "description" not in blocked
    assert str(blocked["summary"]) in ("Busy", "Заето")
    public = subscribe(client, admin, scope="public", privacy="public", locale="en")
    assert vevents(fetch(client, public).data) == []


def test_ending_a_course_early_cuts_its_rule_and_cancelling_it_leaves_the_feed(
    client, admin, course
):
    series, feed = course
    ended = client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-03-31"}, headers=admin
    )
    assert ended.status_code == 200, ended.json
    ics = fetch(client, feed).data
    (master,) = vevents(ics)
    assert "UNTIL" in master["rrule"]
    assert expanded(ics) == listed(live(client, admin, series["id"]))
    assert len(events(ics)) == 9  # 1 to 31 March

    cancelled = client.post(
        f"/api/v1/series/{series['id']}/cancel", json={"reason": "no teacher"}, headers=admin
    )
    assert cancelled.status_code == 200, cancelled.json
    assert vevents(fetch(client, feed).data) == []


def test_rebuild_feeds_renders_a_series_as_one_vevent(app, client, admin, session, course):
    """A series without its pieces (as right after the migration) gets them from a rebuild."""
    series, feed = course
    session.execute(delete(FeedSeriesPiece).where(FeedSeriesPiece.series_id == series["id"]))
    session.execute(delete(FeedSeriesItem).where(FeedSeriesItem.series_id == series["id"]))
    session.commit()
    assert vevents(fetch(client, feed).data) == []

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["rebuild-feeds"])

    assert result.exit_code == 0, result.output
    ics = fetch(client, feed).data
    (master,) = vevents(ics)
    assert str(master["uid"]) == f"series-{series['id']}@zapis"
    assert expanded(ics) == listed(live(client, admin, series["id"]))


def test_cancelling_an_occurrence_as_a_booking_also_updates_the_series(client, admin, course):
    """The bookings API reaches the series' piece too (re-rendered before the commit)."""
    series, feed = course
    target = live(client, admin, series["id"])[3]
    answer = client.post(
        f"/api/v1/bookings/{target['id']}/cancel", json={"reason": "closed"}, headers=admin
    )
    assert answer.status_code == 200, answer.json
    ics = fetch(client, feed).data
    (master,) = vevents(ics)
    assert datetime.fromisoformat(target["starts_at"]) in exdates(master)
    assert expanded(ics) == listed(live(client, admin, series["id"]))


def test_a_course_shows_only_while_one_of_its_occurrences_is_in_the_window(client, admin, course):
    series, feed = course
    first = datetime.fromisoformat(live(client, admin, series["id"])[0]["starts_at"])
    days = (first.date() - datetime.now(SOFIA).date()).days
    assert vevents(fetch(client, feed, f"?future_days={days - 2}").data) == []
    assert len(vevents(fetch(client, feed, f"?future_days={days + 1}").data)) == 1


def test_a_split_course_is_two_series_that_together_expand_to_every_occurrence(
    client, admin, course, node, tmp_path
):
    series, feed = course
    pivot = live(client, admin, series["id"])[10]
    later = datetime.fromisoformat(pivot["starts_at"]).replace(hour=14)
    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={
            "occurrence_id": pivot["id"],
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=2)).isoformat(),
        },
        headers=admin,
    )
    assert answer.status_code in (200, 201), answer.json
    successor = answer.json["id"]

    ics = fetch(client, feed).data
    uids = sorted(str(v["uid"]) for v in vevents(ics))
    assert uids == sorted(f"series-{i}@zapis" for i in (series["id"], successor))
    both = live(client, admin, series["id"]) + live(client, admin, successor)
    assert len(both) == 22
    assert expanded(ics) == sorted(listed(both))
    assert icaljs_starts(node, ics, tmp_path) == utc_listed(both)
