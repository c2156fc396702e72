"""Idempotency-Key: a retried change gets the first answer and is done once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from service.models import Booking, IdempotencyKey, OutboxMessage
from service.plumbing.clock import utcnow
from service.web.idempotency import purge_expired_keys
from tests.feed_helpers import working_day

KEY = {"Idempotency-Key": "6d1f4b0e-8a51-4c1e-9a2f-3b7e2d9c0a11"}


def _count(session, model) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _booking_body(factory, hour: int = 10) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(phone="+359888123456", sms_consent=True, language="ar")
    start = working_day(9, hour=hour)
    return {
        "type": "interpretation",
        "office": "sofia",
        "resource_ids": [interpreter.id],
        "beneficiary_ids": [person.id],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }


def test_a_retry_with_the_same_key_gets_the_first_answer_and_books_once(
    client, factory, session, admin
):
    body = _booking_body(factory)
    first = client.post("/api/v1/bookings", json=body, headers=admin | KEY)
    assert first.status_code == 201, first.json
    messages = _count(session, OutboxMessage)

    again = client.post("/api/v1/bookings", json=body, headers=admin | KEY)

    assert again.status_code == 201
    assert again.json == first.json
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(session, Booking) == 1
    assert _count(session, OutboxMessage) == messages  # no second confirmation


def test_without_a_key_a_second_request_is_a_second_request(client, factory, admin):
    body = _booking_body(factory)
    assert client.post("/api/v1/bookings", json=body, headers=admin).status_code == 201
    assert client.post("/api/v1/bookings", json=body, headers=admin).status_code == 409


def test_the_same_key_with_another_request_is_refused_naming_the_header(
    client, factory, session, admin
):
    body = _booking_body(factory)
    assert client.post("/api/v1/bookings", json=body, headers=admin | KEY).status_code == 201
    changed = body | {"notes": "a different request"}

    refused = client.post("/api/v1/bookings", json=changed, headers=admin | KEY)

    assert refused.status_code == 422
    assert "Idempotency-Key" in refused.json["errors"]["headers"]
    assert _count(session, Booking) == 1


def test_keys_belong_to_their_caller(client, factory, session, admin):
    body = _booking_body(factory)
    assert client.post("/api/v1/bookings", json=body, headers=admin | KEY).status_code == 201
    other = factory.headers("admin")
    # another caller's key of the same spelling is theirs: this is a new booking of a taken slot
    assert client.post("/api/v1/bookings", json=body, headers=other | KEY).status_code == 409


def test_a_refused_request_keeps_nothing_so_the_corrected_one_runs(client, factory, session, admin):
    body = _booking_body(factory)
    wrong = body | {"ends_at": body["starts_at"]}
    assert client.post("/api/v1/bookings", json=wrong, headers=admin | KEY).status_code == 422
    assert _count(session, IdempotencyKey) == 0

    assert client.post("/api/v1/bookings", json=body, headers=admin | KEY).status_code == 201
    assert _count(session, Booking) == 1


def test_an_expired_key_is_forgotten(client, factory, session, admin):
    person = factory.beneficiary(language="ar")
    path = f"/api/v1/beneficiaries/{person.id}"
    first = client.patch(path, json={"discreet": True}, headers=admin | KEY)
    assert first.status_code == 200
    session.execute(update(IdempotencyKey).values(expires_at=utcnow() - timedelta(seconds=1)))
    session.commit()

    # the same key now starts afresh: a different request with it is simply run
    again = client.patch(path, json={"discreet": False}, headers=admin | KEY)

    assert again.status_code == 200 and again.json["discreet"] is False
    assert "Idempotent-Replayed" not in again.headers


def test_expired_keys_are_purged(client, factory, session, admin):
    person = factory.beneficiary(language="ar")
    client.patch(f"/api/v1/beneficiaries/{person.id}", json={"discreet": True}, headers=admin | KEY)
    assert purge_expired_keys(session, utcnow()) == 0
    assert purge_expired_keys(session, utcnow() + timedelta(hours=25)) == 1
    assert _count(session, IdempotencyKey) == 0


def test_a_key_must_be_printable_ascii_of_at_most_255_characters(client, factory, admin):
    body = _booking_body(factory)
    for key in ("x" * 256, "ключ", "tab\tkey"):
        answer = client.post(
            "/api/v1/bookings", json=body, headers=admin | {"Idempotency-Key": key}
        )
        assert answer.status_code == 422, key
        assert "Idempotency-Key" in answer.json["errors"]["headers"]


def test_erasure_forgets_kept_answers_that_name_the_person(client, factory, session, admin):
    factory.office("sofia")
    registered = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "BG-2026-99001",
            "language": "ar",
            "phone": "+359888765432",
            "sms_consent": True,
            "offices": ["sofia"],
        },
        headers=admin | KEY,
    )
    assert registered.status_code == 201
    assert _count(session, IdempotencyKey) == 1

    erased = client.post(f"/api/v1/beneficiaries/{registered.json['id']}/erase", headers=admin)

    assert erased.status_code == 200
    assert session.scalars(select(IdempotencyKey.body)).all() == []


def test_the_spec_documents_the_header_on_changes(client):
    spec = client.get("/openapi.json").json
    create = spec["paths"]["/api/v1/bookings"]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    listing = spec["paths"]["/api/v1/bookings"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in listing.get("parameters", []))
