"""Each process caches tokens, offices, closures, resources and time off; the next request
obeys any change to them, and reads the cached data with one small statement."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from service.access.auth import hash_token, issue_token, revoke_token
from service.directory import reference_cache
from service.directory.catalogue import add_time_off
from service.models import (
    OpeningHours,
    ReferenceGeneration,
    Resource,
    ResourceLanguage,
    resource_offices,
)

SOFIA = ZoneInfo("Europe/Sofia")
TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=SOFIA)


def generation(session) -> str | None:
    return session.scalar(select(ReferenceGeneration.token))


def book(client, headers, resources, start=TUESDAY_10, beneficiaries=()):
    return client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "resource_ids": [r.id for r in resources],
            "beneficiary_ids": [b.id for b in beneficiaries],
        },
        headers=headers,
    )


def next_week(weeks: int = 1) -> datetime:
    return TUESDAY_10 + timedelta(weeks=weeks)


def test_a_revoked_token_is_refused_by_the_next_request(client, factory, session):
    token, secret = issue_token(session, name="soon revoked", role="admin")
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/offices", headers=headers).status_code == 200

    revoke_token(session, token.id)
    session.commit()

    assert client.get("/api/v1/offices", headers=headers).status_code == 401


def test_a_changed_role_is_obeyed_by_the_next_request(client, factory, session):
    interpreter = factory.interpreter("ar")
    token, secret = issue_token(session, name="demoted", role="admin")
    session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    assert book(client, headers, [interpreter]).status_code == 201

    token.role = "read_only"
    session.commit()

    assert book(client, headers, [interpreter], next_week()).status_code == 403


def test_a_deactivated_resource_is_refused_by_the_next_request(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    assert book(client, admin, [interpreter]).status_code == 201

    interpreter.active = False
    session.commit()

    answer = book(client, admin, [interpreter], next_week())
    assert answer.status_code == 422
    assert "no longer bookable" in answer.text


def test_a_bulk_update_of_a_resource_is_obeyed_too(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    assert book(client, admin, [interpreter]).status_code == 201

    session.execute(update(Resource).where(Resource.id == interpreter.id).values(active=False))
    session.commit()

    assert book(client, admin, [interpreter], next_week()).status_code == 422


def test_core_statements_on_cached_tables_write_a_new_generation(factory, session):
    interpreter = factory.interpreter("ar", offices=("sofia", "burgas"))
    before = generation(session)

    session.execute(
        delete(resource_offices).where(resource_offices.c.resource_id == interpreter.id)
    )
    assert generation(session) != before

    after_delete = generation(session)
    session.execute(select(Resource.id))  # a read changes nothing
    assert generation(session) == after_delete


def test_changed_opening_hours_are_obeyed_by_the_next_request(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    assert book(client, admin, [interpreter]).status_code == 201

    office = factory.office("sofia")
    office.opening_hours = [
        OpeningHours(weekday=d, opens=time(12), closes=time(17, 30)) for d in range(5)
    ]
    session.commit()

    answer = book(client, admin, [interpreter], next_week())
    assert answer.status_code == 422
    assert "opening hours" in answer.text


def test_a_new_closure_is_obeyed_by_the_next_request(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    assert book(client, admin, [interpreter]).status_code == 201

    factory.closure("sofia", next_week().date())

    answer = book(client, admin, [interpreter], next_week())
    assert answer.status_code == 422
    assert "closed" in answer.text


def test_new_time_off_is_obeyed_by_the_next_request(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    assert book(client, admin, [interpreter]).status_code == 201

    away = next_week()
    add_time_off(session, interpreter, away, away + timedelta(days=1), "leave", "tests")
    session.commit()

    answer = book(client, admin, [interpreter], next_week())
    assert answer.status_code == 409
    assert "away (time off)" in answer.text


def test_changed_languages_are_obeyed_by_the_next_request(client, factory, admin, session):
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(language="ar")
    assert book(client, admin, [interpreter], beneficiaries=[person]).status_code == 201

    interpreter.language_rows = [ResourceLanguage(language="fa")]
    session.commit()

    answer = book(client, admin, [interpreter], next_week(), beneficiaries=[person])
    assert answer.status_code == 422
    assert "shares no language" in answer.text


def test_a_session_sees_its_own_changes_at_once(factory, session):
    interpreter = factory.interpreter("ar")
    assert reference_cache.person_ids(session, [interpreter.id]) == {interpreter.id}

    _, secret = issue_token(session, name="new", role="admin")  # flushed: a new generation
    assert reference_cache.token(session, hash_token(secret)) is not None
    interpreter.kind = "room"  # not flushed yet: flushed before the snapshot is read
    assert reference_cache.person_ids(session, [interpreter.id]) == frozenset()


def test_a_change_undone_by_a_savepoint_is_forgotten(factory, session):
    interpreter = factory.interpreter("ar")
    try:
        with session.begin_nested():
            interpreter.kind = "room"
            assert reference_cache.person_ids(session, [interpreter.id]) == frozenset()
            raise RuntimeError("undo")
    except RuntimeError:
        pass
    assert reference_cache.person_ids(session, [interpreter.id]) == {interpreter.id}
