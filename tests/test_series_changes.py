"""Changing a series: cancel or move one occurrence, end early, cancel whole, split."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.plumbing.errors import Invalid, InvalidTransition
from service.series.series import SeriesRequest, create_series, list_occurrences
from service.series.series_changes import (
    SplitChanges,
    cancel_occurrence,
    cancel_series,
    end_series,
    move_occurrence,
    split_series,
)
from tests.test_series import MONDAY_10, create, occurrences, series_body, teacher_and_room

SOFIA = ZoneInfo("Europe/Sofia")
MONDAYS = "FREQ=WEEKLY;BYDAY=MO;COUNT=8"  # 1 Mar to 26 Apr 2027, no Monday holiday


def mondays(client, factory, headers, **extra):
    teacher, room = teacher_and_room(factory)
    answer = create(client, headers, series_body([teacher.id, room.id], rrule=MONDAYS) | extra)
    assert answer.status_code == 201, answer.json
    return answer.json, teacher, room


def test_cancelling_one_occurrence_frees_its_time_and_leaves_the_rest(client, factory, admin):
    series, teacher, _room = mondays(client, factory, admin)
    second = occurrences(client, admin, series["id"])[1]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{second['id']}/cancel",
        json={"reason": "teacher ill"},
        headers=admin,
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "cancelled"
    statuses = [o["status"] for o in occurrences(client, admin, series["id"])]
    assert statuses == ["confirmed", "cancelled"] + ["confirmed"] * 6
    single = factory.booking([teacher], datetime(2027, 3, 8, 10, 0, tzinfo=SOFIA))
    assert single.status == "confirmed"
    exceptions = client.get(f"/api/v1/series/{series['id']}/exceptions", headers=admin).json
    assert exceptions == [
        {
            "date": "2027-03-08",
            "recurrence_start": "2027-03-08T10:00:00+02:00",
            "kind": "cancelled",
            "reason": "teacher ill",
            "occurrence_id": second["id"],
        }
    ]


def test_an_occurrence_of_another_series_is_not_found(client, factory, admin):
    first, *_ = mondays(client, factory, admin)
    other, *_ = mondays(client, factory, admin)
    theirs = occurrences(client, admin, other["id"])[0]

    answer = client.post(
        f"/api/v1/series/{first['id']}/occurrences/{theirs['id']}/cancel",
        json={"reason": "x"},
        headers=admin,
    )

    assert answer.status_code == 404


def test_moving_one_occurrence_keeps_its_place_in_the_rule(client, factory, admin):
    series, _teacher, room = mondays(client, factory, admin)
    other_room = factory.room("sofia", capacity=20)
    third = occurrences(client, admin, series["id"])[2]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{third['id']}/move",
        json={
            "starts_at": "2027-03-16T14:00:00+02:00",
            "ends_at": "2027-03-16T16:00:00+02:00",
            "resource_ids": [series["resource_ids"][0], other_room.id],
        },
        headers=admin,
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["starts_at"] == "2027-03-16T14:00:00+02:00"
    assert answer.json["recurrence_start"] == "2027-03-15T10:00:00+02:00"
    assert answer.json["moved"] is True
    assert other_room.id in answer.json["resource_ids"]
    assert room.id not in answer.json["resource_ids"]
    kinds = client.get(f"/api/v1/series/{series['id']}/exceptions", headers=admin).json
    assert [(e["date"], e["kind"]) for e in kinds] == [("2027-03-15", "moved")]


def test_moving_an_occurrence_onto_a_busy_teacher_is_a_conflict(client, factory, admin):
    series, teacher, _room = mondays(client, factory, admin)
    busy = factory.booking([teacher], datetime(2027, 3, 16, 14, 0, tzinfo=SOFIA))
    third = occurrences(client, admin, series["id"])[2]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{third['id']}/move",
        json={"starts_at": "2027-03-16T14:30:00+02:00", "ends_at": "2027-03-16T16:30:00+02:00"},
        headers=admin,
    )

    assert answer.status_code == 409
    assert answer.json["errors"]["conflicts"][0]["booking_id"] == busy.id
    unchanged = occurrences(client, admin, series["id"])[2]
    assert unchanged["starts_at"] == "2027-03-15T10:00:00+02:00"


def test_moving_onto_another_teacher_who_is_busy_is_a_conflict(client, factory, admin):
    series, _teacher, room = mondays(client, factory, admin)
    substitute = factory.person("teacher", languages=("bg",))
    factory.booking([substitute], datetime(2027, 3, 15, 11, 0, tzinfo=SOFIA))
    third = occurrences(client, admin, series["id"])[2]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{third['id']}/move",
        json={
            "starts_at": third["starts_at"],
            "ends_at": third["ends_at"],
            "resource_ids": [substitute.id, room.id],
        },
        headers=admin,
    )

    assert answer.status_code == 409
    assert answer.json["errors"]["conflicts"][0]["resource_id"] == substitute.id


def test_moving_with_a_stale_version_is_refused(client, factory, admin):
    series, *_ = mondays(client, factory, admin)
    first = occurrences(client, admin, series["id"])[0]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{first['id']}/move",
        json={
            "starts_at": "2027-03-01T13:00:00+02:00",
            "ends_at": "2027-03-01T15:00:00+02:00",
            "version": first["version"] + 1,
        },
        headers=admin,
    )

    assert answer.status_code == 409
    assert answer.json["errors"]["current_version"] == first["version"]


def test_ending_early_cancels_what_follows_and_bounds_the_rule(client, factory, admin):
    series, teacher, _room = mondays(client, factory, admin)

    answer = client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-03-22"}, headers=admin
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "ended"
    assert answer.json["rrule"] == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20270322T215959Z"
    assert answer.json["occurrence_count"] == 4
    statuses = [o["status"] for o in occurrences(client, admin, series["id"])]
    assert statuses == ["confirmed"] * 4 + ["cancelled"] * 4
    assert factory.booking([teacher], datetime(2027, 3, 29, 10, 0, tzinfo=SOFIA)).id


def test_ending_after_the_last_occurrence_is_refused(client, factory, admin):
    series, *_ = mondays(client, factory, admin)

    answer = client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-06-01"}, headers=admin
    )

    assert answer.status_code == 422
    assert "last_day" in answer.json["errors"]["json"]


def test_cancelling_the_series_cancels_every_occurrence_to_come(client, factory, admin):
    series, *_ = mondays(client, factory, admin)

    answer = client.post(
        f"/api/v1/series/{series['id']}/cancel", json={"reason": "no funding"}, headers=admin
    )

    assert answer.status_code == 200
    assert answer.json["status"] == "cancelled"
    assert {o["status"] for o in occurrences(client, admin, series["id"])} == {"cancelled"}
    again = client.post(
        f"/api/v1/series/{series['id']}/cancel", json={"reason": "twice"}, headers=admin
    )
    assert again.status_code == 409


def _past_series(factory, session):
    """A Monday course from 2 Nov 2026 at 10:00, booked directly (it is history by now)."""
    teacher, room = teacher_and_room(factory)
    start = datetime(2026, 11, 2, 10, 0, tzinfo=SOFIA)
    series, _ = create_series(
        session,
        SeriesRequest(
            type="language_class",
            office="sofia",
            title="Bulgarian A2",
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=6",
            starts_at=start,
            ends_at=start.replace(hour=12),
            resource_ids=[teacher.id, room.id],
        ),
        Actor("tests"),
        BookingPolicy(),
        now=start - timedelta(days=7),
    )
    session.commit()
    return series


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=SOFIA)  # after three of the six Mondays


def test_cancelling_a_series_keeps_what_was_already_held(session, factory):
    series = _past_series(factory, session)

    cancel_series(session, series, Actor("tests"), "course closed", now=NOW)

    statuses = [b.status for b in list_occurrences(session, series)]
    assert statuses == ["confirmed"] * 3 + ["cancelled"] * 3


def test_an_occurrence_already_held_cannot_be_cancelled(session, factory):
    series = _past_series(factory, session)
    first = list_occurrences(session, series)[0]

    try:
        cancel_occurrence(session, series, first, Actor("tests"), "late", now=NOW)
    except InvalidTransition as exc:
        assert "already started" in exc.message
    else:
        raise AssertionError("a held occurrence was cancelled")
    assert first.status == "confirmed"


def test_split_changes_this_and_all_following_and_keeps_the_past(session, factory):
    series = _past_series(factory, session)
    fourth = list_occurrences(session, series)[3]  # Monday 23 November 2026

    successor = split_series(
        session,
        series,
        fourth,
        SplitChanges(
            starts_at=datetime(2026, 11, 23, 14, 0, tzinfo=SOFIA),
            ends_at=datetime(2026, 11, 23, 16, 0, tzinfo=SOFIA),
        ),
        Actor("tests"),
        BookingPolicy(),
        now=NOW,
    )

    old = [(b.starts_at.astimezone(SOFIA).day, b.status) for b in list_occurrences(session, series)]
    assert old == [
        (2, "confirmed"),
        (9, "confirmed"),
        (16, "confirmed"),
        (23, "cancelled"),
        (30, "cancelled"),
        (7, "cancelled"),
    ]
    assert series.status == "split"
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO;UNTIL=20261123T075959Z"
    assert successor.parent_id == series.id
    assert successor.rrule == "FREQ=WEEKLY;BYDAY=MO;COUNT=3"
    new = [b.starts_at.astimezone(SOFIA) for b in list_occurrences(session, successor)]
    assert [(s.date(), s.hour) for s in new] == [
        (date(2026, 11, 23), 14),
        (date(2026, 11, 30), 14),
        (date(2026, 12, 7), 14),
    ]


def test_split_through_the_api_answers_the_new_series(client, factory, admin):
    series, *_ = mondays(client, factory, admin)
    fifth = occurrences(client, admin, series["id"])[4]

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={
            "occurrence_id": fifth["id"],
            "starts_at": "2027-03-31T10:00:00+03:00",
            "ends_at": "2027-03-31T12:00:00+03:00",
            "rrule": "FREQ=WEEKLY;BYDAY=WE;COUNT=4",
            "title": "Bulgarian A1 (Wednesdays)",
        },
        headers=admin,
    )

    assert answer.status_code == 201, answer.json
    assert answer.json["parent_id"] == series["id"]
    assert answer.json["title"] == "Bulgarian A1 (Wednesdays)"
    assert [o["starts_at"][:10] for o in occurrences(client, admin, answer.json["id"])] == [
        "2027-03-31",
        "2027-04-07",
        "2027-04-14",
        "2027-04-21",
    ]
    old = client.get(f"/api/v1/series/{series['id']}", headers=admin).json
    assert old["status"] == "split"
    assert old["occurrence_count"] == 4
    assert MONDAY_10.isoformat() == occurrences(client, admin, series["id"])[0]["starts_at"]


def test_the_series_keeps_its_own_audit_trail(client, factory, admin):
    series, *_ = mondays(client, factory, admin)
    client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-04-05"}, headers=admin
    )
    client.post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "closed"}, headers=admin)

    trail = client.get(f"/api/v1/series/{series['id']}/audit", headers=admin).json

    assert [e["action"] for e in trail] == ["create", "end", "cancel"]
    assert trail[1]["before"]["rrule"] == MONDAYS
    assert trail[1]["after"]["status"] == "ended"
    assert trail[2]["after"]["reason"] == "closed"


def test_a_series_ended_early_still_takes_enrolments(client, factory, admin):
    series, *_ = mondays(client, factory, admin)
    client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-04-05"}, headers=admin
    )

    answer = client.post(
        f"/api/v1/series/{series['id']}/enrolments",
        json={"beneficiary_id": factory.beneficiary().id},
        headers=admin,
    )

    assert answer.status_code == 201
    assert answer.json["status"] == "enrolled"


def test_ending_before_occurrences_already_held_is_refused(session, factory):
    series = _past_series(factory, session)

    try:
        end_series(session, series, date(2026, 11, 3), Actor("tests"), now=NOW)
    except Invalid as exc:
        assert exc.field == "last_day"
    else:
        raise AssertionError("held occurrences were cancelled")
    assert [b.status for b in list_occurrences(session, series)] == ["confirmed"] * 6


def test_read_only_and_other_staff_cannot_change_a_series(client, factory, admin):
    series, teacher, _room = mondays(client, factory, admin)
    other_teacher = factory.person("teacher", languages=("bg",))
    reader = factory.headers("read_only")
    own = factory.headers("staff", resource_id=teacher.id)
    other = factory.headers("staff", resource_id=other_teacher.id)
    cancel = f"/api/v1/series/{series['id']}/cancel"

    assert client.post(cancel, json={"reason": "x"}, headers=reader).status_code == 403
    assert client.get(f"/api/v1/series/{series['id']}", headers=reader).status_code == 200
    assert client.get(f"/api/v1/series/{series['id']}", headers=other).status_code == 404
    assert client.get("/api/v1/series", headers=other).json == []
    assert [s["id"] for s in client.get("/api/v1/series", headers=own).json] == [series["id"]]


def test_the_openapi_spec_documents_series(client):
    spec = client.get("/openapi.json").json

    assert "/api/v1/series" in spec["paths"]
    post = spec["paths"]["/api/v1/series"]["post"]
    assert {"201", "200", "409", "422"} <= set(post["responses"])
    assert {"dry_run", "skip_clashes"} <= {p["name"] for p in post["parameters"]}
    assert "/api/v1/series/{series_id}/enrolments/{enrolment_id}" in spec["paths"]
    assert {"SeriesCreate", "DryRun", "Occurrence", "Enrolment", "Figures"} <= set(
        spec["components"]["schemas"]
    )


@pytest.mark.parametrize(
    ("path", "payload", "field"),
    [
        ("move", {"starts_at": "2027-03-16T14:00:00+02:00"}, "ends_at"),
        (
            "move",
            {"starts_at": "2027-03-16T14:00:00+02:00", "ends_at": "2027-03-16T13:00:00+02:00"},
            "ends_at",
        ),
        (
            "move",
            {"starts_at": "2026-03-16T14:00:00+02:00", "ends_at": "2026-03-16T15:00:00+02:00"},
            "starts_at",
        ),
        (
            "move",
            {
                "starts_at": "2027-03-16T14:00:00+02:00",
                "ends_at": "2027-03-16T15:00:00+02:00",
                "resource_ids": [999999],
            },
            "resource_ids",
        ),
        (
            "move",
            {"starts_at": "2027-03-16T14:00:00", "ends_at": "2027-03-16T15:00:00+02:00"},
            "starts_at",
        ),
        (
            "move",
            {"starts_at": "9999-12-31T22:00:00-05:00", "ends_at": "9999-12-31T23:00:00-05:00"},
            "starts_at",
        ),
        ("split", {}, "occurrence_id"),
        ("split", {"occurrence_id": "third"}, "occurrence_id"),
        ("split", {"starts_at": "2027-03-16T14:00:00+02:00"}, "ends_at"),
        ("split", {"rrule": "FREQ=WEEKLY;BYDAY=MO"}, "rrule"),
        ("split", {"capacity": 0}, "capacity"),
        ("end", {"last_day": "next week"}, "last_day"),
        ("end", {}, "last_day"),
        ("cancel", {}, "reason"),
    ],
)
def test_bad_changes_are_refused_naming_the_field(client, factory, admin, path, payload, field):
    series, *_ = mondays(client, factory, admin)
    third = occurrences(client, admin, series["id"])[2]
    if path == "move":
        url = f"/api/v1/series/{series['id']}/occurrences/{third['id']}/move"
    else:
        url = f"/api/v1/series/{series['id']}/{path}"
        if path == "split" and "occurrence_id" not in payload and field != "occurrence_id":
            payload = payload | {"occurrence_id": third["id"]}

    answer = client.post(url, json=payload, headers=admin)

    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert [o["status"] for o in occurrences(client, admin, series["id"])] == ["confirmed"] * 8
    assert client.get(f"/api/v1/series/{series['id']}", headers=admin).json["status"] == "active"


def test_a_split_that_clashes_changes_nothing(client, factory, admin):
    series, teacher, _room = mondays(client, factory, admin)
    busy = factory.booking([teacher], datetime(2027, 4, 5, 14, 0, tzinfo=SOFIA))
    fifth = occurrences(client, admin, series["id"])[4]

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={
            "occurrence_id": fifth["id"],
            "starts_at": "2027-03-29T14:00:00+03:00",
            "ends_at": "2027-03-29T16:00:00+03:00",
        },
        headers=admin,
    )

    assert answer.status_code == 409
    assert [c["booking_id"] for c in answer.json["errors"]["conflicts"]] == [busy.id]
    assert [o["status"] for o in occurrences(client, admin, series["id"])] == ["confirmed"] * 8
    assert client.get("/api/v1/series", headers=admin).json[0]["status"] == "active"
    assert len(client.get("/api/v1/series", headers=admin).json) == 1


def test_a_time_off_shows_as_a_clash_of_its_day(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    client.post(
        f"/api/v1/resources/{teacher.id}/time-off",
        json={"starts_at": "2027-03-15T00:00:00+02:00", "ends_at": "2027-03-16T00:00:00+02:00"},
        headers=admin,
    )

    dry = create(
        client, admin, series_body([teacher.id, room.id], rrule=MONDAYS), "?dry_run=true"
    ).json

    clashing = [
        (o["starts_at"][:10], o["clashes"][0]["reason"]) for o in dry["occurrences"] if o["clashes"]
    ]
    assert clashing == [("2027-03-15", "time_off")]


def test_moving_an_occurrence_already_held_is_refused(session, factory):
    series = _past_series(factory, session)
    first = list_occurrences(session, series)[0]

    try:
        move_occurrence(
            session,
            series,
            first,
            starts_at=datetime(2026, 11, 24, 10, tzinfo=SOFIA),
            ends_at=datetime(2026, 11, 24, 12, tzinfo=SOFIA),
            resource_ids=None,
            version=None,
            actor=Actor("tests"),
            policy=BookingPolicy(),
            now=NOW,
        )
    except InvalidTransition:
        pass
    else:
        raise AssertionError("a held occurrence was moved")
    assert first.starts_at == datetime(2026, 11, 2, 10, tzinfo=SOFIA)


HUGE = 2**40


def test_ids_beyond_the_database_range_are_not_found_or_named(client, factory, admin):
    series, *_ = mondays(client, factory, admin)
    base = f"/api/v1/series/{series['id']}"

    assert client.get(f"/api/v1/series/{HUGE}", headers=admin).status_code == 404
    assert client.get(f"/api/v1/series/{HUGE}/enrolments", headers=admin).status_code == 404
    assert (
        client.post(f"{base}/occurrences/{HUGE}/cancel", json={"reason": "x"}, headers=admin)
    ).status_code == 404
    assert client.delete(f"{base}/enrolments/{HUGE}", headers=admin).status_code == 404
    enrol = client.post(f"{base}/enrolments", json={"beneficiary_id": HUGE}, headers=admin)
    assert "beneficiary_id" in enrol.json["errors"]["json"]
    split = client.post(f"{base}/split", json={"occurrence_id": HUGE}, headers=admin)
    assert "occurrence_id" in split.json["errors"]["json"]
    created = create(client, admin, series_body([HUGE], title="Huge"))
    assert "resource_ids" in created.json["errors"]["json"]
    past = _past_series(factory, factory.session)
    held = occurrences(client, admin, past.id)[0]
    mark = client.put(
        f"/api/v1/series/{past.id}/occurrences/{held['id']}/attendance/{HUGE}",
        json={"mark": "present"},
        headers=admin,
    )
    assert mark.status_code == 404  # no path id beyond the database's range exists
