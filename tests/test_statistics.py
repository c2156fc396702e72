"""Anonymised statistics: counts by Sofia month, office, service and language, JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.booking.bookings import Actor, BookingRequest, change_status, create_booking
from service.booking.policy import BookingPolicy
from service.models import OutboxMessage
from service.plumbing.clock import utcnow
from service.reporting.statistics import bookings_by_month_and_language
from service.reporting.statistics_csv import CSV_COLUMNS
from tests.test_series_enrolment import enrol_api, mark, past_course

SOFIA = ZoneInfo("Europe/Sofia")
UTC = ZoneInfo("UTC")
URL = "/api/v1/statistics"


@pytest.fixture
def every_count(app, monkeypatch):
    """Show every count: these tests look at cells of one or two."""
    monkeypatch.setitem(app.config, "STATISTICS_MIN_COUNT", 1)


def book(session, factory, resources, starts_at, minutes=60, office="sofia", **extra):
    """Book at any hour (an override), as a coordinator may for an emergency; a time already
    past is recorded after the fact, as an admin records the history these counts are about."""
    factory.office(office)
    if starts_at <= utcnow():
        extra |= {"record_past": True, "record_past_reason": "history for the statistics"}
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
        Actor("tests", may_override=True, may_record_past=True),
        BookingPolicy(),
    )
    session.commit()
    return booking


def rows(client, headers, **query):
    answer = client.get(
        URL, query_string={"from": "2026-01", "to": "2026-12"} | query, headers=headers
    )
    assert answer.status_code == 200, answer.json
    return answer.json["rows"]


def test_a_booking_at_half_past_midnight_on_1_march_counts_in_march(
    client, session, factory, admin, every_count
):
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(language="ar")
    march = book(
        session, factory, [interpreter], datetime(2026, 3, 1, 0, 30, tzinfo=SOFIA),
        beneficiary_ids=[person.id],
    )  # fmt: skip
    february = book(
        session, factory, [interpreter], datetime(2026, 2, 28, 23, 0, tzinfo=SOFIA),
        minutes=15, beneficiary_ids=[person.id],
    )  # fmt: skip
    assert march.starts_at.astimezone(UTC).day == 28  # 22:30 on 28 February in UTC

    found = rows(client, admin, **{"from": "2026-02", "to": "2026-03"})

    assert [(r["month"], r["bookings"], r["interpretation_hours"]) for r in found] == [
        ("2026-02", 1, 0.25),
        ("2026-03", 1, 1.0),
    ]
    assert february.id != march.id


def test_counts_by_office_service_speciality_and_language(
    client, session, factory, admin, every_count
):
    arabic, farsi = factory.beneficiary(language="ar"), factory.beneficiary(language="fa")
    interpreter = factory.interpreter("ar", "fa", offices=("sofia", "burgas"))
    lawyer = factory.person("counsellor", offices=("burgas",), specialities=("legal",))
    may = datetime(2026, 5, 4, 10, 0, tzinfo=SOFIA)
    both = book(
        session, factory, [interpreter], may, minutes=90, beneficiary_ids=[arabic.id, farsi.id]
    )
    missed = book(
        session, factory, [interpreter], may + timedelta(days=1), beneficiary_ids=[arabic.id]
    )
    change_status(session, missed, "no_show", Actor("tests"))
    gone = book(
        session, factory, [interpreter], may + timedelta(days=2), beneficiary_ids=[arabic.id]
    )
    change_status(session, gone, "cancel", Actor("tests"), reason="ill")
    book(
        session, factory, [lawyer], may + timedelta(days=1), office="burgas",
        type="counselling", beneficiary_ids=[farsi.id],
    )  # fmt: skip
    session.commit()

    found = {
        (r["office"], r["service_type"], r["speciality"], r["language"]): (
            r["bookings"], r["interpretation_hours"], r["no_shows"],
        )
        for r in rows(client, admin)
    }  # fmt: skip

    assert found == {
        ("sofia", "interpretation", None, "ar"): (2, 2.5, 1),  # the cancelled one not counted
        ("sofia", "interpretation", None, "fa"): (1, 1.5, 0),
        ("burgas", "counselling", "legal", "fa"): (1, 0.0, 0),
    }
    assert both.id
    assert rows(client, admin, office="burgas")[0]["office"] == "burgas"


def test_attendance_and_messages_sent_are_counted(client, session, factory, admin, every_count):
    series, held = past_course(client, factory, admin)  # Mondays in November 2026, Sofia
    people = [factory.beneficiary(language="uk") for _ in range(3)]
    for person, value in zip(people, ("present", "absent", "excused"), strict=True):
        enrol_api(client, admin, series["id"], person.id)
        assert mark(client, admin, series["id"], held[0]["id"], person.id, value).status_code == 200
    message = session.query(OutboxMessage).first()
    assert message is None  # a past course sends nothing; make one sent message
    person = factory.beneficiary(language="uk", phone="+359888123123", sms_consent=True)
    future = book(
        session, factory, [factory.interpreter("uk")], datetime(2027, 2, 1, 10, tzinfo=SOFIA),
        beneficiary_ids=[person.id],
    )  # fmt: skip
    sent = session.query(OutboxMessage).filter_by(booking_id=future.id, kind="confirmation").one()
    sent.status, sent.sent_at = "sent", datetime(2026, 11, 30, 23, 30, tzinfo=SOFIA)
    session.commit()

    found = rows(client, admin, **{"from": "2026-11", "to": "2026-11"})

    classes = [r for r in found if r["service_type"] == "language_class"]
    assert [(r["language"], r["bookings"]) for r in classes] == [(None, 2), ("uk", 1)]
    language_class = classes[1]
    assert (language_class["present"], language_class["absent"], language_class["excused"]) == (
        1, 1, 1,
    )  # fmt: skip
    assert language_class["language"] == "uk" and language_class["bookings"] == 1
    messages = next(r for r in found if r["messages_sent"])
    assert (messages["service_type"], messages["language"], messages["messages_sent"]) == (
        "interpretation", "uk", 1,
    )  # fmt: skip


def five_arabic_one_somali(session, factory):
    """Five Arabic bookings, the first a no-show, and one Somali booking, in June 2026."""
    interpreter = factory.interpreter("ar", "so")
    start = datetime(2026, 6, 1, 10, tzinfo=SOFIA)
    made = []
    for day in range(6):
        person = factory.beneficiary(language="ar" if day < 5 else "so")
        made.append(
            book(
                session,
                factory,
                [interpreter],
                start + timedelta(days=day),
                beneficiary_ids=[person.id],
            )
        )
    change_status(session, made[0], "no_show", Actor("tests"))
    session.commit()
    return made


def test_small_counts_are_masked_below_the_threshold(client, session, factory, admin):
    five_arabic_one_somali(session, factory)

    answer = client.get(URL, query_string={"from": "2026-06", "to": "2026-06"}, headers=admin)

    assert answer.json["min_count"] == 5
    [arabic] = answer.json["rows"]  # the Somali row has nothing left to show: it is dropped
    assert arabic["language"] == "ar"
    assert (arabic["bookings"], arabic["interpretation_hours"]) == (5, 5.0)
    assert arabic["no_shows"] is None  # one no-show among five is masked
    assert arabic["present"] == 0  # zero names nobody and is shown


def test_a_row_whose_every_count_is_masked_or_zero_is_not_given(client, session, factory, admin):
    interpreter = factory.interpreter("ar", "so", "ti")
    for day, language in enumerate(("so", "ti")):
        person = factory.beneficiary(language=language)
        book(
            session,
            factory,
            [interpreter],
            datetime(2026, 6, 1, 10, tzinfo=SOFIA) + timedelta(days=day),
            beneficiary_ids=[person.id],
        )
    query = {"from": "2026-06", "to": "2026-06"}

    assert client.get(URL, query_string=query, headers=admin).json["rows"] == []
    table = client.get(URL, query_string=query | {"format": "csv"}, headers=admin)
    assert table.data.decode().splitlines() == [",".join(CSV_COLUMNS)]


def test_the_csv_has_the_same_rows_with_masked_cells_written_as_below_the_threshold(
    client, session, factory, admin
):
    five_arabic_one_somali(session, factory)

    answer = client.get(
        URL, query_string={"from": "2026-06", "to": "2026-06", "format": "csv"}, headers=admin
    )

    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(answer.data.decode())))
    assert len(table) == 1  # the Somali row is dropped here too
    assert table[0]["month"] == "2026-06" and table[0]["office"] == "sofia"
    assert (table[0]["language"], table[0]["bookings"]) == ("ar", "5")
    assert (table[0]["no_shows"], table[0]["interpretation_hours"]) == ("<5", "5.0")
    assert (table[0]["present"], table[0]["speciality"]) == ("0", "")


def test_coordinators_count_their_offices_and_staff_nothing(
    client, session, factory, admin, every_count
):
    burgas_interpreter = factory.interpreter("ar", offices=("burgas",))
    sofia_interpreter = factory.interpreter("ar")
    start = datetime(2026, 6, 1, 10, tzinfo=SOFIA)
    book(session, factory, [sofia_interpreter], start)
    book(session, factory, [burgas_interpreter], start, office="burgas")
    coordinator = factory.headers("coordinator", offices=["burgas"])

    assert {r["office"] for r in rows(client, coordinator)} == {"burgas"}
    assert {r["office"] for r in rows(client, factory.headers("read_only"))} == {"sofia", "burgas"}
    outside = client.get(
        URL,
        query_string={"from": "2026-01", "to": "2026-12", "office": "sofia"},
        headers=coordinator,
    )
    assert outside.status_code == 403
    staff = factory.headers("staff", resource_id=sofia_interpreter.id)
    query = {"from": "2026-01", "to": "2026-12"}
    assert client.get(URL, query_string=query, headers=staff).status_code == 403
    assert client.get(URL, query_string=query).status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-13", "to": "2026-12"}, "from"),
        ({"from": "2026-1", "to": "2026-12"}, "from"),
        ({"from": "2026-01", "to": "26-12"}, "to"),
        ({"to": "2026-12"}, "from"),
        ({"from": "2026-05", "to": "2026-04"}, "to"),
        ({"from": "2020-01", "to": "2026-12"}, "to"),  # more than 60 months
        ({"from": "2100-01", "to": "2100-02"}, "from"),
        ({"from": "2026-01", "to": "2026-12", "office": "varna"}, "office"),
        ({"from": "2026-01", "to": "2026-12", "format": "xlsx"}, "format"),
    ],
)
def test_bad_parameters_name_the_field(client, factory, admin, query, field):
    factory.office("sofia")
    answer = client.get(URL, query_string=query, headers=admin)

    assert answer.status_code == 422
    assert field in answer.json["errors"]["query"]


def test_bookings_by_month_and_language_add_up_across_offices_and_leave_out_small_pairs(
    session, factory
):
    arabic, farsi = factory.beneficiary(language="ar"), factory.beneficiary(language="fa")
    interpreter = factory.interpreter("ar", "fa", offices=("sofia", "burgas"))
    may = datetime(2026, 5, 4, 10, 0, tzinfo=SOFIA)
    for day, office in enumerate(["sofia", "burgas", "sofia"]):
        book(
            session, factory, [interpreter], may + timedelta(days=day), office=office,
            beneficiary_ids=[arabic.id, farsi.id] if day == 0 else [arabic.id],
        )  # fmt: skip
    book(session, factory, [interpreter], may.replace(month=6), beneficiary_ids=[farsi.id])

    counted = bookings_by_month_and_language(session, date(2026, 1, 1), date(2026, 12, 1), None, 1)
    masked = bookings_by_month_and_language(session, date(2026, 1, 1), date(2026, 12, 1), None, 3)
    burgas = bookings_by_month_and_language(
        session, date(2026, 5, 1), date(2026, 5, 1), ["burgas"], 1
    )

    assert [(c.month, c.language, c.bookings) for c in counted] == [
        ("2026-05", "ar", 3),
        ("2026-05", "fa", 1),
        ("2026-06", "fa", 1),
    ]
    assert [(c.month, c.language, c.bookings) for c in masked] == [("2026-05", "ar", 3)]
    assert [(c.language, c.bookings) for c in burgas] == [("ar", 1)]
