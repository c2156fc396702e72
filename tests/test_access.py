"""Who may do what: 401 without a valid token, 404 for what is outside one's scope, 403 for
what one may see but not do."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.access.auth import issue_token
from tests.test_bookings_api import body


def test_no_token_or_a_wrong_one_is_401(client):
    assert client.get("/api/v1/bookings").status_code == 401
    answer = client.get("/api/v1/bookings", headers={"Authorization": "Bearer nope"})
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_and_expired_tokens_stop_working(client, factory, session, admin):
    token = client.post(
        "/api/v1/tokens", json={"name": "temp", "role": "read_only"}, headers=admin
    ).json
    headers = {"Authorization": f"Bearer {token['token']}"}
    assert client.get("/api/v1/bookings", headers=headers).status_code == 200
    assert client.delete(f"/api/v1/tokens/{token['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/bookings", headers=headers).status_code == 401

    _, expired = issue_token(
        session, name="old", role="admin", expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    session.commit()
    assert (
        client.get("/api/v1/bookings", headers={"Authorization": f"Bearer {expired}"}).status_code
        == 401
    )


def test_token_list_never_shows_secrets(client, admin):
    listed = client.get("/api/v1/tokens", headers=admin).json
    assert listed
    assert all("token" not in t and "token_hash" not in t for t in listed)


def test_read_only_may_read_but_not_book(client, factory):
    interpreter = factory.interpreter()
    reader = factory.headers("read_only")
    assert client.get("/api/v1/bookings", headers=reader).status_code == 200
    assert (
        client.post("/api/v1/bookings", json=body([interpreter.id]), headers=reader).status_code
        == 403
    )


def test_a_coordinator_scoped_to_burgas_cannot_open_or_book_in_sofia(client, factory, admin):
    interpreter = factory.interpreter(offices=("sofia", "burgas"))
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json
    burgas = factory.headers("coordinator", offices=["burgas"])

    assert client.get(f"/api/v1/bookings/{booked['id']}", headers=burgas).status_code == 404
    assert (
        client.post(
            f"/api/v1/bookings/{booked['id']}/cancel", json={"reason": "x"}, headers=burgas
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/bookings",
            json=body([interpreter.id], start=datetime(2027, 2, 3, 8, tzinfo=UTC)),
            headers=burgas,
        ).status_code
        == 403
    )
    assert client.get("/api/v1/bookings", headers=burgas).json == []


def test_staff_see_and_change_only_their_own_schedule(client, factory, admin):
    me, colleague = factory.interpreter(), factory.interpreter()
    mine = client.post("/api/v1/bookings", json=body([me.id]), headers=admin).json
    theirs = client.post("/api/v1/bookings", json=body([colleague.id]), headers=admin).json
    staff = factory.headers("staff", resource_id=me.id)

    assert [b["id"] for b in client.get("/api/v1/bookings", headers=staff).json] == [mine["id"]]
    assert client.get(f"/api/v1/bookings/{theirs['id']}", headers=staff).status_code == 404
    leave = {"starts_at": "2027-03-01T00:00:00+02:00", "ends_at": "2027-03-02T00:00:00+02:00"}
    assert (
        client.post(f"/api/v1/resources/{me.id}/time-off", json=leave, headers=staff).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/resources/{colleague.id}/time-off", json=leave, headers=staff
        ).status_code
        == 403
    )


def test_only_admins_issue_tokens_and_a_coordinator_needs_an_office(client, factory, admin):
    coordinator = factory.headers("coordinator", offices=["sofia"])
    assert (
        client.post(
            "/api/v1/tokens", json={"name": "x", "role": "admin"}, headers=coordinator
        ).status_code
        == 403
    )
    answer = client.post("/api/v1/tokens", json={"name": "x", "role": "coordinator"}, headers=admin)
    assert answer.status_code == 422
    assert "offices" in answer.json["errors"]["json"]


def test_a_staff_token_is_bound_to_a_person_never_to_a_room(client, factory, admin):
    room = factory.room()
    answer = client.post(
        "/api/v1/tokens",
        json={"name": "room", "role": "staff", "resource_id": room.id},
        headers=admin,
    )
    assert answer.status_code == 422
    assert "resource_id" in answer.json["errors"]["json"]
    person = factory.interpreter()
    answer = client.post(
        "/api/v1/tokens",
        json={"name": "person", "role": "staff", "resource_id": person.id},
        headers=admin,
    )
    assert answer.status_code == 201, answer.json
