"""The board's HTML: what a chip says and to whom, its colour class and legend, the office and
week it opens on, the empty cell that books, and the day agenda phones show."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from service.booking.bookings import Actor, change_status
from service.console.board import default_week
from service.plumbing.clock import sofia_instant
from tests.console.conftest import select_statements, work_day

TAGS = re.compile(r"<[^>]+>")
HIDDEN = re.compile(r'<span class="visually-hidden">[^<]*</span>')


def chips(html: str) -> dict[int, str]:
    """The visible words of each chip of the grid, by booking id, spaces tidied."""
    found = re.findall(
        r'<a class="block [^"]*" href="[^"]*" data-booking-id="(\d+)">(.*?)</a>', html, re.S
    )
    return {int(i): " ".join(TAGS.sub("", HIDDEN.sub("", text)).split()) for i, text in found}


def chip_classes(html: str) -> dict[int, str]:
    found = re.findall(r'<a class="block ([^"]*)" href="[^"]*" data-booking-id="(\d+)"', html)
    return {int(i): classes for classes, i in found}


def week_of(client, day: date, office: str = "burgas", **headers: str) -> str:
    return client.get(
        f"/console/board?office={office}&week={day.isoformat()}", headers=headers
    ).text


def two_arabic_and_a_dari_speaker(factory, day: date, office: str = "burgas"):
    person = factory.interpreter("ar", "prs", offices=(office,))
    people = [
        factory.beneficiary(language=language, offices=(office,))
        for language in ("ar", "ar", "prs")
    ]
    booking = factory.booking(
        [person],
        sofia_instant(day, time(10)),
        minutes=90,
        office=office,
        beneficiary_ids=[b.id for b in people],
    )
    return person, booking


def test_a_chip_shows_the_times_type_languages_and_how_many_come(client, signed_in, factory):
    day = work_day()
    _person, booking = two_arabic_and_a_dari_speaker(factory, day)
    signed_in("coordinator", offices=["burgas"])
    html = week_of(client, day)
    assert chips(html)[booking.id] == "■ 10:00\u201311:30 · Interpretation · Arabic, Dari · 3"
    assert "attendees: </span>3" in html  # the number is named for screen readers


def test_a_chip_speaks_bulgarian_on_a_bulgarian_page(client, signed_in, factory):
    day = work_day()
    _person, booking = two_arabic_and_a_dari_speaker(factory, day)
    signed_in("coordinator", offices=["burgas"], locale="bg")
    text = chips(week_of(client, day))[booking.id]
    assert text.startswith("■ 10:00\u201311:30 · Превод · арабски")


def test_who_may_not_see_details_sees_neither_languages_nor_numbers(client, signed_in, factory):
    day = work_day()
    _person, booking = two_arabic_and_a_dari_speaker(factory, day)
    signed_in("read_only")
    html = week_of(client, day)
    assert chips(html)[booking.id] == "■ 10:00\u201311:30 · Interpretation"
    assert "Arabic" not in html and "attendees:" not in html


def test_each_state_has_its_own_class_and_mark_and_the_legend_names_them(
    client, signed_in, factory
):
    day = work_day()
    person = factory.interpreter(offices=("burgas", "sofia"))
    at = [sofia_instant(day, time(hour)) for hour in range(9, 14)]
    next_day = day + timedelta(days=1 if day.weekday() < 4 else -1)  # time to travel to Sofia
    confirmed = factory.booking([person], at[0], 30, office="burgas")
    tentative = factory.booking([person], at[1], 30, office="burgas", status="tentative")
    completed = factory.booking([person], at[2], 30, office="burgas")
    no_show = factory.booking([person], at[3], 30, office="burgas")
    cancelled = factory.booking([person], at[4], 30, office="burgas")
    elsewhere = factory.booking([person], sofia_instant(next_day, time(10)), 30, office="sofia")
    called_off = factory.booking([person], sofia_instant(next_day, time(12)), 30, office="sofia")
    later = datetime(2100, 1, 1, tzinfo=UTC)
    change_status(factory.session, completed, "complete", Actor("tests"), now=later)
    change_status(factory.session, no_show, "no_show", Actor("tests"), now=later)
    for off in (cancelled, called_off):
        change_status(factory.session, off, "cancel", Actor("tests"), reason="ill")
    factory.session.commit()
    signed_in("coordinator", offices=["burgas"])
    html = week_of(client, day)

    classes = chip_classes(html)
    assert classes[confirmed.id] == "confirmed"
    assert classes[tentative.id] == "tentative"
    assert classes[completed.id] == "closed-out completed"
    assert classes[no_show.id] == "closed-out no_show"
    assert classes[cancelled.id] == "cancelled"
    assert classes[elsewhere.id] == "elsewhere"
    assert called_off.id not in classes  # called off elsewhere: nobody is busy then
    words = chips(html)
    marks = {booking_id: text.split()[0] for booking_id, text in words.items()}
    assert marks == {
        confirmed.id: "■",
        tentative.id: "?",
        completed.id: "✓",
        no_show.id: "✗",
        cancelled.id: "⊘",
        elsewhere.id: "↗",
    }
    assert words[elsewhere.id].endswith("· busy at another office")
    legend = html[
        html.index('<ul class="legend"') : html.index("</ul>", html.index('class="legend"'))
    ]
    for words_of_legend in (
        "confirmed, this office",
        "tentative",
        "completed or no-show",
        "cancelled",
        "busy at another office",
    ):
        assert words_of_legend in legend


@pytest.mark.parametrize(
    ("role", "offices", "opens_on"),
    [
        ("coordinator", ["sofia", "burgas"], "burgas"),
        ("coordinator", ["harmanli"], "harmanli"),
        ("admin", [], "sofia"),
        ("read_only", [], "sofia"),
    ],
)
def test_the_board_opens_on_ones_own_office_or_the_central_one(
    client, signed_in, factory, role, offices, opens_on
):
    for code in ("burgas", "harmanli", "sofia"):
        factory.office(code)
    signed_in(role, offices=offices) if offices else signed_in(role)
    html = client.get("/console/board").text
    assert re.search(rf'<option value="{opens_on}" selected>', html), html


@pytest.mark.parametrize(
    ("today", "monday"),
    [
        (date(2026, 12, 5), date(2026, 12, 7)),  # Saturday: the coming week
        (date(2026, 12, 6), date(2026, 12, 7)),  # Sunday: the coming week
        (date(2026, 12, 7), date(2026, 12, 7)),  # Monday: this week
        (date(2026, 12, 11), date(2026, 12, 7)),  # Friday: still this week
    ],
)
def test_the_board_opens_on_the_week_still_to_come(
    client, signed_in, factory, monkeypatch, today, monday
):
    noon = datetime.combine(today, time(10), tzinfo=UTC)
    monkeypatch.setattr("service.console.views_board.utcnow", lambda: noon)
    factory.office("burgas")
    signed_in("coordinator", offices=["burgas"])
    html = client.get("/console/board").text
    assert f'name="week" value="{monday.isoformat()}"' in html
    assert default_week(today) == monday


def test_late_on_sunday_in_sofia_is_monday_and_this_week(client, signed_in, factory, monkeypatch):
    sunday_night_utc = datetime(2026, 12, 6, 22, 30, tzinfo=UTC)  # 00:30 on Monday in Sofia
    monkeypatch.setattr("service.console.views_board.utcnow", lambda: sunday_night_utc)
    factory.office("burgas")
    signed_in("coordinator", offices=["burgas"])
    assert 'name="week" value="2026-12-07"' in client.get("/console/board").text


def test_an_open_cell_links_to_find_and_book_for_that_person_office_and_day(
    client, signed_in, factory
):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    factory.room("burgas")
    closed = day + timedelta(days=1 if day.weekday() < 4 else -1)
    factory.closure("burgas", closed)
    signed_in("coordinator", offices=["burgas"])
    html = week_of(client, day)
    link = (
        f'href="/console/find?kind=interpreter&amp;office=burgas&amp;day={day.isoformat()}'
        '&amp;modality=in_person&amp;minutes=60"'
    )
    assert link in html
    assert f"day={closed.isoformat()}&amp;modality" not in html.split('<div class="agenda">')[0]
    assert html.count('class="book"') == 4  # the person's open days, none for the room
    assert f"{person.name} on " in html  # what the link books, for screen readers


def test_days_gone_by_have_no_booking_links(client, signed_in, factory):
    factory.interpreter(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    html = week_of(client, work_day() - timedelta(days=28))
    assert 'class="book"' not in html and "Book on this day" not in html


def test_who_may_not_book_gets_no_booking_links(client, signed_in, factory):
    day = work_day()
    factory.interpreter(offices=("burgas",))
    signed_in("read_only")
    html = week_of(client, day)
    assert 'class="book"' not in html and "Book on this day" not in html


def test_the_agenda_lists_each_booking_once_with_all_it_holds_in_order_of_time(
    client, signed_in, factory
):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    room = factory.room("burgas")
    later = factory.booking([person, room], sofia_instant(day, time(14)), office="burgas")
    earlier = factory.booking([person], sofia_instant(day, time(9)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    html = week_of(client, day)
    agenda = html[html.index('<div class="agenda">') :]
    entries = re.findall(
        r'href="/console/bookings/(\d+)">(.*?)</a> <span class="agenda-who">([^<]*)', agenda, re.S
    )
    assert [int(i) for i, _text, _who in entries] == [earlier.id, later.id]
    assert entries[1][2] == f"{person.name}, {room.name}"
    assert agenda.count('<section aria-labelledby="agenda-') == 5
    assert "Nothing booked." in agenda


def test_languages_and_numbers_cost_no_query_per_chip(client, signed_in, factory, engine):
    day = work_day()
    for _ in range(6):
        two_arabic_and_a_dari_speaker(factory, day)
    signed_in("coordinator", offices=["burgas"])
    with select_statements(engine) as selects:
        html = week_of(client, day)
    assert html.count("· Arabic, Dari · <span") == 12  # six chips, in the grid and the agenda
    assert len(selects) <= 6, "\n\n".join(selects)
