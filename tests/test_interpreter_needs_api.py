"""Recording a beneficiary's interpreter needs and the interpreters they avoid, on the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.models import AuditEntry
from tests.feed_helpers import series_start_after, working_day


def needs_url(beneficiary_id: int) -> str:
    return f"/api/v1/beneficiaries/{beneficiary_id}/interpreter-needs"


def avoid_url(beneficiary_id: int, interpreter_id: int | None = None) -> str:
    url = f"/api/v1/beneficiaries/{beneficiary_id}/avoided-interpreters"
    return url if interpreter_id is None else f"{url}/{interpreter_id}"


@pytest.fixture
def coordinator(factory):
    return factory.headers("coordinator", offices=["sofia"])


def test_a_coordinator_records_needs_and_reads_them_back_with_the_languages(
    client, factory, coordinator
):
    person = factory.beneficiary(language="ar", other_languages=["fr"])

    empty = client.get(needs_url(person.id), headers=coordinator)
    assert empty.status_code == 200
    assert empty.json["gender"] is None and empty.json["child_trained"] is False

    saved = client.put(
        needs_url(person.id),
        json={"gender": "female", "dialect": "ar-sy", "child_trained": True},
        headers=coordinator,
    )

    assert saved.status_code == 200, saved.json
    assert saved.json | {"updated_at": None} == {
        "beneficiary_id": person.id,
        "gender": "female",
        "dialect": "ar-SY",
        "child_trained": True,
        "language": "ar",
        "other_languages": ["fr"],
        "updated_by": "coordinator 0",
        "updated_at": None,
    }
    assert client.get(needs_url(person.id), headers=coordinator).json == saved.json


def test_putting_needs_replaces_them_and_the_change_is_audited(client, factory, session, admin):
    person = factory.beneficiary()
    client.put(needs_url(person.id), json={"gender": "male", "dialect": "ar-IQ"}, headers=admin)

    cleared = client.put(needs_url(person.id), json={}, headers=admin)

    assert cleared.json["gender"] is None and cleared.json["dialect"] is None
    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "set_interpreter_needs", AuditEntry.entity_id == person.id)
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        (None, {"gender": "male", "dialect": "ar-IQ", "child_trained": False}),
        (
            {"gender": "male", "dialect": "ar-IQ", "child_trained": False},
            {"gender": None, "dialect": None, "child_trained": False},
        ),
    ]


def test_avoiding_an_interpreter_lists_the_bookings_and_courses_to_reassign(
    client, factory, coordinator, admin
):
    feared = factory.interpreter("ar", offices=("sofia",))
    other = factory.interpreter("ar", offices=("sofia",))
    teacher = factory.person("teacher", offices=("sofia",), languages=("bg",))
    person = factory.beneficiary(language="ar")
    start = working_day(10, hour=10)
    with_feared = factory.booking([feared], start, beneficiary_ids=[person.id])
    factory.booking([other], start + timedelta(hours=2), beneficiary_ids=[person.id])
    course_start = series_start_after(start, occurrences=2, every_days=7)
    course = client.post(
        "/api/v1/series",
        json={
            "type": "language_class",
            "office": "sofia",
            "title": "Bulgarian A1",
            "rrule": "FREQ=WEEKLY;COUNT=2",
            "starts_at": course_start.isoformat(),
            "ends_at": (course_start + timedelta(hours=1)).isoformat(),
            "resource_ids": [teacher.id, feared.id],
            "capacity": 5,
        },
        headers=admin,
    ).json
    enrolled = client.post(
        f"/api/v1/series/{course['id']}/enrolments",
        json={"beneficiary_id": person.id},
        headers=admin,
    ).json

    answer = client.put(
        avoid_url(person.id, feared.id), json={"reason": " same village "}, headers=coordinator
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["avoided"] | {"recorded_at": None} == {
        "interpreter_id": feared.id,
        "interpreter_name": feared.name,
        "reason": "same village",
        "recorded_by": "coordinator 0",
        "recorded_at": None,
    }
    assert [b["booking_id"] for b in answer.json["to_reassign_bookings"]] == [with_feared.id]
    assert [e["enrolment_id"] for e in answer.json["to_reassign_enrolments"]] == [enrolled["id"]]
    assert answer.json["to_reassign_enrolments"][0]["series_title"] == "Bulgarian A1"
    # nothing is cancelled: the coordinator reassigns
    assert client.get(f"/api/v1/bookings/{with_feared.id}", headers=admin).json["status"] in (
        "tentative",
        "confirmed",
    )
    listed = client.get(avoid_url(person.id), headers=coordinator).json
    assert [(a["interpreter_id"], a["reason"]) for a in listed] == [(feared.id, "same village")]


def test_a_past_or_cancelled_booking_is_not_listed_to_reassign(client, factory, admin):
    feared = factory.interpreter("ar")
    person = factory.beneficiary()
    cancelled = factory.booking([feared], working_day(5), beneficiary_ids=[person.id])
    client.post(f"/api/v1/bookings/{cancelled.id}/cancel", json={"reason": "moved"}, headers=admin)

    answer = client.put(avoid_url(person.id, feared.id), json={"reason": "x"}, headers=admin)

    assert answer.json["to_reassign_bookings"] == []
    assert answer.json["to_reassign_enrolments"] == []


def test_stopping_to_avoid_removes_the_interpreter_and_is_audited_without_the_reason(
    client, factory, session, admin
):
    feared = factory.interpreter("ar")
    person = factory.beneficiary()
    client.put(avoid_url(person.id, feared.id), json={"reason": "Secret why"}, headers=admin)

    gone = client.delete(avoid_url(person.id, feared.id), headers=admin)

    assert gone.status_code == 204
    assert client.get(avoid_url(person.id), headers=admin).json == []
    again = client.delete(avoid_url(person.id, feared.id), headers=admin)
    assert again.status_code == 404
    images = session.execute(
        select(AuditEntry.action, AuditEntry.before, AuditEntry.after).where(
            AuditEntry.entity == "beneficiary", AuditEntry.entity_id == person.id
        )
    ).all()
    assert ("avoid_interpreter", None, {"interpreter_id": feared.id}) in images
    assert ("stop_avoiding_interpreter", {"interpreter_id": feared.id}, None) in images
    assert "Secret why" not in str(images)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"gender": "other"}, "gender"),
        ({"gender": 1}, "gender"),
        ({"dialect": "arabic-syria"}, "dialect"),
        ({"dialect": "ar"}, "dialect"),  # a language, no region or script
        ({"dialect": "zz-SY"}, "dialect"),  # no such language
        ({"child_trained": "maybe"}, "child_trained"),
    ],
)
def test_bad_needs_are_refused_naming_the_field(client, factory, admin, body, field):
    person = factory.beneficiary()

    answer = client.put(needs_url(person.id), json=body, headers=admin)

    assert answer.status_code == 422
    assert field in answer.json["errors"]["json"]
    assert client.get(needs_url(person.id), headers=admin).json["updated_by"] is None


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_an_empty_or_long_reason_is_refused(client, factory, admin, reason):
    feared = factory.interpreter("ar")
    person = factory.beneficiary()

    answer = client.put(avoid_url(person.id, feared.id), json={"reason": reason}, headers=admin)

    assert answer.status_code == 422
    assert "reason" in answer.json["errors"]["json"]
    assert client.get(avoid_url(person.id), headers=admin).json == []


def test_a_missing_reason_is_refused(client, factory, admin):
    feared = factory.interpreter("ar")
    person = factory.beneficiary()

    answer = client.put(avoid_url(person.id, feared.id), json={}, headers=admin)

    assert answer.status_code == 422
    assert "reason" in answer.json["errors"]["json"]


def test_only_an_interpreter_can_be_avoided(client, factory, admin):
    room = factory.room()
    counsellor = factory.person("counsellor", languages=("bg",))
    person = factory.beneficiary()

    for resource_id in (room.id, counsellor.id, 999_999):
        answer = client.put(avoid_url(person.id, resource_id), json={"reason": "x"}, headers=admin)
        assert answer.status_code == 422, resource_id
        assert "interpreter_id" in answer.json["errors"]["json"]
    assert client.get(avoid_url(person.id), headers=admin).json == []


def test_an_erased_beneficiary_gets_no_needs(client, factory, admin):
    feared = factory.interpreter("ar")
    person = factory.beneficiary()
    assert client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin).status_code == 200

    needs = client.put(needs_url(person.id), json={"gender": "female"}, headers=admin)
    avoid = client.put(avoid_url(person.id, feared.id), json={"reason": "x"}, headers=admin)

    assert needs.status_code == 409 and avoid.status_code == 409
    assert "erased" in needs.json["message"]
    assert client.get(needs_url(person.id), headers=admin).json["gender"] is None
    assert client.get(avoid_url(person.id), headers=admin).json == []


def test_an_unknown_beneficiary_is_not_found(client, admin):
    assert client.get(needs_url(999_999), headers=admin).status_code == 404
    assert client.put(avoid_url(999_999, 1), json={"reason": "x"}, headers=admin).status_code == 404


@pytest.mark.parametrize("role", ["staff", "read_only"])
def test_staff_and_read_only_are_answered_not_found(client, factory, role):
    interpreter = factory.interpreter("ar")
    person = factory.needs(factory.beneficiary(), gender="female", avoid=(interpreter,))
    extra = {"resource_id": interpreter.id} if role == "staff" else {}
    headers = factory.headers(role, **extra)

    for method, url, body in (
        ("GET", needs_url(person.id), None),
        ("PUT", needs_url(person.id), {"gender": "male"}),
        ("GET", avoid_url(person.id), None),
        ("PUT", avoid_url(person.id, interpreter.id), {"reason": "x"}),
        ("DELETE", avoid_url(person.id, interpreter.id), None),
    ):
        answer = client.open(url, method=method, json=body, headers=headers)
        assert answer.status_code == 404, (method, url)
        assert "female" not in answer.text and "known from home" not in answer.text


def test_a_coordinator_of_another_office_is_answered_not_found(client, factory):
    person = factory.needs(factory.beneficiary(offices=("sofia",)), gender="female")
    burgas = factory.headers("coordinator", offices=["burgas"])

    assert client.get(needs_url(person.id), headers=burgas).status_code == 404
    assert client.get(avoid_url(person.id), headers=burgas).status_code == 404
