"""Beneficiaries belong to offices: registering, sharing, scope, and every change audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from service.access.auth import issue_token
from service.models import AuditEntry
from tests.feed_helpers import working_day

PHONE = "+359888123456"


def coordinator(session, name, office):
    _token, secret = issue_token(session, name=name, role="coordinator", offices=[office])
    session.commit()
    return {"Authorization": f"Bearer {secret}"}


def audit_of(session, beneficiary_id):
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "beneficiary", AuditEntry.entity_id == beneficiary_id)
            .order_by(AuditEntry.id)
        )
    )


def test_a_coordinator_registers_in_their_office_and_never_in_another(client, factory, session):
    factory.offices()
    burgas = factory.headers("coordinator", offices=["burgas"])
    body = {"case_reference": "B-00001", "language": "ar"}

    made = client.post("/api/v1/beneficiaries", json=body, headers=burgas)
    elsewhere = client.post(
        "/api/v1/beneficiaries",
        json=body | {"case_reference": "S-00001", "offices": ["sofia"]},
        headers=burgas,
    )

    assert made.status_code == 201, made.json
    assert made.json["offices"] == ["burgas"]
    assert elsewhere.status_code == 403
    [registered] = audit_of(session, made.json["id"])
    assert registered.action == "register" and registered.after["offices"] == ["burgas"]


def test_a_coordinator_of_two_offices_names_the_office(client, factory):
    factory.offices()
    both = factory.headers("coordinator", offices=["burgas", "sofia"])
    answer = client.post(
        "/api/v1/beneficiaries", json={"case_reference": "X-00001", "language": "ar"}, headers=both
    )
    assert answer.status_code == 422
    assert "offices" in answer.json["errors"]["json"]


def test_an_out_of_scope_discreet_beneficiary_is_not_found_and_not_changed(
    client, factory, session
):
    factory.offices()
    person = factory.beneficiary(offices=("sofia",), discreet=True, phone=PHONE)
    burgas = factory.headers("coordinator", offices=["burgas"])
    before = len(audit_of(session, person.id))

    for method, path, body in (
        ("GET", f"/api/v1/beneficiaries/{person.id}", None),
        ("PATCH", f"/api/v1/beneficiaries/{person.id}", {"discreet": False}),
        ("GET", f"/api/v1/beneficiaries/{person.id}/export", None),
        ("GET", f"/api/v1/beneficiaries/{person.id}/consent", None),
    ):
        answer = client.open(path, method=method, json=body, headers=burgas)
        assert answer.status_code == 404, (method, path)
        assert person.case_reference not in answer.text
    assert client.get("/api/v1/beneficiaries", headers=burgas).json == []
    session.expire_all()
    assert person.discreet is True
    assert len(audit_of(session, person.id)) == before


def test_being_booked_in_an_office_grants_that_office_nothing(client, factory, admin):
    factory.offices()
    person = factory.beneficiary(offices=("sofia",))
    interpreter = factory.interpreter(offices=("burgas",))
    start = working_day(7)
    booked = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "burgas",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "resource_ids": [interpreter.id],
            "beneficiary_ids": [person.id],
        },
        headers=admin,
    )
    assert booked.status_code == 201, booked.json
    burgas = factory.headers("coordinator", offices=["burgas"])

    assert client.get(f"/api/v1/beneficiaries/{person.id}", headers=burgas).status_code == 404
    again = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "burgas",
            "starts_at": (start + timedelta(hours=2)).isoformat(),
            "ends_at": (start + timedelta(hours=3)).isoformat(),
            "resource_ids": [interpreter.id],
            "beneficiary_ids": [person.id],
        },
        headers=burgas,
    )
    assert again.status_code == 422
    assert again.json["errors"]["json"]["beneficiary_ids"] == [
        f"No beneficiary with id {person.id}."
    ]


def test_sharing_with_another_office_is_audited_and_only_that_office_takes_it_back(
    client, factory, session
):
    factory.offices()
    person = factory.beneficiary(offices=("burgas",))
    burgas = coordinator(session, "Burgas desk", "burgas")
    sofia = coordinator(session, "Sofia desk", "sofia")
    path = f"/api/v1/beneficiaries/{person.id}"

    assert client.get(path, headers=sofia).status_code == 404
    shared = client.patch(path, json={"offices": ["burgas", "sofia"]}, headers=burgas)
    assert shared.status_code == 200, shared.json
    assert client.get(path, headers=sofia).json["offices"] == ["burgas", "sofia"]

    refused = client.patch(path, json={"offices": ["burgas"]}, headers=burgas)
    assert refused.status_code == 403
    assert client.patch(path, json={"offices": ["burgas"]}, headers=sofia).status_code == 200
    assert client.get(path, headers=sofia).status_code == 404

    changes = [
        (e.actor, e.before["offices"], e.after["offices"]) for e in audit_of(session, person.id)[1:]
    ]
    assert changes == [
        ("Burgas desk", ["burgas"], ["burgas", "sofia"]),
        ("Sofia desk", ["burgas", "sofia"], ["burgas"]),
    ]


def test_every_change_is_audited_with_before_after_and_who_and_no_number(client, factory, session):
    factory.offices()
    person = factory.beneficiary(offices=("sofia",))
    sofia = coordinator(session, "Sofia desk", "sofia")
    path = f"/api/v1/beneficiaries/{person.id}"

    for change in (
        {"discreet": True},
        {"language": "fa"},
        {"phone": "0888 123 456", "sms_consent": True},
        {"is_minor": True, "guardian_phone": "0888 654 321", "sms_consent": True},
    ):
        answer = client.patch(path, json=change, headers=sofia)
        assert answer.status_code == 200, (change, answer.json)
    unchanged = client.patch(path, json={"discreet": True}, headers=sofia)
    assert unchanged.status_code == 200

    trail = audit_of(session, person.id)[1:]
    assert [e.action for e in trail] == ["update"] * 4  # an unchanged PATCH writes nothing
    assert (trail[0].before["discreet"], trail[0].after["discreet"]) == (False, True)
    assert (trail[1].before["language"], trail[1].after["language"]) == ("ar", "fa")
    assert (trail[2].before["has_phone"], trail[2].after["has_phone"]) == (False, True)
    assert trail[3].after["is_minor"] and trail[3].after["has_guardian_phone"]
    assert {e.actor for e in trail} == {"Sofia desk"}
    images = str([(e.before, e.after) for e in trail])
    assert "888123456" not in images and "888654321" not in images


def test_a_bad_change_writes_nothing(client, factory, session):
    factory.offices()
    person = factory.beneficiary(offices=("sofia",))
    sofia = factory.headers("coordinator", offices=["sofia"])
    path = f"/api/v1/beneficiaries/{person.id}"
    for change, field in (
        ({"language": "xx", "discreet": True}, "language"),
        ({"offices": ["nowhere"]}, "offices"),
        ({"phone": "12", "discreet": True}, "phone"),
        ({"sms_consent": True, "discreet": True}, "sms_consent"),
    ):
        answer = client.patch(path, json=change, headers=sofia)
        assert answer.status_code == 422, change
        assert field in answer.json["errors"]["json"], change
    session.expire_all()
    assert (person.discreet, person.language, person.office_codes) == (False, "ar", ["sofia"])
    assert len(audit_of(session, person.id)) == 1
