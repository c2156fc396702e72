# ruff: noqa: RUF001 - the Bulgarian page's words are checked as written
"""The beneficiary page's "Interpreter needs" section: needs, the avoid list, who sees it."""

from __future__ import annotations

from sqlalchemy import select

from service.models import AvoidedInterpreter, InterpreterNeeds
from tests.console.conftest import csrf_token
from tests.feed_helpers import working_day

REASON = "Cousin of the trafficker"


def page_of(person) -> str:
    return f"/console/beneficiaries/{person.id}"


def post(client, person, path: str, **data):
    page = client.get(page_of(person))
    return client.post(page_of(person) + path, data=data | {"csrf_token": csrf_token(page.text)})


def test_a_coordinator_records_the_needs_on_the_page(client, signed_in, factory, session):
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    saved = post(client, person, "/needs", gender="female", dialect="ar-sy", child_trained="y")

    assert saved.status_code == 302
    row = session.get(InterpreterNeeds, person.id)
    assert (row.gender, row.dialect, row.child_trained) == ("female", "ar-SY", True)
    html = client.get(saved.location).text
    assert "The interpreter needs are saved." in html
    assert 'value="ar-SY"' in html
    assert '<option selected value="female">' in html


def test_a_bad_dialect_is_shown_on_its_field_and_nothing_is_saved(
    client, signed_in, factory, session
):
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    answer = post(client, person, "/needs", gender="male", dialect="Syrian")

    assert answer.status_code == 422
    assert "Not a dialect tag" in answer.text
    assert session.get(InterpreterNeeds, person.id) is None


def test_an_unknown_gender_is_refused(client, signed_in, factory, session):
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    answer = post(client, person, "/needs", gender="other")

    assert answer.status_code == 422
    assert session.get(InterpreterNeeds, person.id) is None


def test_avoiding_an_interpreter_shows_the_sessions_to_reassign(
    client, signed_in, factory, session
):
    feared = factory.interpreter("ar", offices=("burgas",))
    person = factory.beneficiary(offices=("burgas",))
    booking = factory.booking(
        [feared], working_day(6), office="burgas", beneficiary_ids=[person.id]
    )
    signed_in("coordinator", offices=["burgas"])

    added = post(client, person, "/avoided", interpreter=str(feared.id), reason=REASON)

    assert added.status_code == 302
    html = client.get(added.location).text
    assert f"{feared.name} still holds these upcoming sessions" in html
    assert f"/console/bookings/{booking.id}" in html
    assert REASON in html  # coordinators of the beneficiary's offices see why
    row = session.get(AvoidedInterpreter, (person.id, feared.id))
    assert row.reason == REASON


def test_an_empty_reason_or_a_room_is_refused(client, signed_in, factory, session):
    room = factory.room("burgas")
    feared = factory.interpreter("ar", offices=("burgas",))
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    empty = post(client, person, "/avoided", interpreter=str(feared.id), reason="  ")
    roomy = post(client, person, "/avoided", interpreter=str(room.id), reason="x")
    nothing = post(client, person, "/avoided", interpreter="", reason="x")

    assert [a.status_code for a in (empty, roomy, nothing)] == [422, 422, 422]
    assert "Choose one of the interpreters offered." in roomy.text
    assert session.scalars(select(AvoidedInterpreter)).all() == []


def test_removing_asks_on_the_page_first(client, signed_in, factory, session):
    feared = factory.interpreter("ar", offices=("burgas",))
    person = factory.needs(factory.beneficiary(offices=("burgas",)), avoid=(feared,))
    signed_in("coordinator", offices=["burgas"])

    asked = post(client, person, f"/avoided/{feared.id}/remove")

    assert asked.status_code == 200
    assert f"Take {feared.name} off the avoid list?" in asked.text
    assert session.get(AvoidedInterpreter, (person.id, feared.id)) is not None

    done = post(client, person, f"/avoided/{feared.id}/remove", confirmed="yes")

    assert done.status_code == 302
    session.expire_all()
    assert session.get(AvoidedInterpreter, (person.id, feared.id)) is None
    assert "No interpreter to avoid." in client.get(done.location).text


def test_removing_one_not_on_the_list_is_not_found(client, signed_in, factory):
    other = factory.interpreter("ar", offices=("burgas",))
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    assert post(client, person, f"/avoided/{other.id}/remove").status_code == 404


def test_the_section_is_in_bulgarian_for_a_bulgarian_user(client, signed_in, factory):
    feared = factory.interpreter("ar", offices=("burgas",))
    person = factory.needs(factory.beneficiary(offices=("burgas",)), avoid=(feared,))
    signed_in("coordinator", offices=["burgas"], locale="bg")

    html = client.get(page_of(person)).text

    assert "Нужди от преводач" in html
    assert "Преводачи, които да се избягват" in html
    assert "known from home" in html


def test_the_section_is_hidden_from_a_coordinator_of_another_office(client, signed_in, factory):
    person = factory.needs(
        factory.beneficiary(offices=("sofia",)), gender="female", dialect="ar-SY"
    )
    signed_in("coordinator", offices=["burgas"])

    assert client.get(page_of(person)).status_code == 404
    assert post(client, person, "/needs", gender="male").status_code in (400, 404)


def test_an_erased_beneficiary_has_no_section(client, signed_in, factory, session, admin):
    person = factory.beneficiary(offices=("burgas",))
    assert client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin).status_code == 200
    signed_in("admin")

    html = client.get(page_of(person)).text

    assert "Interpreter needs" not in html
