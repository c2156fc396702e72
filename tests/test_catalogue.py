"""Adding rooms and people, and the resource list's fixed contract."""

from __future__ import annotations

import pytest


def test_admin_adds_an_interpreter_who_is_then_found_by_language_office_and_modality(
    client, factory, admin
):
    factory.offices()
    created = client.post(
        "/api/v1/resources",
        json={
            "kind": "interpreter",
            "name": "Sorani interpreter",
            "offices": ["harmanli"],
            "languages": ["ckb", "ar"],
            "modalities": ["in_person", "phone"],
            "working_hours": [
                {"office": "harmanli", "weekday": 3, "starts": "09:00", "ends": "13:00"}
            ],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.json

    found = client.get(
        "/api/v1/resources?kind=interpreter&language=ckb&office=harmanli&modality=in_person",
        headers=admin,
    )
    assert found.status_code == 200
    assert "X-Pagination" in found.headers
    [row] = found.json
    assert row["id"] == created.json["id"]
    assert row["kind"] == "interpreter"
    assert row["offices"] == ["harmanli"]
    assert sorted(row["languages"]) == ["ar", "ckb"]
    assert client.get("/api/v1/resources?language=ckb&modality=video", headers=admin).json == []


def test_a_room_belongs_to_its_office(client, factory, admin):
    factory.offices()
    room = client.post(
        "/api/v1/resources",
        json={"kind": "room", "name": "Burgas room 1", "office": "burgas", "capacity": 12},
        headers=admin,
    ).json
    assert room["offices"] == ["burgas"]
    assert room["capacity"] == 12


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"kind": "interpreter", "name": "X", "offices": ["sofia"], "languages": ["xx"]},
            "languages",
        ),
        ({"kind": "interpreter", "name": "X", "offices": ["sofia"], "languages": []}, "languages"),
        (
            {"kind": "interpreter", "name": "X", "offices": ["varna"], "languages": ["ar"]},
            "offices",
        ),
        ({"kind": "room", "name": "X", "office": "sofia"}, "capacity"),
        ({"kind": "room", "name": "X", "capacity": 3}, "office"),
        ({"kind": "wizard", "name": "X"}, "kind"),
        (
            {"kind": "counsellor", "name": "X", "offices": ["sofia"], "specialities": ["magic"]},
            "specialities",
        ),
        (
            {
                "kind": "teacher",
                "name": "X",
                "offices": ["sofia"],
                "working_hours": [
                    {"office": "sofia", "weekday": 7, "starts": "09:00", "ends": "10:00"}
                ],
            },
            "working_hours",
        ),
        (
            {
                "kind": "teacher",
                "name": "X",
                "offices": ["sofia"],
                "working_hours": [
                    {"office": "sofia", "weekday": 1, "starts": "11:00", "ends": "10:00"}
                ],
            },
            "working_hours",
        ),
    ],
)
def test_bad_resource_is_refused_naming_the_field(client, factory, admin, payload, field):
    factory.offices()
    answer = client.post("/api/v1/resources", json=payload, headers=admin)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert client.get("/api/v1/resources", headers=admin).json == []


def test_only_admins_add_resources(client, factory):
    factory.offices()
    coordinator = factory.headers("coordinator", offices=["sofia"])
    answer = client.post(
        "/api/v1/resources",
        json={"kind": "room", "name": "R", "office": "sofia", "capacity": 3},
        headers=coordinator,
    )
    assert answer.status_code == 403
