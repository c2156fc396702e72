"""The console follows the API's time rule: no past and no out-of-range dates, said in the
user's language beside the field; a booking recorded after the fact says so on its page."""

# ruff: noqa: RUF001  (Bulgarian text is meant to contain Cyrillic look-alikes)
from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from service.models import Booking, Series
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from tests.console.conftest import csrf_token, find_query, work_day
from tests.console.test_booking_detail import move, past_work_day
from tests.console.test_series_pages import plan_data, post

PAST_BG = "Този час вече е минал"
PAST_EN = "This time has passed"
YEARS_BG = "Датите са между 2000 и 2100."


@pytest.fixture
def burgas_booking(factory):
    person = factory.interpreter(offices=("burgas",))
    return factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")


def unchanged(session, booking):
    session.expire_all()
    again = session.get(Booking, booking.id)
    return (again.starts_at, again.version) == (booking.starts_at, booking.version)


def test_moving_a_booking_into_the_past_is_refused_in_bulgarian(
    client, signed_in, session, burgas_booking
):
    signed_in("coordinator", offices=["burgas"], locale="bg")

    response = move(client, burgas_booking, past_work_day(), "10:00", "11:00")

    assert response.status_code == 422
    assert PAST_BG in response.text
    assert unchanged(session, burgas_booking)


def test_moving_a_booking_to_earlier_today_is_refused(client, signed_in, session, burgas_booking):
    signed_in("coordinator", offices=["burgas"])
    earlier = to_sofia(utcnow() - timedelta(hours=1))

    response = move(client, burgas_booking, earlier.date(), earlier.strftime("%H:%M"), "23:59")

    assert response.status_code == 422
    assert PAST_EN in response.text
    assert unchanged(session, burgas_booking)


@pytest.mark.parametrize("year", [1999, 9999])
def test_moving_a_booking_out_of_2000_to_2100_is_refused_in_bulgarian(
    client, signed_in, session, burgas_booking, year
):
    signed_in("coordinator", offices=["burgas"], locale="bg")

    response = move(client, burgas_booking, work_day().replace(year=year), "10:00", "11:00")

    assert response.status_code == 422
    assert YEARS_BG in response.text
    assert unchanged(session, burgas_booking)


def test_a_series_planned_from_a_month_ago_is_refused_beside_the_first_date(
    client, signed_in, session, factory
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    signed_in("coordinator", offices=["burgas"], locale="bg")
    month_ago = (to_sofia(utcnow()) - timedelta(days=30)).date()
    data = plan_data(teacher, room, first_day=month_ago.isoformat())

    for url in ("/console/series/preview", "/console/series/new"):
        response = post(client, url, data)
        assert response.status_code == 422
        assert PAST_BG in response.text
    assert session.scalar(select(func.count()).select_from(Series)) == 0


def test_searching_a_day_that_has_passed_says_so(client, signed_in, factory):
    factory.interpreter(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")

    page = client.get("/console/find", query_string=find_query(past_work_day()))

    assert page.status_code == 200
    assert PAST_BG in page.text


def test_booking_a_slot_that_has_passed_is_refused(client, signed_in, session, factory):
    person = factory.interpreter(offices=("burgas",))
    beneficiary = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")
    day = to_sofia(utcnow()).date()
    slot_start = sofia_instant(day, time(0)).isoformat()
    token = csrf_token(client.get("/console/find").text)

    response = client.post(
        "/console/book",
        data=find_query(day)
        | {
            "csrf_token": token,
            "slot": f"{person.id}|{slot_start}",
            "case_reference": beneficiary.case_reference,
            "room": "0",
        },
    )

    assert response.status_code == 422
    assert PAST_BG in response.text
    assert session.scalar(select(func.count()).select_from(Booking)) == 0


def test_a_recorded_booking_says_so_and_offers_closing_but_no_move(client, signed_in, factory):
    person = factory.interpreter(offices=("burgas",))
    recorded = factory.booking(
        [person],
        sofia_instant(past_work_day(), time(10)),
        office="burgas",
        record_past=True,
        record_past_reason="Walk-in, booked on paper",
    )
    signed_in("coordinator", offices=["burgas"])

    page = client.get(f"/console/bookings/{recorded.id}")

    assert page.status_code == 200
    assert "Recorded after the fact" in page.text
    assert "Walk-in, booked on paper" in page.text
    assert "reschedule-heading" not in page.text
    assert f"/console/bookings/{recorded.id}/no_show" in page.text
