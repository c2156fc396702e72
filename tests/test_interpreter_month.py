"""The interpreters' month: hours and sessions by type and office, month ends, DST, CSV, access."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.booking.bookings import Actor, BookingRequest, change_status, create_booking
from service.booking.policy import BookingPolicy
from service.reporting.interpreter_month_csv import CSV_COLUMNS

SOFIA = ZoneInfo("Europe/Sofia")
URL = "/api/v1/interpreters/month"
ADMIN = Actor("tests", may_override=True, may_record_past=True)


def book(session, factory, resources, starts_at, minutes=60, office="sofia", **extra):
    """Book at any hour (an override: these tests cross midnight), as an admin may; `minutes`
    are real minutes (aware Sofia times add wall-clock time)."""
    factory.office(office)
    starts_at = starts_at.astimezone(UTC)
    booking = create_booking(
        session,
        BookingRequest(
            type=extra.pop("type", "interpretation"),
            office=office,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            resource_ids=[r.id for r in resources],
            override=True,
            **extra,
        ),
        ADMIN,
        BookingPolicy(),
    )
    session.commit()
    return booking


def at(month: int, day: int, hour: int, minute: int = 0, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SOFIA)


def report(client, headers, month="2027-03", **query):
    answer = client.get(URL, query_string={"month": month} | query, headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def person(found, interpreter):
    (row,) = [r for r in found["interpreters"] if r["resource_id"] == interpreter.id]
    return row


def test_hours_and_sessions_by_type_and_office_with_limited_hours_and_their_share(
    client, session, factory, admin
):
    amira = factory.interpreter("ar", offices=("sofia", "burgas"))
    bashir = factory.interpreter("ar", offices=("sofia",))
    room = factory.room("burgas")
    someone = factory.beneficiary(language="ar", case_reference="CASE-SECRET-7")
    book(session, factory, [amira], at(3, 2, 10), beneficiary_ids=[someone.id])
    book(session, factory, [amira, room], at(3, 3, 10), minutes=90, office="burgas",
         type="counselling")  # fmt: skip
    book(session, factory, [amira], at(3, 4, 10), type="counselling")
    book(session, factory, [bashir], at(3, 4, 10), minutes=30, type="counselling")
    missed = book(session, factory, [amira], at(3, 5, 10), minutes=45)
    change_status(session, missed, "no_show", ADMIN, now=at(3, 6, 10))
    dropped = book(session, factory, [amira], at(3, 8, 10), minutes=120)
    change_status(session, dropped, "cancel", ADMIN, reason="ill")
    session.commit()

    found = report(client, admin)
    her = person(found, amira)

    assert (her["sessions"], her["no_shows"], her["hours"]) == (4, 1, 4.25)
    assert [(t["type"], t["sessions"], t["hours"]) for t in her["by_type"]] == [
        ("counselling", 2, 2.5),
        ("interpretation", 2, 1.75),
    ]
    assert [(o["office"], o["sessions"], o["hours"]) for o in her["by_office"]] == [
        ("burgas", 1, 1.5),
        ("sofia", 3, 2.75),
    ]
    assert (her["limited_hours"], her["other_hours"], her["limited_sessions"]) == (2.5, 1.75, 2)
    assert her["limited_types"] == ["counselling"]
    assert found["limited_hours"] == 3.0
    assert her["limited_share"] == pytest.approx(0.833)
    assert person(found, bashir)["limited_share"] == pytest.approx(0.167)
    as_csv = client.get(URL, query_string={"month": "2027-03", "format": "csv"}, headers=admin)
    assert "CASE-SECRET-7" not in repr(found) + as_csv.text


def test_an_interpreter_with_no_session_is_listed_with_zeros_for_fairness(client, factory, admin):
    idle = factory.interpreter("fa", offices=("harmanli",))

    her = person(report(client, admin), idle)

    assert (her["sessions"], her["hours"], her["limited_share"]) == (0, 0.0, None)
    assert her["by_type"] == [] and her["offices"] == ["harmanli"]


def test_a_session_crossing_midnight_at_the_month_end_is_split_between_the_months(
    client, session, factory, admin
):
    """31 March 2027 is summer time (UTC+3): the month ends at 21:00 UTC, not at midnight."""
    amira = factory.interpreter("ar")
    book(session, factory, [amira], at(3, 31, 23, 30), minutes=60)

    march = person(report(client, admin, month="2027-03"), amira)
    april = person(report(client, admin, month="2027-04"), amira)

    assert (march["sessions"], march["hours"]) == (1, 0.5)
    assert (april["sessions"], april["hours"]) == (0, 0.5)  # counted where it starts


def test_a_session_before_sofia_midnight_on_the_first_belongs_to_the_month_before(
    client, session, factory, admin
):
    """At 23:30 on 28 February in Sofia it is 21:30 UTC: February, whatever UTC says."""
    amira = factory.interpreter("ar")
    book(session, factory, [amira], at(2, 28, 23, 0), minutes=30)
    book(session, factory, [amira], at(3, 1, 0, 30), minutes=30)

    assert person(report(client, admin, month="2027-02"), amira)["hours"] == 0.5
    assert person(report(client, admin, month="2027-03"), amira)["sessions"] == 1


def test_hours_across_the_october_clock_change_are_real_hours_and_the_month_ends_in_winter(
    client, session, factory, admin
):
    """On 31 October 2027 Sofia's clocks go back: 00:00 to 05:00 wall time is six hours."""
    amira = factory.interpreter("ar")
    book(session, factory, [amira], at(10, 31, 0, 0), minutes=360)
    book(session, factory, [amira], at(10, 31, 23, 0), minutes=120)
    book(session, factory, [amira], at(9, 30, 23, 0), minutes=120)

    october = person(report(client, admin, month="2027-10"), amira)

    # 6 hours, then 1 of the session from 23:00 on the 31st, then 1 of the one from 30 September
    assert (october["sessions"], october["hours"]) == (2, 8.0)
    assert person(report(client, admin, month="2027-11"), amira)["hours"] == 1.0


def test_the_csv_has_a_row_per_office_and_type_and_is_asked_by_format_or_accept(
    client, session, factory, admin
):
    amira = factory.interpreter("ar", offices=("sofia", "burgas"))
    book(session, factory, [amira], at(3, 2, 10))
    book(session, factory, [amira], at(3, 3, 10), minutes=90, office="burgas", type="counselling")

    by_format = client.get(URL, query_string={"month": "2027-03", "format": "csv"}, headers=admin)
    by_accept = client.get(
        URL, query_string={"month": "2027-03"}, headers=admin | {"Accept": "text/csv"}
    )

    assert by_format.mimetype == by_accept.mimetype == "text/csv"
    assert by_format.text == by_accept.text
    table = list(csv.reader(io.StringIO(by_format.text)))
    assert tuple(table[0]) == CSV_COLUMNS
    mine = [row for row in table[1:] if row[1] == str(amira.id)]
    assert [row[3:9] for row in mine] == [
        ["burgas", "counselling", "yes", "1", "0", "1.5"],
        ["sofia", "interpretation", "no", "1", "0", "1.0"],
    ]
    assert {row[9] for row in mine} == {"1.0"}


def test_a_coordinator_sees_the_interpreters_of_their_offices_and_their_whole_month(
    client, session, factory
):
    both = factory.interpreter("ar", offices=("burgas", "sofia"))
    sofia_only = factory.interpreter("ar", offices=("sofia",))
    book(session, factory, [both], at(3, 2, 10), office="sofia")
    book(session, factory, [sofia_only], at(3, 2, 12), office="sofia")
    coordinator = factory.headers("coordinator", offices=["burgas"])

    found = report(client, coordinator)

    assert [r["resource_id"] for r in found["interpreters"]] == [both.id]
    assert found["offices"] == ["burgas"]
    assert [o["office"] for o in found["interpreters"][0]["by_office"]] == ["sofia"]
    outside = client.get(URL, query_string={"month": "2027-03", "office": "sofia"},
                         headers=coordinator)  # fmt: skip
    assert outside.status_code == 403


def test_a_coordinator_sees_an_interpreter_from_elsewhere_who_worked_at_their_office(
    client, session, factory
):
    visitor = factory.interpreter("ar", offices=("sofia",))
    factory.office("burgas")
    book(session, factory, [visitor], at(3, 2, 10), office="burgas")

    found = report(client, factory.headers("coordinator", offices=["burgas"]))

    assert [r["resource_id"] for r in found["interpreters"]] == [visitor.id]


def test_staff_see_only_their_own_month_and_read_only_tokens_nothing(client, session, factory):
    mine = factory.interpreter("ar")
    other = factory.interpreter("ar")
    book(session, factory, [mine], at(3, 2, 10))
    book(session, factory, [other], at(3, 2, 12))
    teacher = factory.person("teacher", languages=("bg",))

    own = report(client, factory.headers("staff", resource_id=mine.id))
    not_an_interpreter = report(client, factory.headers("staff", resource_id=teacher.id))
    read_only = client.get(URL, query_string={"month": "2027-03"},
                           headers=factory.headers("read_only"))  # fmt: skip

    assert [(r["resource_id"], r["hours"]) for r in own["interpreters"]] == [(mine.id, 1.0)]
    assert not_an_interpreter["interpreters"] == []
    assert read_only.status_code == 403


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "month"),
        ({"month": "2027-13"}, "month"),
        ({"month": "March"}, "month"),
        ({"month": "1999-03"}, "month"),
        ({"month": "2027-03", "office": "varna"}, "office"),
        ({"month": "2027-03", "format": "xls"}, "format"),
    ],
)
def test_bad_queries_answer_422_naming_the_field(client, admin, query, field):
    answer = client.get(URL, query_string=query, headers=admin)

    assert answer.status_code == 422, answer.json
    assert field in str(answer.json)


def test_an_interpreter_with_their_own_limited_types_has_those_hours_counted_as_limited(
    client, session, factory, admin
):
    legal = factory.interpreter("ar", limited_types=("interpretation",))
    book(session, factory, [legal], at(3, 2, 10))
    book(session, factory, [legal], at(3, 3, 10), type="counselling")

    found = person(report(client, admin), legal)

    assert found["limited_types"] == ["interpretation"]
    assert (found["limited_hours"], found["other_hours"]) == (1.0, 1.0)
