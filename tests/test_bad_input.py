"""Every bad input answers a 4xx JSON error that names the field, and writes nothing."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

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
def test_bad_beneficiary_is_refused_naming_the_field(client, admin, payload, field):
    answer = client.post("/api/v1/beneficiaries", json=payload, headers=admin)
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


def test_duplicate_case_reference_is_a_conflict(client, admin):
    client.post(
        "/api/v1/beneficiaries", json={"case_reference": "X-1", "language": "ar"}, headers=admin
    )
    again = client.post(
        "/api/v1/beneficiaries", json={"case_reference": "X-1", "language": "fa"}, headers=admin
    )
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
