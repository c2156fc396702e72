"""A beneficiary's data from the console: the JSON export and the erasure with its confirmation."""

from __future__ import annotations

import json

import pytest

from service.models import AuditEntry, Beneficiary, ConsentEvent
from tests.console.conftest import csrf_token

REFERENCE = "BG-2026-55001"
PHONE = "+359888555001"


@pytest.fixture
def person(factory, session):
    person = factory.beneficiary(
        case_reference=REFERENCE, language="fa", phone=PHONE, sms_consent=True, offices=("burgas",)
    )
    session.commit()
    return person


def _erase(client, person, confirmation):
    page = client.get(f"/console/beneficiaries/{person.id}/erase")
    return client.post(
        f"/console/beneficiaries/{person.id}/erase",
        data={"confirmation": confirmation, "csrf_token": csrf_token(page.text)},
    )


def test_a_coordinator_downloads_the_export_of_their_beneficiary(client, signed_in, person):
    signed_in("coordinator", offices=["burgas"])
    page = client.get(f"/console/beneficiaries/{person.id}").text
    assert f'href="/console/beneficiaries/{person.id}/export"' in page
    assert f"/console/beneficiaries/{person.id}/erase" not in page  # only admins erase

    response = client.get(f"/console/beneficiaries/{person.id}/export")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.text)
    assert data["profile"]["case_reference"] == REFERENCE
    assert data["profile"]["phone"] == PHONE
    assert data["consent_history"][0]["consent"] is True


def test_the_export_of_another_office_is_not_found(client, signed_in, factory, session):
    other = factory.beneficiary(offices=("sofia",))
    session.commit()
    signed_in("coordinator", offices=["burgas"])
    assert client.get(f"/console/beneficiaries/{other.id}/export").status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "read_only"])
def test_only_admins_open_the_erasure(client, signed_in, person, role):
    signed_in(role)
    assert client.get(f"/console/beneficiaries/{person.id}/erase").status_code == 403


def test_the_erasure_page_counts_what_goes(client, signed_in, person):
    signed_in("admin")
    page = client.get(f"/console/beneficiaries/{person.id}").text
    assert f'href="/console/beneficiaries/{person.id}/erase"' in page

    response = client.get(f"/console/beneficiaries/{person.id}/erase")

    assert response.status_code == 200
    assert "Consent history entries: 1." in response.text
    assert "Replies deleted: 0." in response.text
    assert 'name="confirmation"' in response.text


@pytest.mark.parametrize("typed", ["", "BG-2026-55002", "bg-2026-55001"])
def test_a_wrong_confirmation_erases_nothing(client, signed_in, person, session, typed):
    signed_in("admin")

    response = _erase(client, person, typed)

    assert response.status_code == 422
    assert 'id="confirmation-error"' in response.text
    session.expire_all()
    assert session.get(Beneficiary, person.id).case_reference == REFERENCE


def test_the_erasure_needs_the_csrf_token(client, signed_in, person, session):
    signed_in("admin")
    response = client.post(
        f"/console/beneficiaries/{person.id}/erase", data={"confirmation": REFERENCE}
    )
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Beneficiary, person.id).erased_at is None


def test_typing_the_reference_erases_and_shows_the_counts(client, signed_in, person, session):
    signed_in("admin")

    response = _erase(client, person, REFERENCE)

    assert response.status_code == 200
    assert f"erased-{person.id}" in response.text and REFERENCE not in response.text
    assert 'id="erased-counts"' in response.text
    session.expire_all()
    erased = session.get(Beneficiary, person.id)
    assert erased.erased_at is not None and erased.phone is None
    assert not session.query(ConsentEvent).filter_by(beneficiary_id=person.id).count()
    audit = session.query(AuditEntry).filter_by(action="erase", entity_id=person.id).one()
    assert audit.actor.startswith("admin")
    # an erased beneficiary offers no second erasure, and the page refuses one
    assert "/erase" not in client.get(f"/console/beneficiaries/{person.id}").text
    assert client.get(f"/console/beneficiaries/{person.id}/erase").status_code == 409
