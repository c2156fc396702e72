"""No phone number reaches a feed, at any privacy level, whatever field it was typed into."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from service import feeds
from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.directory.phones import hide_numbers
from tests.feed_helpers import (
    events,
    fetch,
    next_working_day,
    series_start,
    subscribe,
    working_day,
)
from tests.test_series import create, series_body

# Ten spellings people type, each of another number, with the digits that must never show.
SPELLINGS = [
    ("+359887123451", "887123451"),
    ("00359887123452", "887123452"),
    ("0887123453", "887123453"),
    ("0887 123 454", "887123454"),
    ("0887 123 45 5", "887123455"),
    ("0887-123-456", "887123456"),
    ("(0887) 123457", "887123457"),
    ("+359 88 712 3458", "887123458"),
    ("088/712-3459", "887123459"),
    ("tel:+359887123460", "887123460"),
]
TEXT = "call " + "; ".join(spelled for spelled, _ in SPELLINGS)
REFERENCE = "BG-2026-77341"  # digits a phone matcher must leave alone


@pytest.mark.parametrize(("spelled", "digits"), SPELLINGS)
def test_every_spelling_is_hidden(spelled, digits):
    hidden = hide_numbers(f"Notes: ring {spelled} after 10:00.", "[x]")
    assert digits not in re.sub(r"\D", "", hidden)
    assert "[x]" in hidden and hidden.endswith("after 10:00.")


@pytest.mark.parametrize(
    "text",
    [
        REFERENCE,
        "https://meet.example.org/zapis-4411",
        "Room 12, ul. Primerna 1, 1000 Sofia",
        "meet on 10.12.2026 at 10:00",
        "T-00012 (fa)",
    ],
)
def test_what_is_not_a_number_stays(text):
    assert hide_numbers(text, "[x]") == text


def unfolded_lines(ics: bytes) -> list[str]:
    return ics.decode("utf-8").replace("\r\n ", "").split("\r\n")


def assert_no_number(name: str, ics: bytes) -> None:
    """No line of the calendar, its separators and escapes ignored, holds a number's digits."""
    for line in unfolded_lines(ics):
        digits = re.sub(r"\D", "", line)
        for spelled, significant in SPELLINGS:
            assert significant not in digits, (name, spelled, line)


@pytest.fixture
def numbered_world(client, factory, session, admin):
    """Bookings and a series whose every free text holds all ten numbers."""
    interpreter = factory.interpreter("fa", offices=("sofia",))
    interpreter.name = f"Interpreter ({TEXT})"  # even a name typed with a number
    room = factory.room("sofia")
    person = factory.beneficiary(case_reference=REFERENCE, language="fa")
    day = working_day(5)
    elsewhere_day = next_working_day(day)  # Harmanli: not the day of the Sofia bookings
    factory.booking([interpreter, room], day, beneficiary_ids=[person.id], notes=TEXT)
    phone = factory.booking(
        [interpreter],
        day.replace(hour=13),
        beneficiary_ids=[person.id],
        modality="phone",
        remote_link="tel:+359887123460",
        notes=TEXT,
    )
    factory.booking(
        [interpreter],
        day.replace(hour=15),
        modality="video",
        remote_link="https://meet.example.org/j?pin=0887123456",
        notes=TEXT,
    )
    elsewhere = create_booking(
        session,
        BookingRequest(
            type="interpretation",
            starts_at=elsewhere_day,
            ends_at=elsewhere_day.replace(hour=11),
            resource_ids=[interpreter.id],
            location=f"Harmanli camp, gate 2, {TEXT}",
            notes=TEXT,
        ),
        Actor("tests"),
        BookingPolicy(),
    )
    session.commit()
    cancelled = factory.booking([interpreter], elsewhere_day.replace(hour=14), notes=TEXT)
    answer = client.post(
        f"/api/v1/bookings/{cancelled.id}/cancel", json={"reason": TEXT}, headers=admin
    )
    assert answer.status_code == 200, answer.json
    event = factory.booking([room], working_day(7, 15), type="community_event", notes=TEXT)
    event.public = True
    feeds.refresh_booking(session, event)
    session.commit()
    course = create(
        client,
        admin,
        series_body(
            [room.id],
            start=series_start(14, occurrences=2, every_days=7),
            type="community_event",
            title=f"Open day, questions to {SPELLINGS[3][0]}",
            description=TEXT,
            rrule="FREQ=WEEKLY;COUNT=2",
            public=True,
        ),
    )
    assert course.status_code == 201, course.json
    return {"interpreter": interpreter, "room": room, "phone": phone, "elsewhere": elsewhere}


def test_no_feed_shows_a_number_at_any_privacy_level(client, factory, admin, numbered_world):
    world = numbered_world
    made = {
        f"office-{privacy}": dict(scope="office", office="sofia", privacy=privacy)
        for privacy in ("full", "limited", "busy")
    }
    for name in ("interpreter", "room"):
        for privacy in ("full", "limited", "busy"):
            made[f"{name}-{privacy}"] = dict(
                scope="resource", resource_id=world[name].id, privacy=privacy
            )
    made["public"] = dict(scope="public", privacy="public")
    served = {}
    for name, body in made.items():
        for locale in ("bg", "en"):
            answer = fetch(client, subscribe(client, admin, locale=locale, **body))
            assert answer.status_code == 200
            served[f"{name}-{locale}"] = answer.data
    for booking in (world["phone"], world["elsewhere"]):
        download = client.get(f"/api/v1/bookings/{booking.id}.ics", headers=admin)
        assert download.status_code == 200
        served[f"download-{booking.id}"] = download.data

    for name, ics in served.items():
        assert_no_number(name, ics)

    # The texts did reach the feeds, hidden: the test above would see a leak.
    full = "\n".join(str(e.get("description", "")) for e in events(served["interpreter-full-en"]))
    assert full.count("[phone number hidden]") >= 3 * len(SPELLINGS)
    assert REFERENCE in full  # a case reference is no phone number
    places = " ".join(str(e.get("location", "")) for e in events(served["interpreter-full-en"]))
    assert "Harmanli camp, gate 2" in places and "[phone number hidden]" in places
    bulgarian = served["office-full-bg"].decode().replace("\r\n ", "")
    assert "[скрит номер]" in bulgarian
    public = "\n".join(str(e["summary"]) for e in events(served["public-en"]))
    assert "Community event" in public
    shown = {str(e["uid"]).split("-")[0] for e in events(served["public-en"])}
    assert shown == {"booking", "series"}  # the public booking and the public series


def test_a_phone_booking_links_to_its_console_page(client, admin, numbered_world):
    phone = numbered_world["phone"]
    feed = subscribe(
        client,
        admin,
        scope="resource",
        resource_id=numbered_world["interpreter"].id,
        privacy="limited",
        locale="en",
    )
    (shown,) = [
        e for e in events(fetch(client, feed).data) if str(e["uid"]).endswith(f"-{phone.id}@zapis")
    ]
    assert f"Link: /console/bookings/{phone.id}" in str(shown["description"])
    assert "url" not in shown  # a path is no URI; with PUBLIC_BASE_URL it is absolute


def test_with_a_public_base_url_the_console_link_is_absolute(app, session, numbered_world):
    phone = numbered_world["phone"]
    original = app.config.get("PUBLIC_BASE_URL")
    app.config["PUBLIC_BASE_URL"] = "https://zapis.example.org/"
    try:
        with app.app_context():
            event = feeds.mapping.booking_event(phone, "full", "en", sequence=0)
    finally:
        app.config["PUBLIC_BASE_URL"] = original
    assert event.url == f"https://zapis.example.org/console/bookings/{phone.id}"
    assert "+359887123460" not in (event.description or "")
    assert event.starts_at < event.ends_at <= event.starts_at + timedelta(hours=2)
