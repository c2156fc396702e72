"""Series through the API: planning, daylight saving, holidays, clashes and rule errors."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import func, select

from calendars import FeedCalendar, FeedEvent, render_feed
from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.models import AuditEntry
from service.series.series import SeriesRequest, create_series

SOFIA = ZoneInfo("Europe/Sofia")
MONDAY_10 = datetime(2027, 3, 1, 10, 0, tzinfo=SOFIA)


def series_body(resource_ids, start=MONDAY_10, minutes=120, **extra):
    return {
        "type": "language_class",
        "office": "sofia",
        "title": "Bulgarian A1",
        "rrule": "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "resource_ids": resource_ids,
        "capacity": 12,
    } | extra


def teacher_and_room(factory, capacity=8):
    return factory.person("teacher", languages=("bg",)), factory.room("sofia", capacity=capacity)


def planned_back_then(session, body, days_before=7):
    """Create the series of an API body as planned `days_before` its start: history by now,
    which the API (rightly) no longer plans."""
    instants = {key: datetime.fromisoformat(body[key]) for key in ("starts_at", "ends_at")}
    request = SeriesRequest(**(body | instants))
    series, _plan = create_series(
        session,
        request,
        Actor("tests"),
        BookingPolicy(),
        now=request.starts_at - timedelta(days=days_before),
    )
    session.commit()
    return series


def create(client, headers, body, query=""):
    return client.post(f"/api/v1/series{query}", json=body, headers=headers)


def occurrences(client, headers, series_id):
    answer = client.get(f"/api/v1/series/{series_id}/occurrences", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a1_course_skips_liberation_day_and_easter_monday_and_keeps_10_across_march_dst(
    client, factory, admin
):
    teacher, room = teacher_and_room(factory)

    answer = create(client, admin, series_body([teacher.id, room.id]))

    assert answer.status_code == 201, answer.json
    assert answer.json["local_start"] == "10:00"
    assert [s["date"] for s in answer.json["skipped"]] == ["2027-03-03", "2027-05-03"]
    assert "Liberation Day" in answer.json["skipped"][0]["reason"]
    listed = occurrences(client, admin, answer.json["id"])
    assert len(listed) == 22  # COUNT=24 rule dates, two holidays skipped and not replaced
    starts = [o["starts_at"] for o in listed]
    assert starts[:3] == [
        "2027-03-01T10:00:00+02:00",
        "2027-03-08T10:00:00+02:00",
        "2027-03-10T10:00:00+02:00",
    ]
    assert "2027-03-29T10:00:00+03:00" in starts  # first Monday after the clocks go forward
    assert all(s[11:16] == "10:00" for s in starts)
    assert all(o["ends_at"][11:16] == "12:00" for o in listed)
    assert starts[-1] == "2027-05-19T10:00:00+03:00"
    assert {o["status"] for o in listed} == {"confirmed"}


def test_count_24_meeting_one_holiday_gives_23_occurrences(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 1, 4, 10, 0, tzinfo=SOFIA)

    dry = create(client, admin, series_body([teacher.id, room.id], start=start), "?dry_run=true")

    assert dry.status_code == 200, dry.json
    assert len(dry.json["occurrences"]) == 23
    assert [s["date"] for s in dry.json["skipped"]] == ["2027-03-03"]
    assert dry.json["occurrences"][-1]["starts_at"] == "2027-03-24T10:00:00+02:00"


def test_autumn_series_keeps_its_wall_time_when_the_clocks_go_back(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 10, 18, 10, 0, tzinfo=SOFIA)

    answer = create(
        client,
        admin,
        series_body([teacher.id, room.id], start=start, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4"),
    )

    assert answer.status_code == 201, answer.json
    starts = [o["starts_at"] for o in occurrences(client, admin, answer.json["id"])]
    assert starts == [
        "2027-10-18T10:00:00+03:00",
        "2027-10-25T10:00:00+03:00",
        "2027-11-01T10:00:00+02:00",
        "2027-11-08T10:00:00+02:00",
    ]
    bookings = client.get(f"/api/v1/bookings?resource_id={teacher.id}", headers=admin).json
    assert [b["series_id"] for b in bookings] == [answer.json["id"]] * 4


def test_orthodox_easter_week_and_st_georges_day_are_skipped_not_replaced(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 4, 26, 10, 0, tzinfo=SOFIA)
    body = series_body(
        [teacher.id, room.id],
        start=start,
        type="training",
        rrule="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;COUNT=10",
    )

    dry = create(client, admin, body, "?dry_run=true")

    assert dry.status_code == 200, dry.json
    skipped = {s["date"]: s["reason"] for s in dry.json["skipped"]}
    assert list(skipped) == ["2027-04-30", "2027-05-03", "2027-05-04", "2027-05-06"]
    assert "Good Friday" in skipped["2027-04-30"]
    assert "Easter" in skipped["2027-05-03"]
    assert "Saint George" in skipped["2027-05-06"]
    assert [o["starts_at"][:10] for o in dry.json["occurrences"]] == [
        "2027-04-26",
        "2027-04-27",
        "2027-04-28",
        "2027-04-29",
        "2027-05-05",
        "2027-05-07",
    ]


def test_christmas_eve_is_skipped_and_stored_as_an_exception(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 12, 17, 10, 0, tzinfo=SOFIA)
    body = series_body([teacher.id, room.id], start=start, rrule="FREQ=WEEKLY;BYDAY=FR;COUNT=4")

    created = create(client, admin, body)

    assert created.status_code == 201, created.json
    listed = occurrences(client, admin, created.json["id"])
    assert [o["starts_at"][:10] for o in listed] == ["2027-12-17", "2027-12-31", "2028-01-07"]
    exceptions = client.get(f"/api/v1/series/{created.json['id']}/exceptions", headers=admin)
    assert exceptions.json == [
        {
            "date": "2027-12-24",
            "recurrence_start": "2027-12-24T10:00:00+02:00",
            "kind": "skipped",
            "reason": "public holiday: Christmas Eve",
            "occurrence_id": None,
        }
    ]


def test_office_closure_is_skipped_like_a_holiday(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    factory.closure("sofia", datetime(2027, 3, 8).date(), "staff training")

    dry = create(client, admin, series_body([teacher.id, room.id]), "?dry_run=true")

    assert {"date": "2027-03-08", "reason": "closure: staff training"}.items() <= next(
        s for s in dry.json["skipped"] if s["date"] == "2027-03-08"
    ).items()


def _count(client, admin, path):
    answer = client.get(path, headers=admin)
    assert answer.status_code == 200
    return json.loads(answer.headers["X-Pagination"])["total"] if answer.json else 0


def test_dry_run_shows_each_clash_and_writes_nothing(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    busy = factory.booking([teacher], datetime(2027, 3, 10, 11, 0, tzinfo=SOFIA))
    audited = factory.session.scalar(select(func.count()).select_from(AuditEntry))

    dry = create(client, admin, series_body([teacher.id, room.id]), "?dry_run=true")

    assert dry.status_code == 200, dry.json
    assert factory.session.scalar(select(func.count()).select_from(AuditEntry)) == audited
    assert len(dry.json["occurrences"]) == 22
    clashing = [o for o in dry.json["occurrences"] if o["clashes"]]
    assert [o["starts_at"] for o in clashing] == ["2027-03-10T10:00:00+02:00"]
    assert clashing[0]["clashes"][0]["booking_id"] == busy.id
    assert clashing[0]["clashes"][0]["resource_id"] == teacher.id
    assert client.get("/api/v1/series", headers=admin).json == []
    assert _count(client, admin, "/api/v1/bookings") == 1
    assert _count(client, admin, f"/api/v1/bookings?resource_id={room.id}") == 0


def test_one_clash_refuses_the_whole_series(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    busy = factory.booking([teacher], datetime(2027, 3, 10, 11, 0, tzinfo=SOFIA))

    answer = create(client, admin, series_body([teacher.id, room.id]))

    assert answer.status_code == 409
    conflicts = answer.json["errors"]["conflicts"]
    assert [c["booking_id"] for c in conflicts] == [busy.id]
    assert conflicts[0]["occurrence_starts_at"] == "2027-03-10T10:00:00+02:00"
    assert client.get("/api/v1/series", headers=admin).json == []
    assert _count(client, admin, f"/api/v1/bookings?resource_id={room.id}") == 0


def test_skip_clashes_books_the_free_occurrences_and_lists_the_rest(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    factory.booking([teacher], datetime(2027, 3, 10, 11, 0, tzinfo=SOFIA))

    answer = create(client, admin, series_body([teacher.id, room.id]), "?skip_clashes=true")

    assert answer.status_code == 201, answer.json
    assert answer.json["occurrence_count"] == 21
    assert "2027-03-10" in [s["date"] for s in answer.json["skipped"]]
    listed = occurrences(client, admin, answer.json["id"])
    assert "2027-03-10" not in [o["starts_at"][:10] for o in listed]
    assert _count(client, admin, f"/api/v1/bookings?resource_id={room.id}") == 21


def test_a_series_is_held_by_the_database_so_a_later_booking_clashes(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    create(client, admin, series_body([teacher.id, room.id]))

    single = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "starts_at": "2027-04-07T11:00:00+03:00",
            "ends_at": "2027-04-07T11:30:00+03:00",
            "resource_ids": [room.id],
        },
        headers=admin,
    )
    assert single.status_code == 409
    again = create(client, admin, series_body([teacher.id, room.id], title="Twice"))
    assert again.status_code == 409
    assert len(again.json["errors"]["conflicts"]) >= 22


def test_opening_hours_show_as_clashes(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 3, 1, 16, 30, tzinfo=SOFIA)

    answer = create(client, admin, series_body([teacher.id, room.id], start=start))

    assert answer.status_code == 409
    assert answer.json["errors"]["conflicts"][0]["reason"] == "hours"


@pytest.mark.parametrize(
    ("rrule", "reason"),
    [
        ("FREQ=WEEKLY;BYDAY=MO,WE", "needs an end"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=5;UNTIL=20270601T000000Z", "together"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "BYDAY"),
        ("FREQ=FORTNIGHTLY;COUNT=3", "FREQ"),
        ("FREQ=HOURLY;COUNT=3", "FREQ"),
        ("BYDAY=MO;COUNT=3", "FREQ"),
        ("FREQ=DAILY;COUNT=400", "one year"),
        ("FREQ=WEEKLY;BYDAY=MO;COUNT=60", "one year"),
        ("FREQ=WEEKLY;BYDAY=MO;UNTIL=20280601", "one year"),
        ("FREQ=WEEKLY;COUNT=0", "positive"),
        ("FREQ=WEEKLY;INTERVAL=0;COUNT=3", "positive"),
        ("FREQ=WEEKLY;BYHOUR=9;COUNT=3", "BYHOUR"),
        ("FREQ=WEEKLY;UNTIL=2027-06-01;", "Malformed"),
        ("FREQ=WEEKLY;UNTIL=20270631", "real date"),
        ("FREQ=WEEKLY;COUNT=3;FOO=1", "not supported"),
        ("FREQ=MONTHLY;BYDAY=-1MO;BYSETPOS=-1;COUNT=3", "BYSETPOS"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=3", "never falls"),
        ("FREQ=MONTHLY;BYDAY=+9MO;COUNT=3", "BYDAY"),
        ("FREQ=WEEKLY;BYDAY=MO;INTERVAL=60;COUNT=3", "INTERVAL"),
        ("FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1;COUNT=2", "BYMONTHDAY"),
        ("every monday", "RRULE"),
        ("", "rrule"),
    ],
)
def test_bad_rule_is_refused_naming_rrule_and_writes_nothing(client, factory, admin, rrule, reason):
    teacher, room = teacher_and_room(factory)

    answer = create(client, admin, series_body([teacher.id, room.id], rrule=rrule))

    assert answer.status_code == 422, answer.json
    assert "rrule" in answer.json["errors"]["json"]
    assert reason.lower() in str(answer.json["errors"]["json"]["rrule"]).lower() or rrule == ""
    assert client.get("/api/v1/series", headers=admin).json == []
    assert _count(client, admin, "/api/v1/bookings") == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4"}, "starts_at"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=1TU;COUNT=4"}, "starts_at"),
        ({"starts_at": "2027-03-01T10:00:00"}, "starts_at"),
        ({"ends_at": "2027-03-01T09:00:00+02:00"}, "ends_at"),
        ({"ends_at": "2027-03-02T11:00:00+02:00"}, "ends_at"),
        (
            {"starts_at": "9999-03-01T10:00:00+02:00", "ends_at": "9999-03-01T12:00:00+02:00"},
            "starts_at",
        ),
        (
            {"starts_at": "0001-01-01T10:00:00+02:00", "ends_at": "0001-01-01T12:00:00+02:00"},
            "starts_at",
        ),
        ({"type": "interpretation"}, "type"),
        ({"office": "varna"}, "office"),
        ({"title": ""}, "title"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": "ten"}, "capacity"),
        ({"languages": ["xx"]}, "languages"),
        ({"resource_ids": []}, "resource_ids"),
        ({"resource_ids": [999999]}, "resource_ids"),
        ({"public": "maybe"}, "public"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_series_is_refused_naming_the_field(client, factory, admin, change, field):
    teacher, room = teacher_and_room(factory)

    answer = create(client, admin, series_body([teacher.id, room.id]) | change)

    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert client.get("/api/v1/series", headers=admin).json == []


def test_room_of_another_office_is_refused(client, factory, admin):
    teacher = factory.person("teacher", languages=("bg",))
    room = factory.room("burgas")

    answer = create(client, admin, series_body([teacher.id, room.id]))

    assert answer.status_code == 422
    assert "resource_ids" in answer.json["errors"]["json"]


def test_a_rule_meeting_only_closed_days_is_refused(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = datetime(2027, 12, 24, 10, 0, tzinfo=SOFIA)
    body = series_body([teacher.id, room.id], start=start, rrule="FREQ=DAILY;COUNT=1")

    answer = create(client, admin, body)

    assert answer.status_code == 422
    assert "rrule" in answer.json["errors"]["json"]


def test_coordinators_plan_only_in_their_offices(client, factory):
    teacher, room = teacher_and_room(factory)
    burgas = factory.headers("coordinator", offices=[factory.office("burgas").code])
    sofia = factory.headers("coordinator")

    refused = create(client, burgas, series_body([teacher.id, room.id]))
    created = create(client, sofia, series_body([teacher.id, room.id]))

    assert refused.status_code == 403
    assert created.status_code == 201
    assert client.get("/api/v1/series", headers=burgas).json == []
    assert client.get(f"/api/v1/series/{created.json['id']}", headers=burgas).status_code == 404
    assert [s["id"] for s in client.get("/api/v1/series", headers=sofia).json] == [
        created.json["id"]
    ]


def test_series_creation_is_audited(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    created = create(client, admin, series_body([teacher.id, room.id]))
    first = occurrences(client, admin, created.json["id"])[0]

    trail = client.get(f"/api/v1/bookings/{first['id']}/audit", headers=admin).json

    assert [e["action"] for e in trail] == ["create"]
    assert trail[0]["after"]["series_id"] == created.json["id"]


def test_occurrences_can_be_listed_in_a_window(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    created = create(client, admin, series_body([teacher.id, room.id]))

    window = client.get(
        f"/api/v1/series/{created.json['id']}/occurrences",
        query_string={"start": "2027-03-07T00:00:00+02:00", "end": "2027-03-14T00:00:00+02:00"},
        headers=admin,
    )

    assert [o["starts_at"][:10] for o in window.json] == ["2027-03-08", "2027-03-10"]
    assert set(window.json[0]) >= {"id", "starts_at", "ends_at", "status"}


def test_the_stored_rule_is_ready_for_an_icalendar_feed(client, factory, admin):
    """UNTIL is stored in UTC (RFC 5545 with a TZID start), skipped dates as EXDATE material."""
    teacher, room = teacher_and_room(factory)
    body = series_body([teacher.id, room.id], rrule="freq=weekly;byday=mo,we;until=20270310")

    created = create(client, admin, body).json
    exceptions = client.get(f"/api/v1/series/{created['id']}/exceptions", headers=admin).json

    assert created["rrule"] == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270310T215959Z"
    assert [o["starts_at"][:10] for o in occurrences(client, admin, created["id"])] == [
        "2027-03-01",
        "2027-03-08",
        "2027-03-10",
    ]
    master = FeedEvent(
        uid=f"series-{created['id']}@zapis",
        starts_at=datetime.fromisoformat(created["starts_at"]),
        ends_at=datetime.fromisoformat(created["ends_at"]),
        summary=created["title"],
        rrule=created["rrule"],
        exdates=tuple(datetime.fromisoformat(e["recurrence_start"]) for e in exceptions),
        created=MONDAY_10,
        last_modified=MONDAY_10,
    )
    assert master.exdates == (datetime(2027, 3, 3, 10, tzinfo=SOFIA),)


def test_a_calendar_app_expands_the_stored_rule_to_the_booked_occurrences(client, factory, admin):
    """Rule, UTC UNTIL and holiday EXDATEs, expanded by icalendar's recurring_ical_events."""
    teacher, room = teacher_and_room(factory)
    created = create(client, admin, series_body([teacher.id, room.id])).json
    exceptions = client.get(f"/api/v1/series/{created['id']}/exceptions", headers=admin).json
    uid = f"series-{created['id']}@zapis"
    master = FeedEvent(
        uid=uid,
        starts_at=datetime.fromisoformat(created["starts_at"]),
        ends_at=datetime.fromisoformat(created["ends_at"]),
        summary=created["title"],
        rrule=created["rrule"],
        exdates=tuple(datetime.fromisoformat(e["recurrence_start"]) for e in exceptions),
        created=MONDAY_10,
        last_modified=MONDAY_10,
    )

    feed = Calendar.from_ical(render_feed(FeedCalendar(name="Bulgarian A1"), [master]))
    expanded = recurring_ical_events.of(feed).between(datetime(2027, 1, 1), datetime(2028, 1, 1))

    booked = occurrences(client, admin, created["id"])
    assert sorted(e.decoded("DTSTART") for e in expanded) == [
        datetime.fromisoformat(o["starts_at"]) for o in booked
    ]
    assert sorted(e.decoded("DTEND") for e in expanded) == [
        datetime.fromisoformat(o["ends_at"]) for o in booked
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [({"start": "tomorrow"}, "start"), ({"end": "9999-12-31T23:00:00-05:00"}, "end")],
)
def test_a_bad_occurrence_window_names_the_field(client, factory, admin, query, field):
    teacher, room = teacher_and_room(factory)
    created = create(client, admin, series_body([teacher.id, room.id])).json

    answer = client.get(
        f"/api/v1/series/{created['id']}/occurrences", query_string=query, headers=admin
    )

    assert answer.status_code == 422
    assert field in answer.json["errors"]["query"]
