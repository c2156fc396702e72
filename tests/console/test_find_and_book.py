"""Find and book: why nothing is free, only free rooms with their places, notes, several
beneficiaries, and the same longest booking as the API."""

from __future__ import annotations

from datetime import date, time, timedelta

from service.models import Booking
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from tests.console.conftest import csrf_token, find_query, work_day


def _next(weekday: int) -> date:
    day = to_sofia(utcnow()).date() + timedelta(days=8)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def _christmas_eve() -> date:
    today = to_sofia(utcnow()).date()
    eve = date(today.year, 12, 24)
    return eve if eve > today else date(today.year + 1, 12, 24)


def _nothing(client, day, **extra) -> str:
    html = client.get("/console/find", query_string=find_query(day, **extra)).text
    assert 'id="nothing-free"' in html
    return html.split('id="nothing-free">', 1)[1].split("</p>", 1)[0]


def test_a_public_holiday_is_named_in_the_pages_language(client, signed_in, factory):
    factory.interpreter("ar", offices=("burgas",))
    user = signed_in("coordinator", offices=["burgas"])
    assert "is closed that day: Christmas Eve" in _nothing(client, _christmas_eve())
    user.locale = "bg"
    factory.session.commit()
    assert "затворен в този ден: Бъдни вечер" in _nothing(client, _christmas_eve())


def test_a_weekend_and_a_missing_language_are_told_apart_from_a_full_day(
    client, signed_in, factory
):
    person = factory.interpreter("ar", offices=("burgas",))
    factory.interpreter("ti", offices=("sofia",))  # Tigrinya is offered, but not in Burgas
    signed_in("coordinator", offices=["burgas"])
    assert "closed on that day of the week" in _nothing(client, _next(5))
    assert "works in Tigrinya" in _nothing(client, work_day(), language="ti")
    day = work_day()
    factory.booking([person], sofia_instant(day, time(9)), minutes=8 * 60 + 30, office="burgas")
    assert "Everyone is booked then" in _nothing(client, day)


def test_the_longest_search_is_the_apis_twelve_hours(client, signed_in, factory):
    factory.interpreter("ar", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    ten_hours = client.get("/console/find", query_string=find_query(work_day(), minutes="600"))
    assert ten_hours.status_code == 200 and "at most" not in ten_hours.text
    too_long = client.get("/console/find", query_string=find_query(work_day(), minutes="780"))
    assert "A booking lasts at most 12 hours." in too_long.text


def test_only_rooms_free_at_the_ticked_time_are_offered_with_their_places(
    client, signed_in, factory
):
    day = work_day()
    busy = factory.room("burgas", capacity=12)
    free = factory.room("burgas", capacity=4)
    factory.booking([busy], sofia_instant(day, time(11)), office="burgas")
    person = factory.interpreter("ar", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    slot = f"{person.id}|{sofia_instant(day, time(11)).isoformat()}"

    html = client.get("/console/find/rooms", query_string=find_query(day) | {"slot": slot}).text

    assert f'value="{free.id}"' in html and "(4 places)" in html
    assert f'value="{busy.id}"' not in html
    later = f"{person.id}|{sofia_instant(day, time(14)).isoformat()}"
    html = client.get("/console/find/rooms", query_string=find_query(day) | {"slot": later}).text
    assert f'value="{busy.id}"' in html and "(12 places)" in html


def test_one_booking_for_several_beneficiaries_with_notes(client, signed_in, factory, session):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    first = factory.beneficiary(offices=("burgas",))
    second = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    page = client.get("/console/find", query_string=find_query(day))
    data = find_query(day) | {
        "slot": f"{person.id}|{sofia_instant(day, time(10)).isoformat()}",
        "case_reference": f"{first.case_reference}, {second.case_reference}",
        "room": "0",
        "notes": "Family session: mother and son",
        "csrf_token": csrf_token(page.text),
    }

    answer = client.post("/console/book", data=data)

    assert answer.status_code == 302, answer.text
    booking = session.get(Booking, int(answer.location.rsplit("/", 1)[1]))
    assert sorted(booking.beneficiary_ids) == sorted([first.id, second.id])
    assert booking.notes == "Family session: mother and son"


def test_a_beneficiary_of_another_office_is_not_found_among_several(
    client, signed_in, factory, session
):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    mine = factory.beneficiary(offices=("burgas",))
    theirs = factory.beneficiary(offices=("sofia",))
    signed_in("coordinator", offices=["burgas"])
    page = client.get("/console/find", query_string=find_query(day))
    data = find_query(day) | {
        "slot": f"{person.id}|{sofia_instant(day, time(10)).isoformat()}",
        "case_reference": f"{mine.case_reference}, {theirs.case_reference}",
        "room": "0",
        "csrf_token": csrf_token(page.text),
    }
    answer = client.post("/console/book", data=data)
    unknown = client.post("/console/book", data=data | {"case_reference": "NO-SUCH-REF"})
    # answered as an unknown reference is: another office's beneficiary is not confirmed
    assert answer.status_code == unknown.status_code == 422
    assert theirs.case_reference in answer.text
    assert answer.text.count("No beneficiary") == unknown.text.count("No beneficiary") == 1
    assert session.query(Booking).count() == 0
