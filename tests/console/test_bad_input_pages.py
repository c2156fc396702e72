"""Bad input to the console's pages answers a form error or a 4xx page, never a 500."""

from __future__ import annotations

from datetime import time

import pytest

from service.models import Booking
from service.plumbing.clock import sofia_instant
from tests.console.conftest import PASSWORD, csrf_token, find_query, work_day


@pytest.mark.parametrize(
    "path",
    [
        "/console/beneficiaries?page=²",
        "/console/beneficiaries?page=99999999999999999999999",
        "/console/reminders?page=²",
        "/console/reminders?page=99999999999999999999999",
        "/console/board?day=9999-12-31",
        "/console/board?week=9999-12-31",
        "/console/board?day=0001-01-01",
        "/console/board?office=%00",
        "/console/board?day=%00",
        "/console/beneficiaries?q=%00",
        "/console/series?office=%00",
        "/console/find?office=%00",
        "/console/find?kind=interpreter&office=burgas&day=9999-12-31&minutes=60&modality=in_person",
        "/console/bookings/2147483648",
        "/console/bookings/99999999999999999999",
    ],
)
def test_a_bad_query_is_a_4xx_page(client, signed_in, factory, path):
    factory.offices()
    factory.interpreter("ar", offices=("burgas",))
    signed_in("admin")
    answer = client.get(path)
    if "day=9999" in path and path.startswith("/console/find"):  # the search form says why
        assert answer.status_code == 200
        assert "Dates fall between 2000 and 2100." in answer.text
        assert 'value="' + "1|" not in answer.text
    else:
        assert 400 <= answer.status_code < 500, (path, answer.status_code)
        assert "<html" in answer.text.lower() or answer.status_code == 404  # no such route


def _book(client, day, slot, **extra):
    page = client.get("/console/find", query_string=find_query(day))
    data = find_query(day) | {
        "slot": slot,
        "case_reference": "T-00001",
        "room": "0",
        "remote_link": "",
        "csrf_token": csrf_token(page.text),
    }
    return client.post("/console/book", data=data | extra)


@pytest.mark.parametrize(
    "slot",
    [
        "2147483648|{start}",
        "9223372036854775808|{start}",
        "²|{start}",
        "{person}|9999-12-31T23:00:00+00:00",
        "{person}|{naive}",
        "{person}|",
        "|",
    ],
)
def test_a_slot_beyond_what_the_database_holds_is_a_form_error(
    client, signed_in, factory, session, slot
):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    factory.beneficiary()
    signed_in("coordinator", offices=["burgas"])
    start = sofia_instant(day, time(11))
    value = slot.format(
        person=person.id, start=start.isoformat(), naive=start.replace(tzinfo=None).isoformat()
    )
    answer = _book(client, day, value)
    assert answer.status_code == 422, answer.text
    assert "Choose one of the free times." in answer.text
    assert session.query(Booking).count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("case_reference", "T-0\x00"),
        ("remote_link", "\x00"),
        ("office", "bur\x00gas"),
        ("room", "2147483648"),
        ("minutes", "²"),
    ],
)
def test_a_bad_form_field_is_a_4xx_and_writes_nothing(
    client, signed_in, factory, session, field, value
):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    factory.beneficiary()
    signed_in("coordinator", offices=["burgas"])
    slot = f"{person.id}|{sofia_instant(day, time(11)).isoformat()}"
    answer = _book(client, day, slot, **{field: value})
    assert 400 <= answer.status_code < 500, answer.text
    assert session.query(Booking).count() == 0


@pytest.mark.parametrize(
    "target",
    [
        "/console/board\r\nSet-Cookie: evil=1",
        "/console/board\nLocation: https://evil.example/",
        "/console/board%0d%0aSet-Cookie:%20evil=1",
        "/console/\\evil.example",
        "/console/board\x00",
        "/console/\u0431oard",
    ],
)
def test_a_next_with_line_breaks_is_ignored(client, make_user, target):
    user = make_user("admin")
    page = client.get("/console/login")
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    answer = client.post("/console/login", query_string={"next": target}, data=data)
    assert answer.status_code in (302, 422), answer.text
    location = answer.headers.get("Location", "")
    assert "\r" not in location and "\n" not in location
    assert "evil" not in answer.headers.get("Set-Cookie", "")
    assert not location.startswith(("//", "/console/\\", "http"))
    if answer.status_code == 302 and "%0d" not in target:
        assert location == "/console/board"
