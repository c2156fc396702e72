"""Beneficiary pages: register with only what is kept, consent and its history, discreet."""

from __future__ import annotations

from datetime import time

import pytest

from service.directory.beneficiaries import set_sms_consent
from service.models import AuditEntry, Beneficiary, ConsentEvent
from service.plumbing.clock import sofia_instant
from tests.console.conftest import csrf_token, work_day

GOOD = {
    "case_reference": "BG-2026-77001",
    "language": "fa",
    "sms_consent": "y",
    "phone": "0888 123 456",
    "office": "burgas",
}


def _register(client, **values):
    page = client.get("/console/beneficiaries/new")
    data = {k: v for k, v in (GOOD | values).items() if v is not None}
    return client.post(
        "/console/beneficiaries/new", data=data | {"csrf_token": csrf_token(page.text)}
    )


def _post(client, path, **data):
    page = client.get(path.rsplit("/", 1)[0])
    return client.post(path, data=data | {"csrf_token": csrf_token(page.text)})


def test_registering_keeps_the_data_and_shows_the_phone_masked(client, signed_in, session):
    signed_in("coordinator")
    response = _register(client)
    assert response.status_code == 302, response.text
    stored = session.query(Beneficiary).filter_by(case_reference="BG-2026-77001").one()
    assert (stored.language, stored.phone, stored.sms_consent) == ("fa", "+359888123456", True)
    html = client.get(response.location).text
    assert "+359******456" in html
    assert "888123456" not in html and "888 123 456" not in html


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"phone": "12"}, "phone", "not a valid phone number"),
        ({"sms_consent": None}, "phone", "agrees to SMS"),
        ({"phone": ""}, "sms_consent", "needs a number"),
        ({"language": "xx"}, "language", "Unknown language code"),
        ({"case_reference": ""}, "case_reference", "required"),
        ({"guardian_phone": "0888 654 321"}, "guardian_phone", "only for a minor"),
    ],
)
def test_bad_registrations_are_form_errors_on_the_field(
    client, signed_in, session, values, field, words
):
    signed_in("coordinator")
    response = _register(client, **values)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert words in response.text
    assert session.query(Beneficiary).count() == 0


def test_a_duplicate_case_reference_is_named_on_its_field(client, signed_in, factory):
    factory.beneficiary(case_reference="BG-2026-77001")
    signed_in("coordinator")
    response = _register(client)
    assert response.status_code == 409
    assert 'id="case_reference-error"' in response.text
    assert "registered already" in response.text


def test_a_minors_number_is_the_guardians(client, signed_in, session):
    signed_in("coordinator")
    response = _register(client, is_minor="y", phone="", guardian_phone="0888 654 321")
    assert response.status_code == 302, response.text
    stored = session.query(Beneficiary).one()
    assert (stored.phone, stored.guardian_phone) == (None, "+359888654321")
    assert "+359******321" in client.get(response.location).text


def test_search_finds_by_part_of_the_case_reference_and_pages(client, signed_in, factory):
    for n in range(30):
        factory.beneficiary(case_reference=f"BUR-{n:03d}", offices=("burgas",))
    factory.beneficiary(case_reference="SOF-001", offices=("burgas",))
    signed_in("coordinator")
    first = client.get("/console/beneficiaries", query_string={"q": "bur-"}).text
    assert "30 found." in first and "SOF-001" not in first
    assert "BUR-000" in first and "BUR-029" not in first and "Page 1 of 2" in first
    second = client.get("/console/beneficiaries", query_string={"q": "bur-", "page": 2}).text
    assert "BUR-029" in second


def test_a_percent_sign_is_searched_for_literally(client, signed_in, factory):
    factory.beneficiary(case_reference="ABC-1", offices=("burgas",))
    signed_in("coordinator")
    assert "0 found." in client.get("/console/beneficiaries", query_string={"q": "%"}).text


def test_consent_withdrawn_and_given_again_shows_in_the_history(
    client, signed_in, factory, session
):
    person = factory.beneficiary(phone="0888 123 456", sms_consent=True, offices=("burgas",))
    set_sms_consent(session, person, False, source="sms_stop")
    session.commit()
    user = signed_in("coordinator")
    path = f"/console/beneficiaries/{person.id}"
    html = client.get(path).text
    assert "the beneficiary, by replying STOP" in html
    assert _post(client, f"{path}/consent", consent="yes").status_code == 302
    html = client.get(path).text
    assert f"{user.email}, in the console" in html
    assert html.count("<td>given</td>") == 2 and html.count("<td>withdrawn</td>") == 1
    asked = _post(client, f"{path}/consent", consent="no")
    assert asked.status_code == 200 and 'id="confirm-withdraw"' in asked.text
    session.refresh(person)
    assert person.sms_consent is True  # nothing happens before the confirmation
    withdrawn = _post(client, f"{path}/consent", consent="no", confirmed="yes")
    assert withdrawn.status_code == 302
    session.refresh(person)
    assert person.sms_consent is False
    events = (
        session.query(ConsentEvent).filter_by(beneficiary_id=person.id).order_by(ConsentEvent.id)
    )
    assert [(e.source, e.actor) for e in events] == [
        ("api", None),
        ("sms_stop", None),
        ("console", user.email),
        ("console", user.email),
    ]


def test_consent_without_a_number_is_refused_on_the_page(client, signed_in, factory):
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator")
    response = _post(client, f"/console/beneficiaries/{person.id}/consent", consent="yes")
    assert response.status_code == 422
    assert "needs a number" in response.text


def test_discreet_is_explained_and_toggled(client, signed_in, factory, session):
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator")
    path = f"/console/beneficiaries/{person.id}"
    assert "name neither the organisation nor the service" in client.get(path).text
    assert _post(client, f"{path}/discreet", discreet="yes").status_code == 302
    session.refresh(person)
    assert person.discreet is True
    assert "Discreet is on." in client.get(path).text
    assert _post(client, f"{path}/discreet", discreet="no").status_code == 302
    session.refresh(person)
    assert person.discreet is False


def test_upcoming_bookings_are_linked_for_the_coordinators_offices(client, signed_in, factory):
    day = work_day()
    person = factory.beneficiary(offices=("burgas", "sofia"))  # shared: still only Burgas's links
    burgas = factory.interpreter(offices=("burgas",))
    sofia = factory.interpreter(offices=("sofia",))
    here = factory.booking(
        [burgas], sofia_instant(day, time(10)), office="burgas", beneficiary_ids=[person.id]
    )
    there = factory.booking(
        [sofia], sofia_instant(day, time(10)), office="sofia", beneficiary_ids=[person.id]
    )
    signed_in("coordinator", offices=["burgas"])
    html = client.get(f"/console/beneficiaries/{person.id}").text
    assert f'href="/console/bookings/{here.id}"' in html
    assert f'href="/console/bookings/{there.id}"' not in html


def test_staff_and_read_only_users_cannot_open_beneficiaries(client, signed_in, factory):
    person = factory.interpreter(offices=("burgas",))
    signed_in("staff", resource_id=person.id)
    assert client.get("/console/beneficiaries").status_code == 403
    assert client.get("/console/beneficiaries/new").status_code == 403
    assert "/console/beneficiaries" not in client.get("/console/calendar").text


def test_the_navigation_offers_beneficiaries_to_coordinators(client, signed_in):
    signed_in("coordinator")
    html = client.get("/console/beneficiaries").text
    assert 'href="/console/beneficiaries"' in html and 'href="/console/users"' not in html


def _offices_of(session, person):
    session.refresh(person)
    return person.office_codes


def test_a_coordinator_shares_a_beneficiary_with_another_office_audited(
    client, signed_in, factory, session
):
    person = factory.beneficiary(offices=("burgas",))
    factory.office("sofia")
    user = signed_in("coordinator", offices=["burgas"])
    path = f"/console/beneficiaries/{person.id}"
    page = client.get(path).text
    assert 'name="offices" value="sofia"' in page and 'value="burgas" checked' in page

    shared = _post(client, f"{path}/offices", offices=["burgas", "sofia"])

    assert shared.status_code == 302
    assert _offices_of(session, person) == ["burgas", "sofia"]
    entry = (
        session.query(AuditEntry)
        .filter_by(entity="beneficiary", entity_id=person.id, action="update")
        .order_by(AuditEntry.id.desc())
        .first()
    )
    assert entry.actor == user.email
    assert (entry.before["offices"], entry.after["offices"]) == (["burgas"], ["burgas", "sofia"])


def test_an_office_the_coordinator_does_not_run_cannot_be_taken_away(
    client, signed_in, factory, session
):
    person = factory.beneficiary(offices=("burgas", "sofia"))
    signed_in("coordinator", offices=["burgas"])
    path = f"/console/beneficiaries/{person.id}"
    assert 'value="sofia" checked disabled' in client.get(path).text

    # a forged form without Sofia keeps Sofia: only its coordinators may take it away
    assert _post(client, f"{path}/offices", offices=["burgas"]).status_code == 302
    assert _offices_of(session, person) == ["burgas", "sofia"]
    # taking out their own office is theirs to do; the beneficiary stays with Sofia
    assert _post(client, f"{path}/offices", offices=["sofia"]).status_code == 302
    assert _offices_of(session, person) == ["sofia"]
    # and now the beneficiary is outside the Burgas coordinator's scope
    assert client.get(path).status_code == 404


def test_sharing_needs_an_office_and_is_closed_outside_the_scope(
    client, signed_in, factory, session
):
    mine = factory.beneficiary(offices=("burgas",))
    theirs = factory.beneficiary(offices=("sofia",))
    signed_in("coordinator", offices=["burgas"])
    empty = _post(client, f"/console/beneficiaries/{mine.id}/offices")
    assert empty.status_code == 422 and "Choose at least one office." in empty.text
    assert _offices_of(session, mine) == ["burgas"]
    page = client.get(f"/console/beneficiaries/{mine.id}")
    forged = client.post(
        f"/console/beneficiaries/{theirs.id}/offices",
        data={"offices": ["burgas", "sofia"], "csrf_token": csrf_token(page.text)},
    )
    assert forged.status_code == 404
    assert _offices_of(session, theirs) == ["sofia"]


def test_a_withdrawal_can_be_undone_at_once(client, signed_in, factory, session):
    person = factory.beneficiary(phone="0888 123 457", sms_consent=True, offices=("burgas",))
    signed_in("coordinator")
    path = f"/console/beneficiaries/{person.id}"
    withdrawn = _post(client, f"{path}/consent", consent="no", confirmed="yes")
    assert withdrawn.location.endswith("?undo=consent")
    page = client.get(withdrawn.location).text
    assert 'id="undo-withdraw"' in page and "SMS consent withdrawn." in page
    assert 'id="undo-withdraw"' not in client.get(path).text  # offered right after, only

    undone = _post(client, f"{path}/consent", consent="yes")

    assert undone.status_code == 302
    session.refresh(person)
    assert person.sms_consent is True
    assert 'id="undo-withdraw"' not in client.get(undone.location).text
