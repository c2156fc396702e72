# ruff: noqa: RUF001 - Bulgarian text on purpose
"""The domain's refusals on console pages are in the page's language, with names, not ids."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.errors import Conflict, Forbidden, Invalid
from tests.console.conftest import work_day
from tests.console.test_booking_detail import move


def _bulgarian(session, user):
    user.locale = "bg"
    session.commit()


def _christmas_eve() -> date:
    today = to_sofia(utcnow()).date()
    eve = date(today.year, 12, 24)
    return eve if eve > today else date(today.year + 1, 12, 24)


def test_a_move_outside_opening_hours_names_the_office_in_bulgarian(
    client, signed_in, factory, session
):
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")
    _bulgarian(session, signed_in("coordinator", offices=["burgas"]))
    answer = move(client, booking, work_day(), "22:00", "23:00")
    assert answer.status_code == 422
    assert "Извън работното време на Бургас." in answer.text
    assert "Outside the opening hours" not in answer.text and "burgas office" not in answer.text


def test_a_move_onto_a_holiday_names_the_holiday_in_bulgarian(client, signed_in, factory, session):
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")
    _bulgarian(session, signed_in("coordinator", offices=["burgas"]))
    answer = move(client, booking, _christmas_eve(), "10:00", "11:00")
    assert answer.status_code == 422
    assert "Бургас е затворен в" in answer.text and "Бъдни вечер" in answer.text
    assert "public holiday" not in answer.text


def test_a_person_who_does_not_work_then_is_named(client, signed_in, factory, session):
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")
    session.get(type(person), person.id).working_hours.clear()  # works no hours at all now
    session.commit()
    _bulgarian(session, signed_in("coordinator", offices=["burgas"]))
    answer = move(client, booking, work_day(), "11:00", "12:00")
    assert f"{person.name} не работи по това време." in answer.text
    assert f"Resource {person.id}" not in answer.text


def test_the_board_names_a_closed_day_in_the_pages_language(client, signed_in, factory, session):
    factory.interpreter(offices=("burgas",))
    user = signed_in("coordinator", offices=["burgas"])
    eve = _christmas_eve()
    monday = eve - timedelta(days=eve.weekday())
    english = client.get(f"/console/board?office=burgas&week={monday.isoformat()}").text
    assert "Christmas Eve" in english and "public holiday" not in english
    _bulgarian(session, user)
    bulgarian = client.get(f"/console/board?office=burgas&week={monday.isoformat()}").text
    assert "Бъдни вечер" in bulgarian and "Christmas Eve" not in bulgarian


@pytest.mark.parametrize(
    ("refusal", "english", "bulgarian"),
    [
        (
            Invalid("ends_at", "x").coded("end_before_start"),
            "The end must come after the start.",
            "Краят трябва да е след началото.",
        ),
        (
            Conflict("x").coded("resource_held", resource="PERSON", booking=37),
            "is already booked then (booking 37).",
            "вече е зает тогава (запис 37).",
        ),
        (
            Forbidden("x").coded("forbidden", role="coordinator"),
            "Your role (coordinator) may not do this.",
            "Вашата роля (координатор) не позволява това.",
        ),
    ],
)
def test_coded_refusals_are_worded_in_both_languages(
    app, factory, session, refusal, english, bulgarian
):
    from flask_babel import force_locale

    from service.console.words import describe

    person = factory.interpreter(offices=("burgas",))
    if refusal.params.get("resource") == "PERSON":
        refusal.params["resource"] = person.id
    with app.test_request_context():
        with force_locale("en"):
            assert english in describe(refusal)
        with force_locale("bg"):
            worded = describe(refusal)
            assert bulgarian in worded
    if "resource" in refusal.params:
        assert person.name in worded


def test_a_cancelled_sms_and_a_cancelled_booking_agree_in_gender_in_bulgarian(app):
    from flask_babel import force_locale

    from service.console.i18n import label, message_label

    with app.test_request_context(), force_locale("bg"):
        assert label("cancelled") == "отменена"  # резервацията
        assert message_label("cancelled") == "отменено"  # съобщението, напомнянето


def test_twilio_error_codes_are_named_with_the_code_kept(app):
    from flask_babel import force_locale

    from service.console.i18n import error_name

    with app.test_request_context():
        with force_locale("en"):
            assert error_name("30003") == "phone switched off or out of reach (30003)"
            assert error_name("99999") == "99999" and error_name(None) == "—"
        with force_locale("bg"):
            assert error_name("30003") == "телефонът е изключен или извън обхват (30003)"


def test_the_users_page_names_offices_not_codes(client, signed_in, make_user, factory, session):
    factory.office("harmanli")
    make_user("coordinator", offices=["burgas", "harmanli"])
    admin = signed_in("admin")
    english = client.get("/console/users").text
    assert "Burgas, Harmanli" in english and "burgas, harmanli" not in english
    _bulgarian(session, admin)
    assert "Бургас, Харманли" in client.get("/console/users").text
