"""Console pages through the Flask test client: sign-in, CSRF, board, find-and-book, detail."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from service.models import Booking
from service.plumbing.clock import sofia_instant
from tests.console.conftest import (
    PASSWORD,
    csrf_token,
    find_query,
    select_statements,
    sign_in,
    work_day,
)


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(client):
    response = client.get("/console/board?office=burgas")
    assert response.status_code == 302
    assert response.location.startswith("/console/login?next=/console/board")


def test_the_sign_in_form_has_labelled_email_and_password_fields(client):
    html = client.get("/console/login").text
    for name in ("email", "password"):
        assert f'<label for="{name}">' in html
        assert f'name="{name}"' in html


def test_a_form_without_its_csrf_token_is_refused(client, make_user):
    user = make_user("admin")
    response = client.post("/console/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.text


def test_the_json_api_is_not_csrf_checked(client, admin, factory):
    factory.office("burgas")
    response = client.post(
        "/api/v1/resources",
        json={"kind": "room", "name": "R", "office": "burgas", "capacity": 3},
        headers=admin,
    )
    assert response.status_code == 201, response.text


def test_signing_in_sets_an_httponly_lax_session_cookie(client, make_user, factory):
    factory.office("burgas")
    user = make_user("admin")
    response = sign_in(client, user.email)
    assert response.status_code == 302
    assert response.location == "/console/board"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/console/board").status_code == 200


def test_a_wrong_password_shows_a_message_and_keeps_the_visitor_out(client, make_user):
    user = make_user("admin")
    response = sign_in(client, user.email, "wrong password!!")
    assert response.status_code == 200
    assert 'role="alert"' in response.text
    assert client.get("/console/board").status_code == 302


def test_next_leads_back_within_the_console_only(client, make_user):
    user = make_user("admin")
    page = client.get("/console/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    response = client.post("/console/login?next=//evil.example/", data=data)
    assert response.location == "/console/board"


def test_signing_out_ends_the_session(client, signed_in, factory):
    factory.office("burgas")
    signed_in("admin")
    page = client.get("/console/board")
    response = client.post("/console/logout", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 302
    assert client.get("/console/board").status_code == 302


def test_the_board_shows_bookings_and_shades_closed_days(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(day, time(10)), office="burgas")
    factory.closure("burgas", _other_weekday(day))
    signed_in("coordinator", offices=["burgas"])
    html = client.get(f"/console/board?office=burgas&week={day.isoformat()}").text
    assert f'data-booking-id="{booking.id}"' in html
    assert person.name in html
    assert 'class="closed"' in html and "staff training" in html


def _other_weekday(day):
    return day + timedelta(days=1 if day.weekday() < 4 else -1)


def test_a_coordinator_cannot_open_the_board_of_another_office(client, signed_in, factory):
    factory.office("sofia")
    signed_in("coordinator", offices=["burgas"])
    assert client.get("/console/board?office=sofia").status_code == 403


def test_find_lists_free_times_and_htmx_gets_only_the_list(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    factory.interpreter("fa", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    page = client.get("/console/find", query_string=find_query(day))
    assert page.status_code == 200
    assert person.name in page.text and "Interpreter" in page.text
    assert page.text.count(f'value="{person.id}|') == 31  # 09:00 to 16:30 every 15 minutes
    partial = client.get("/console/find", query_string=find_query(day), headers={"HX-Request": "1"})
    assert partial.text.lstrip().startswith('<section id="slots"')


def _book(client, day, slot, case_reference, room=0, remote_link=""):
    page = client.get("/console/find", query_string=find_query(day))
    data = find_query(day) | {
        "slot": slot,
        "case_reference": case_reference,
        "room": str(room),
        "remote_link": remote_link,
        "csrf_token": csrf_token(page.text),
    }
    return client.post("/console/book", data=data)


def test_booking_a_free_time_then_the_same_again_shows_the_clash(
    client, signed_in, factory, session
):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    room = factory.room("burgas")
    beneficiary = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    slot = f"{person.id}|{sofia_instant(day, time(11)).isoformat()}"
    response = _book(client, day, slot, beneficiary.case_reference, room.id)
    assert response.status_code == 302, response.text
    booking_id = int(response.location.rsplit("/", 1)[1])
    booking = session.get(Booking, booking_id)
    assert booking.resource_ids == sorted([person.id, room.id])
    assert booking.beneficiary_ids == [beneficiary.id]
    assert booking.created_by.endswith("@example.org")
    detail = client.get(response.location)
    assert f"Booking {booking_id}" in detail.text and beneficiary.case_reference in detail.text

    again = _book(client, day, slot, beneficiary.case_reference, room.id)
    assert again.status_code == 409
    assert 'id="clash"' in again.text
    assert f'href="/console/bookings/{booking_id}"' in again.text
    assert person.name in again.text


@pytest.mark.parametrize(
    "link", ["javascript:alert(1)", "http://meet.example.org/x", "data:text/html,x", "meet.example"]
)
def test_a_link_other_than_https_tel_or_sip_is_refused(client, signed_in, factory, session, link):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    beneficiary = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    slot = f"{person.id}|{sofia_instant(day, time(11)).isoformat()}"
    response = _book(client, day, slot, beneficiary.case_reference, remote_link=link)
    assert response.status_code == 422
    assert "https:, tel: and sip:" in response.text
    assert session.query(Booking).count() == 0
    ok = _book(client, day, slot, beneficiary.case_reference, remote_link="tel:+359888123456")
    assert ok.status_code == 302, ok.text


def test_an_unknown_case_reference_is_named(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    slot = f"{person.id}|{sofia_instant(day, time(11)).isoformat()}"
    response = _book(client, day, slot, "NO-SUCH-CASE")
    assert response.status_code == 422
    assert "NO-SUCH-CASE" in response.text


def test_a_coordinator_of_burgas_is_refused_a_sofia_booking(client, signed_in, factory):
    person = factory.interpreter(offices=("sofia",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="sofia")
    signed_in("coordinator", offices=["burgas"])
    response = client.get(f"/console/bookings/{booking.id}")
    assert response.status_code == 404  # outside their offices: not even confirmed to exist
    assert person.name not in response.text


def test_cancelling_with_a_reason_frees_the_time_and_is_audited(client, signed_in, factory):
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    page = client.get(f"/console/bookings/{booking.id}")
    assert "Audit trail" in page.text
    token = csrf_token(page.text)
    refused = client.post(f"/console/bookings/{booking.id}/cancel", data={"csrf_token": token})
    assert refused.status_code == 422
    response = client.post(
        f"/console/bookings/{booking.id}/cancel",
        data={"csrf_token": token, "reason": "beneficiary moved to another camp"},
    )
    assert response.status_code == 302
    detail = client.get(f"/console/bookings/{booking.id}").text
    assert re.search(r'id="booking-status">cancelled<', detail)
    assert "beneficiary moved to another camp" in detail
    assert detail.count("<tr>") == 3  # header, create, cancel


def test_a_read_only_user_sees_a_booking_but_cannot_cancel_it(client, signed_in, factory):
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")
    signed_in("read_only")
    page = client.get(f"/console/bookings/{booking.id}")
    assert page.status_code == 200 and "Cancel booking" not in page.text
    response = client.post(
        f"/console/bookings/{booking.id}/cancel",
        data={"csrf_token": csrf_token(page.text), "reason": "try"},
    )
    assert response.status_code == 403


def test_the_language_follows_the_browser_then_the_users_setting(client, make_user):
    assert "Вход" in client.get("/console/login", headers={"Accept-Language": "bg"}).text
    assert "Sign in" in client.get("/console/login", headers={"Accept-Language": "en-GB"}).text
    user = make_user("admin", locale="en")
    sign_in(client, user.email)
    board = client.get("/console/board", headers={"Accept-Language": "bg"}).text
    assert "Week board" in board and "Седмичен график" not in board


def test_times_are_shown_in_sofia_time(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(day, time(9, 30)), office="burgas")
    signed_in("admin", locale="en")
    html = client.get(f"/console/bookings/{booking.id}").text
    assert "09:30\u201310:30" in html  # en dash


def test_the_board_takes_a_few_queries_however_many_bookings(client, signed_in, factory, engine):
    day = work_day()
    people = [factory.interpreter(offices=("burgas",)) for _ in range(4)]
    for hour, person in enumerate(people, start=9):
        factory.booking([person], sofia_instant(day, time(hour)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    with select_statements(engine) as selects:
        html = client.get(f"/console/board?office=burgas&week={day.isoformat()}").text
    assert html.count('class="block') == 4
    assert len(selects) <= 6, "\n\n".join(selects)


def test_dates_are_written_in_the_language_of_the_page(client, signed_in, factory):
    from babel.dates import format_date

    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(day, time(14)), office="burgas")
    signed_in("admin", locale="bg")
    html = client.get(f"/console/bookings/{booking.id}").text
    assert '<html lang="bg">' in html
    assert format_date(day, "EEEE d MMMM y", locale="bg") in html
    assert "Резервация" in html and "потвърдена" in html


def test_errors_in_the_console_are_pages_not_json(client, signed_in, factory):
    factory.office("burgas")
    signed_in("admin")
    missing = client.get("/console/bookings/999999")
    assert missing.status_code == 404 and "<html" in missing.text
    bad_week = client.get("/console/board?week=not-a-date")
    assert bad_week.status_code == 400 and "<html" in bad_week.text


def test_staff_see_and_book_only_their_own_time(client, signed_in, factory):
    day = work_day()
    me = factory.interpreter("ar", offices=("burgas",))
    colleague = factory.interpreter("ar", offices=("burgas",))
    factory.booking([colleague], sofia_instant(day, time(10)), office="burgas")
    signed_in("staff", resource_id=me.id)
    board = client.get(f"/console/board?office=burgas&week={day.isoformat()}").text
    assert me.name in board and colleague.name not in board
    found = client.get("/console/find", query_string=find_query(day)).text
    assert f'value="{me.id}|' in found and f'value="{colleague.id}|' not in found
