"""Every bad input answers a 4xx JSON error that names the field, and writes nothing."""

from __future__ import annotations

import json
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
from marshmallow import Schema, fields, validate
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from service.models import Booking
from service.resources.fields import Day, Text
from tests.test_bookings_api import TUESDAY_10, body

SOFIA = ZoneInfo("Europe/Sofia")


def _count_bookings(client, admin):
    return int(
        client.get("/api/v1/bookings", headers=admin)
        .headers["X-Pagination"]
        .split('"total": ')[1]
        .split(",")[0]
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"starts_at": "2027-02-02T10:00:00"}, "starts_at"),
        ({"ends_at": "2027-02-02T09:00:00+02:00"}, "ends_at"),
        ({"ends_at": "2027-02-02T10:00:00+02:00"}, "ends_at"),
        ({"ends_at": "2027-02-04T10:00:00+02:00"}, "ends_at"),
        (
            {"starts_at": "2027-02-02T07:00:00+02:00", "ends_at": "2027-02-02T08:00:00+02:00"},
            "starts_at",
        ),
        (
            {"starts_at": "2027-05-03T10:00:00+03:00", "ends_at": "2027-05-03T11:00:00+03:00"},
            "starts_at",
        ),
        (
            {"starts_at": "2027-02-06T10:00:00+02:00", "ends_at": "2027-02-06T11:00:00+02:00"},
            "starts_at",
        ),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"type": "party"}, "type"),
        ({"office": "varna"}, "office"),
        ({"resource_ids": []}, "resource_ids"),
        ({"resource_ids": [999999]}, "resource_ids"),
        ({"resource_ids": ["1"]}, "resource_ids"),
        ({"beneficiary_ids": [999999]}, "beneficiary_ids"),
        ({"modality": "video"}, "remote_link"),
        ({"modality": "video", "remote_link": "http://meet.example.org/x"}, "remote_link"),
        ({"modality": "video", "remote_link": "javascript:alert(1)"}, "remote_link"),
        ({"modality": "video", "remote_link": " javascript:alert(1)"}, "remote_link"),
        ({"modality": "video", "remote_link": "data:text/html,<b>x</b>"}, "remote_link"),
        ({"modality": "video", "remote_link": "file:///etc/passwd"}, "remote_link"),
        ({"modality": "video", "remote_link": "meet.example.org/x"}, "remote_link"),
        ({"modality": "video", "remote_link": "https:meet.example.org"}, "remote_link"),
        ({"modality": "phone", "remote_link": "tel:call me"}, "remote_link"),
        ({"remote_link": "javascript:alert(1)"}, "remote_link"),
        ({"colour": "red"}, "colour"),
        ({"override": "yes please"}, "override"),
    ],
    ids=[
        "naive",
        "end-before-start",
        "zero-duration",
        "two-days",
        "before-opening",
        "easter-monday",
        "saturday",
        "not-a-date",
        "type",
        "office",
        "no-resources",
        "unknown-resource",
        "string-id",
        "unknown-beneficiary",
        "video-without-link",
        "http-link",
        "javascript-link",
        "javascript-link-after-a-space",
        "data-link",
        "file-link",
        "link-without-scheme",
        "https-without-host",
        "tel-not-a-number",
        "in-person-javascript-link",
        "unknown-field",
        "override-not-bool",
    ],
)
def test_bad_booking_is_refused_naming_the_field(client, factory, admin, change, field):
    interpreter = factory.interpreter()
    before = _count_bookings(client, admin)
    answer = client.post("/api/v1/bookings", json=body([interpreter.id]) | change, headers=admin)

    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert _count_bookings(client, admin) == before


def test_closure_day_is_refused(client, factory, admin):
    interpreter = factory.interpreter()
    factory.closure("sofia", TUESDAY_10.date())
    answer = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    assert answer.status_code == 422
    assert "closure" in answer.json["message"]


def test_room_of_another_office_is_refused(client, factory, admin):
    room = factory.room("burgas")
    factory.office("sofia")
    answer = client.post("/api/v1/bookings", json=body([room.id]), headers=admin)
    assert answer.status_code == 422
    assert "resource_ids" in answer.json["errors"]["json"]


def test_time_off_blocks_booking(client, factory, admin):
    interpreter = factory.interpreter()
    off = client.post(
        f"/api/v1/resources/{interpreter.id}/time-off",
        json={
            "starts_at": "2027-02-02T00:00:00+02:00",
            "ends_at": "2027-02-03T00:00:00+02:00",
            "reason": "leave",
        },
        headers=admin,
    )
    assert off.status_code == 201
    answer = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    assert answer.status_code == 409
    assert answer.json["errors"]["conflicts"][0]["reason"] == "time_off"


def test_oversized_body_is_413_json(client, factory, admin):
    answer = client.post("/api/v1/bookings", json=body([1], notes="x" * 200_000), headers=admin)
    assert answer.status_code == 413
    assert answer.json["code"] == 413


def test_malformed_json_is_a_4xx(client, admin):
    answer = client.post(
        "/api/v1/bookings", data="{not json", headers=admin | {"Content-Type": "application/json"}
    )
    assert 400 <= answer.status_code < 500
    assert answer.is_json


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"case_reference": "X-1", "language": "xx"}, "language"),
        ({"case_reference": "X-1", "language": "arabic"}, "language"),
        ({"case_reference": "X-1", "language": "ar", "phone": "12"}, "phone"),
        ({"case_reference": "X-1", "language": "ar", "phone": "+359 88 123"}, "phone"),
        ({"case_reference": "X-1", "language": "ar", "sms_consent": True}, "phone"),
        (
            {
                "case_reference": "X-1",
                "language": "ar",
                "is_minor": True,
                "sms_consent": True,
                "phone": "+359888123456",
            },
            "guardian_phone",
        ),
        ({"case_reference": "", "language": "ar"}, "case_reference"),
        ({"language": "ar"}, "case_reference"),
        ({"case_reference": "X-1", "language": "ar", "name": "Ahmed"}, "name"),
    ],
)
def test_bad_beneficiary_is_refused_naming_the_field(client, factory, admin, payload, field):
    factory.office("sofia")
    answer = client.post(
        "/api/v1/beneficiaries", json={"offices": ["sofia"]} | payload, headers=admin
    )
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert client.get("/api/v1/beneficiaries", headers=admin).json == []


def test_unknown_language_in_a_search_is_named(client, admin):
    answer = client.get("/api/v1/resources?language=zz", headers=admin)
    assert answer.status_code == 422
    assert "language" in answer.json["errors"]["query"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (
            {"start": "2027-02-02T08:00:00", "end": "2027-02-02T18:00:00+02:00", "duration": 60},
            "start",
        ),
        (
            {
                "start": "2027-02-02T18:00:00+02:00",
                "end": "2027-02-02T08:00:00+02:00",
                "duration": 60,
            },
            "end",
        ),
        (
            {
                "start": "2027-02-02T08:00:00+02:00",
                "end": "2027-06-02T08:00:00+02:00",
                "duration": 60,
            },
            "end",
        ),
        (
            {
                "start": "2027-02-02T08:00:00+02:00",
                "end": "2027-02-02T18:00:00+02:00",
                "duration": 0,
            },
            "duration",
        ),
        (
            {
                "start": "2027-02-02T08:00:00+02:00",
                "end": "2027-02-02T18:00:00+02:00",
                "duration": 100000,
            },
            "duration",
        ),
        ({"start": "2027-02-02T08:00:00+02:00", "end": "2027-02-02T18:00:00+02:00"}, "duration"),
    ],
)
def test_bad_availability_query_is_refused_naming_the_field(client, admin, query, field):
    answer = client.get("/api/v1/availability", query_string=query, headers=admin)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["query"]


def test_duplicate_case_reference_is_a_conflict(client, factory, admin):
    factory.office("sofia")
    first = {"case_reference": "X-1", "language": "ar", "offices": ["sofia"]}
    assert client.post("/api/v1/beneficiaries", json=first, headers=admin).status_code == 201
    again = client.post("/api/v1/beneficiaries", json=first | {"language": "fa"}, headers=admin)
    assert again.status_code == 409


def test_ids_beyond_what_the_database_holds_are_not_found(client, admin):
    assert client.get("/api/v1/bookings/99999999999999999999", headers=admin).status_code == 404
    assert client.get("/api/v1/bookings/2147483648", headers=admin).status_code == 404
    answer = client.get("/api/v1/bookings?resource_id=99999999999", headers=admin)
    assert answer.status_code == 422
    assert "resource_id" in answer.json["errors"]["query"]


def test_instants_far_from_now_are_refused_naming_the_field(client, admin):
    answer = client.get("/api/v1/bookings?start=9999-12-31T23:00:00-05:00", headers=admin)
    assert answer.status_code == 422
    assert "start" in answer.json["errors"]["query"]
    booking = body([1], start=TUESDAY_10.replace(year=1900))
    answer = client.post("/api/v1/bookings", json=booking, headers=admin)
    assert answer.status_code == 422
    assert "starts_at" in answer.json["errors"]["json"]


@pytest.mark.parametrize(
    ("modality", "link"),
    [
        ("video", "https://meet.example.org/zapis-4411"),
        ("video", "HTTPS://meet.example.org/x"),
        ("phone", "tel:+359888123456"),
        ("phone", "sip:room-3@sip.example.org"),
    ],
)
def test_https_tel_and_sip_links_are_accepted(client, factory, admin, modality, link):
    interpreter = factory.interpreter()
    change = {"modality": modality, "remote_link": link}
    answer = client.post("/api/v1/bookings", json=body([interpreter.id]) | change, headers=admin)
    assert answer.status_code == 201, answer.json
    assert answer.json["remote_link"] == link


# Anonymous callers are refused before their body is read.


@pytest.fixture
def fresh_limits(app):
    """Reset the failed-authentication counter, which these 401s would otherwise run up."""
    app.extensions["zapis.limiter"].reset()
    yield
    app.extensions["zapis.limiter"].reset()


ANONYMOUS_WRITES = [
    ("post", "/api/v1/bookings", {"colour": "red"}),
    ("post", "/api/v1/bookings/1/reschedule", {"version": "x"}),
    ("post", "/api/v1/beneficiaries", {"case_reference": ""}),
    ("patch", "/api/v1/beneficiaries/1", {"discreet": "maybe"}),
    ("post", "/api/v1/series", {"rrule": 7}),
    ("patch", "/api/v1/series/1", {"capacity": -1}),
    ("post", "/api/v1/feeds", {"resource_id": 2**63}),
    ("post", "/api/v1/tokens", {}),
    ("put", "/api/v1/series/1/occurrences/1/attendance", {"marks": 1}),
    ("post", "/api/v1/offices/sofia/closed-days", {"day": "never"}),
]


@pytest.mark.usefixtures("fresh_limits")
@pytest.mark.parametrize("token", [None, "Bearer zap_not-a-token", "Basic YWRtaW4="])
@pytest.mark.parametrize(("method", "path", "payload"), ANONYMOUS_WRITES)
def test_an_anonymous_bad_body_is_401_not_a_schema_description(
    client, method, path, payload, token
):
    headers = {"Authorization": token} if token else {}
    answer = getattr(client, method)(path, json=payload, headers=headers)
    assert answer.status_code == 401, answer.json
    assert "errors" not in answer.json
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.usefixtures("fresh_limits")
def test_an_anonymous_bad_query_is_401(client):
    assert client.get("/api/v1/replies?booking_id=2147483648").status_code == 401
    assert client.get("/api/v1/availability?duration=x").status_code == 401
    assert client.get("/api/v1/offices/%00/closed-days").status_code == 401


@pytest.mark.usefixtures("fresh_limits")
@pytest.mark.parametrize(
    ("path", "status"),
    [("/health", 200), ("/openapi.json", 200), ("/docs", 200), ("/calendars/nothing.ics", 404)],
)
def test_public_endpoints_need_no_token(client, path, status):
    assert client.get(path).status_code == status


@pytest.mark.usefixtures("fresh_limits")
def test_json_nested_too_deeply_is_401_without_a_token_and_400_with_one(client, admin):
    deep = "[" * 5000 + "]" * 5000
    for path in ("/api/v1/bookings", "/api/v1/series", "/api/v1/feeds", "/api/v1/beneficiaries"):
        answer = client.post(path, data=deep, headers={"Content-Type": "application/json"})
        assert answer.status_code == 401, (path, answer.json)
        answer = client.post(
            path, data=deep[:5000], headers=admin | {"Content-Type": "application/json"}
        )
        assert answer.status_code == 400, (path, answer.json)
        assert answer.json["errors"] == {"json": ["Invalid JSON body."]}


# Text no column can hold: NUL characters and unpaired surrogates.

UNSTORABLE = ["a\x00b", "\x00", "a\ud800b", "\udfff"]


def _json(payload):
    """`payload` as JSON text, with surrogates escaped as JSON allows (json= would refuse them)."""
    return {"data": json.dumps(payload), "content_type": "application/json"}


@pytest.mark.parametrize("text", UNSTORABLE, ids=["nul", "only-nul", "surrogate", "low-surrogate"])
def test_unstorable_text_in_a_body_is_422_naming_the_field(client, factory, admin, text):
    interpreter = factory.interpreter()
    cases = [
        ("/api/v1/beneficiaries", {"case_reference": text, "language": "ar"}, "case_reference"),
        ("/api/v1/beneficiaries", {"case_reference": "X-9", "language": text}, "language"),
        ("/api/v1/bookings", body([interpreter.id], notes=text), "notes"),
        ("/api/v1/bookings", body([interpreter.id], office=text), "office"),
        ("/api/v1/offices/sofia/closed-days", {"day": "2027-03-04", "reason": text}, "reason"),
        ("/api/v1/tokens", {"name": text, "role": "admin"}, "name"),
        ("/api/v1/feeds", {"scope": "office", "privacy": "full", "office": text}, "office"),
    ]
    before = _count_bookings(client, admin)
    for path, payload, field in cases:
        answer = client.post(path, headers=admin, **_json(payload))
        assert answer.status_code == 422, (path, answer.json)
        assert field in answer.json["errors"]["json"], (path, answer.json)
    assert _count_bookings(client, admin) == before
    assert client.get("/api/v1/beneficiaries", headers=admin).json == []


def test_unstorable_text_in_a_list_or_a_patch_is_422_naming_the_field(client, factory, admin):
    room = factory.room()
    series = client.post(
        "/api/v1/series",
        headers=admin,
        **_json(
            {
                "type": "community_event",
                "office": "sofia",
                "title": "Info",
                "rrule": "FREQ=WEEKLY;COUNT=2",
                "starts_at": "2027-03-01T10:00:00+02:00",
                "ends_at": "2027-03-01T11:00:00+02:00",
                "resource_ids": [room.id],
                "languages": ["ar", "f\x00"],
            }
        ),
    )
    assert series.status_code == 422, series.json
    assert "languages" in series.json["errors"]["json"]
    answer = client.post(
        "/api/v1/resources",
        headers=admin,
        **_json({"kind": "interpreter", "name": "A", "languages": ["ar", "\ud83d"]}),
    )
    assert answer.status_code == 422
    assert "languages" in answer.json["errors"]["json"]


@pytest.mark.parametrize(
    ("path", "location", "name"),
    [
        ("/api/v1/resources?office=%00", "query", "office"),
        ("/api/v1/resources?language=a%00", "query", "language"),
        ("/api/v1/bookings?office=sofia%00", "query", "office"),
        ("/api/v1/statistics?from=2026-01&to=2026-02&office=%00", "query", "office"),
        ("/api/v1/offices/%00/closed-days?start=2027-01-01&end=2027-01-02", "path", "code"),
        ("/api/v1/offices/so%00fia/closed-days/2027-01-01", "path", "code"),
        ("/calendars/%00.ics", "path", "token"),
        ("/calendars/x.ics?past_days=%00", "query", "past_days"),
    ],
)
def test_a_nul_in_a_path_or_query_is_422_naming_it(client, admin, path, location, name):
    method = client.delete if path.endswith("2027-01-01") else client.get
    answer = method(path, headers=admin)
    assert answer.status_code == 422, answer.json
    assert name in answer.json["errors"][location]


# Whole numbers beyond what the database holds, and digits int() does not read.


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/replies?booking_id=2147483648", "booking_id"),
        ("/api/v1/replies?booking_id=0", "booking_id"),
        ("/api/v1/bookings?beneficiary_id=9223372036854775808", "beneficiary_id"),
        ("/api/v1/beneficiaries?page=2147483648", "page"),
        ("/api/v1/availability/suggest?resource_ids=2147483648", "resource_ids"),
    ],
)
def test_an_id_beyond_the_column_in_a_query_is_422(client, admin, path, field):
    answer = client.get(path, headers=admin)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["query"]


@pytest.mark.parametrize("value", [2**31, 2**63, 2**64 + 1, 0, -1])
def test_a_feed_for_a_resource_id_beyond_the_column_is_422(client, admin, value):
    answer = client.post(
        "/api/v1/feeds",
        json={"scope": "resource", "privacy": "busy", "resource_id": value},
        headers=admin,
    )
    assert answer.status_code == 422, answer.json
    assert "resource_id" in answer.json["errors"]["json"]


def test_ids_and_versions_beyond_the_column_in_a_body_are_422(client, factory, admin):
    interpreter = factory.interpreter()
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json
    moved = client.post(
        f"/api/v1/bookings/{booked['id']}/reschedule",
        json={"version": 2**31, "starts_at": booked["starts_at"], "ends_at": booked["ends_at"]},
        headers=admin,
    )
    assert moved.status_code == 422, moved.json
    assert "version" in moved.json["errors"]["json"]
    answer = client.post("/api/v1/bookings", json=body([2**31]), headers=admin)
    assert answer.status_code == 422
    assert "resource_ids" in answer.json["errors"]["json"]
    answer = client.post(
        "/api/v1/series/1/enrolments", json={"beneficiary_id": 2**63}, headers=admin
    )
    assert answer.status_code == 422
    assert "beneficiary_id" in answer.json["errors"]["json"]


@pytest.mark.parametrize(
    "rrule",
    [
        "FREQ=WEEKLY;COUNT=²",
        "FREQ=WEEKLY;COUNT=2;INTERVAL=²",
        "FREQ=WEEKLY;COUNT=٣",
        "FREQ=MONTHLY;COUNT=2;BYMONTHDAY=²",
        "FREQ=MONTHLY;COUNT=2;BYDAY=²MO",
        "FREQ=WEEKLY;UNTIL=\uff12\uff10\uff12\uff17\uff10\uff13\uff10\uff11",  # fullwidth
        "FREQ=WEEKLY;COUNT=99999999999999999999999",
    ],
)
def test_a_rule_with_digits_int_cannot_read_is_422_naming_rrule(client, factory, admin, rrule):
    room = factory.room()
    series = {
        "type": "community_event",
        "office": "sofia",
        "title": "Info",
        "rrule": rrule,
        "starts_at": "2027-03-01T10:00:00+02:00",
        "ends_at": "2027-03-01T11:00:00+02:00",
        "resource_ids": [room.id],
    }
    for query in ("?dry_run=true", ""):
        answer = client.post(f"/api/v1/series{query}", json=series, headers=admin)
        assert answer.status_code == 422, answer.json
        assert "rrule" in answer.json["errors"]["json"]
    assert client.get("/api/v1/series", headers=admin).json == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=9999-12-31&end=9999-12-31", "start"),
        ("start=2027-01-01&end=9999-12-31", "end"),
        ("start=0001-01-01&end=0001-01-02", "start"),
    ],
)
def test_closed_days_at_the_end_of_the_calendar_are_422(client, factory, admin, query, field):
    factory.office("sofia")
    answer = client.get(f"/api/v1/offices/sofia/closed-days?{query}", headers=admin)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["query"]
    gone = client.delete("/api/v1/offices/sofia/closed-days/9999-12-31", headers=admin)
    assert gone.status_code == 404


@pytest.mark.parametrize("value", ["²", "٣", "99999999999999999999999", "-1", "%00"])
def test_a_feed_window_int_cannot_read_is_422(client, value):
    for name in ("past_days", "future_days"):
        answer = client.get(f"/calendars/x.ics?{name}={value}")
        assert answer.status_code == 422, answer.json
        assert name in answer.json["errors"]["query"]


def _argument_schemas(app):
    """Every schema an API operation loads its arguments with, nested ones included."""
    found, todo = {}, []
    for view in app.view_functions.values():
        cls = getattr(view, "view_class", None)
        for function in [getattr(cls, m, None) for m in ("get", "post", "put", "patch", "delete")]:
            for parameter in (
                getattr(function, "_apidoc", {}).get("arguments", {}).get("parameters", [])
            ):
                todo.append(parameter["schema"])
    while todo:
        schema = todo.pop()
        schema = schema if isinstance(schema, Schema) else schema()
        if type(schema) in found:
            continue
        found[type(schema)] = schema
        for field in schema.fields.values():
            for inner in (field, getattr(field, "inner", None)):
                if isinstance(inner, fields.Nested):
                    todo.append(inner.schema)
    return list(found.values())


CHECKED = ((fields.String, Text), (fields.Date, Day))


def _loose_fields(schema):
    for name, outer in schema.load_fields.items():
        for field in (outer, getattr(outer, "inner", None)):
            if any(isinstance(field, t) and not isinstance(field, ours) for t, ours in CHECKED):
                yield name
            elif isinstance(field, fields.Integer):
                ranges = [v for v in field.validators if isinstance(v, validate.Range)]
                if not any(
                    r.min is not None and r.max is not None and -(2**31) <= r.min <= r.max < 2**31
                    for r in ranges
                ):
                    yield name


def test_every_string_date_and_whole_number_an_operation_reads_is_bounded(app):
    """Strings are Text, dates Day, and whole numbers fit a column, in every argument schema."""
    schemas = _argument_schemas(app)
    assert len(schemas) > 30
    loose = [f"{type(s).__name__}.{name}" for s in schemas for name in _loose_fields(s)]
    assert not loose


# Concurrent changes: the request that loses the race answers 409, never StaleDataError.


@contextmanager
def changed_meanwhile(model, statement):
    """Run `statement` once, as if another request committed it, just before `model` is saved.

    The app's request session and the test share one connection, so the statement is what the
    request's UPDATE then meets: a booking's version moved on, or a row gone.
    """
    done = []

    def other_request(session, _context, _instances):
        for row in list(session.dirty):
            if isinstance(row, model) and not done:
                done.append(row.id)
                session.connection().execute(text(statement), {"id": row.id})

    event.listen(Session, "before_flush", other_request)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", other_request)


BUMP_VERSION = "UPDATE bookings SET version = version + 1 WHERE id = :id"


@pytest.mark.parametrize(
    ("action", "payload"),
    [("cancel", {"reason": "ill"}), ("confirm", None), ("reschedule", "later")],
)
def test_a_booking_changed_meanwhile_is_409(client, factory, admin, action, payload):
    interpreter = factory.interpreter()
    booked = client.post(
        "/api/v1/bookings", json=body([interpreter.id], status="tentative"), headers=admin
    ).json
    if payload == "later":
        later = TUESDAY_10.replace(hour=14)
        payload = {
            "version": booked["version"],
            "starts_at": later.isoformat(),
            "ends_at": later.replace(hour=15).isoformat(),
        }
    with changed_meanwhile(Booking, BUMP_VERSION) as done:
        answer = client.post(
            f"/api/v1/bookings/{booked['id']}/{action}", json=payload, headers=admin
        )
    assert done, "the request never saved the booking"
    assert answer.status_code == 409, answer.json
    assert answer.is_json
    assert "meanwhile" in answer.json["message"]
    now = client.get(f"/api/v1/bookings/{booked['id']}", headers=admin).json
    assert (now["status"], now["starts_at"]) == ("tentative", booked["starts_at"])


def test_a_series_whose_occurrence_changed_meanwhile_is_409_and_unchanged(client, factory, admin):
    room = factory.room()
    series = client.post(
        "/api/v1/series",
        json={
            "type": "community_event",
            "office": "sofia",
            "title": "Info",
            "rrule": "FREQ=WEEKLY;COUNT=3",
            "starts_at": "2027-03-02T10:00:00+02:00",
            "ends_at": "2027-03-02T11:00:00+02:00",
            "resource_ids": [room.id],
        },
        headers=admin,
    ).json
    with changed_meanwhile(Booking, BUMP_VERSION) as done:
        answer = client.post(
            f"/api/v1/series/{series['id']}/cancel", json={"reason": "no room"}, headers=admin
        )
    assert done
    assert answer.status_code == 409, answer.json
    assert "meanwhile" in answer.json["message"]
    listed = client.get(f"/api/v1/series/{series['id']}/occurrences", headers=admin).json
    assert {o["status"] for o in listed} == {"confirmed"}
