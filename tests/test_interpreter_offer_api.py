"""What an interpreter offers (gender, dialects, trainings, hour limits) on the resource API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.models import AuditEntry


def interpreter_body(**extra):
    return {
        "kind": "interpreter",
        "name": "Layla",
        "offices": ["sofia"],
        "languages": ["ar", "ku"],
    } | extra


def test_an_interpreter_is_created_with_an_offer_everyone_may_read(client, factory, admin):
    factory.office("sofia")
    created = client.post(
        "/api/v1/resources",
        json=interpreter_body(
            gender="female",
            dialects=["ar-sy", "ar-IQ", "ku-latn"],
            trainings=["children", "legal_procedure"],
            max_hours_day=4,
            max_hours_week=16,
            limited_types=["counselling", "training"],
        ),
        headers=admin,
    )

    assert created.status_code == 201, created.json
    shown = client.get(
        f"/api/v1/resources/{created.json['id']}", headers=factory.headers("read_only")
    ).json
    assert {k: shown[k] for k in ("gender", "dialects", "trainings")} == {
        "gender": "female",
        "dialects": ["ar-IQ", "ar-SY", "ku-Latn"],
        "trainings": ["children", "legal_procedure"],
    }
    assert (shown["max_hours_day"], shown["max_hours_week"]) == (4, 16)
    assert shown["limited_types"] == ["counselling", "training"]


def test_an_interpreter_without_an_offer_follows_the_settings(client, factory, admin):
    factory.office("sofia")
    created = client.post("/api/v1/resources", json=interpreter_body(), headers=admin).json

    assert created["gender"] is None and created["dialects"] == [] and created["trainings"] == []
    assert created["max_hours_day"] is None and created["limited_types"] is None


def test_an_admin_replaces_an_offer_and_the_change_is_audited(client, factory, session, admin):
    layla = factory.interpreter("ar", gender="female", dialects=("ar-SY",), max_hours_day=3)

    answer = client.put(
        f"/api/v1/resources/{layla.id}/interpreter-offer",
        json={"dialects": ["ar-IQ"], "trainings": ["psychological"], "limited_types": []},
        headers=admin,
    )

    assert answer.status_code == 200, answer.json
    assert answer.json["gender"] is None  # left out: cleared
    assert answer.json["dialects"] == ["ar-IQ"]
    assert answer.json["trainings"] == ["psychological"]
    assert answer.json["max_hours_day"] is None
    assert answer.json["limited_types"] == []
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.action == "change_interpreter_offer", AuditEntry.entity_id == layla.id
        )
    )
    assert entry is not None
    assert entry.before["dialects"] == ["ar-SY"] and entry.after["dialects"] == ["ar-IQ"]


def test_a_coordinator_may_not_change_an_offer(client, factory):
    layla = factory.interpreter("ar")
    coordinator = factory.headers("coordinator", offices=["sofia"])

    answer = client.put(
        f"/api/v1/resources/{layla.id}/interpreter-offer",
        json={"gender": "female"},
        headers=coordinator,
    )

    assert answer.status_code == 403


@pytest.mark.parametrize(
    ("offer", "field"),
    [
        ({"gender": "unknown"}, "gender"),
        ({"dialects": ["arabic"]}, "dialects"),
        ({"dialects": ["ar"]}, "dialects"),
        ({"dialects": ["fa-IR"]}, "dialects"),  # a dialect of a language not listed
        ({"trainings": ["driving"]}, "trainings"),
        ({"max_hours_day": 0}, "max_hours_day"),
        ({"max_hours_day": 25}, "max_hours_day"),
        ({"max_hours_week": 169}, "max_hours_week"),
        ({"max_hours_week": -1}, "max_hours_week"),
        ({"max_hours_day": "many"}, "max_hours_day"),
        ({"limited_types": ["gossip"]}, "limited_types"),
    ],
)
def test_a_bad_offer_is_refused_naming_the_field(client, factory, admin, offer, field):
    layla = factory.interpreter("ar", gender="female")

    changed = client.put(
        f"/api/v1/resources/{layla.id}/interpreter-offer", json=offer, headers=admin
    )
    created = client.post("/api/v1/resources", json=interpreter_body(**offer), headers=admin)

    for answer in (changed, created):
        assert answer.status_code == 422, answer.json
        assert field in answer.json["errors"]["json"]
    assert client.get(f"/api/v1/resources/{layla.id}", headers=admin).json["gender"] == "female"


@pytest.mark.parametrize(
    ("offer", "field"),
    [
        ({"gender": "female"}, "gender"),
        ({"trainings": ["children"]}, "trainings"),
        ({"max_hours_day": 4}, "max_hours_day"),
        ({"limited_types": []}, "limited_types"),
    ],
)
def test_a_room_or_counsellor_has_no_offer(client, factory, admin, offer, field):
    factory.office("sofia")
    room = {"kind": "room", "name": "Room", "office": "sofia", "capacity": 4}
    counsellor = factory.person("counsellor", languages=("bg",))

    created = client.post("/api/v1/resources", json=room | offer, headers=admin)
    changed = client.put(
        f"/api/v1/resources/{counsellor.id}/interpreter-offer", json=offer, headers=admin
    )

    for answer in (created, changed):
        assert answer.status_code == 422, answer.json
        assert field in answer.json["errors"]["json"]


def test_changing_the_offer_of_an_unknown_resource_is_not_found(client, admin):
    answer = client.put("/api/v1/resources/999999/interpreter-offer", json={}, headers=admin)

    assert answer.status_code == 404
