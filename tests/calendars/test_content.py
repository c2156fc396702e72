"""Feed headers, VTIMEZONE, VEVENT properties, determinism and input validation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from calendars import (
    FeedCalendar,
    FeedEvent,
    assemble_feed,
    render_feed,
    render_single_event,
    render_vevent,
    render_vtimezone,
)
from tests.calendars.scenarios import CALENDAR, EVENTS, SOFIA, SPRING, SPRING_MOVED, STAMP, local


@pytest.fixture(scope="module")
def feed() -> bytes:
    return render_feed(CALENDAR, EVENTS)


def header(ics: bytes) -> list[bytes]:
    """Return the unfolded content lines before the VTIMEZONE."""
    return ics.split(b"BEGIN:VTIMEZONE")[0].replace(b"\r\n ", b"").split(b"\r\n")


def test_feed_header_has_subscription_properties(feed: bytes) -> None:
    lines = header(feed)
    assert lines[0] == b"BEGIN:VCALENDAR"
    for expected in (
        b"VERSION:2.0",
        b"PRODID:-//zapis//zapis scheduling//EN",
        b"CALSCALE:GREGORIAN",
        b"METHOD:PUBLISH",
        "NAME;LANGUAGE=bg:Класове — София".encode(),
        "X-WR-CALNAME:Класове — София".encode(),
        "X-WR-CALDESC:Курсове по български език в офиса в София".encode(),
        b"X-WR-TIMEZONE:Europe/Sofia",
        b"REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        b"X-PUBLISHED-TTL:PT1H",
    ):
        assert expected in lines
    assert feed.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_refresh_interval_follows_calendar() -> None:
    calendar = FeedCalendar(name="Бургас", refresh_interval=timedelta(minutes=30))
    lines = header(assemble_feed(calendar, []))
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT30M" in lines
    assert b"X-PUBLISHED-TTL:PT30M" in lines
    assert not any(line.startswith(b"X-WR-CALDESC") for line in lines)


def test_vtimezone_for_sofia_has_correct_transitions(feed: bytes) -> None:
    (vtimezone,) = Calendar.from_ical(feed).walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Sofia"
    kinds = {c.name for c in vtimezone.subcomponents}
    assert kinds == {"STANDARD", "DAYLIGHT"}
    zone = ZoneInfo("Europe/Sofia")
    for observance in vtimezone.walk("DAYLIGHT") + vtimezone.walk("STANDARD"):
        offset_from = observance.decoded("TZOFFSETFROM")
        offset_to = observance.decoded("TZOFFSETTO")
        assert "RDATE" not in observance  # yearly rules, never a list that runs out
        # RFC 5545: onset is local time in TZOFFSETFROM; the zone must change right then.
        instant = (observance.decoded("DTSTART") - offset_from).replace(tzinfo=UTC)
        assert instant.astimezone(zone).utcoffset() == offset_to
        if offset_from != offset_to:
            assert (instant - timedelta(seconds=1)).astimezone(zone).utcoffset() == offset_from
    # spring forward 03:00 EET -> 04:00 EEST, fall back 04:00 EEST -> 03:00 EET
    assert b"DTSTART:20000326T030000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in feed
    assert b"DTSTART:20001029T040000\r\nRRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n" in feed


def test_vtimezone_is_cached() -> None:
    first = render_vtimezone("Europe/Sofia", date(2026, 1, 1), date(2028, 1, 1))
    assert render_vtimezone("Europe/Sofia", date(2026, 1, 1), date(2028, 1, 1)) is first
    assert first.startswith(b"BEGIN:VTIMEZONE\r\nTZID:Europe/Sofia\r\n")


def test_window_does_not_cut_vtimezone_short() -> None:
    """A series may run past the feed's window: the VTIMEZONE must not stop at its end."""
    short = assemble_feed(CALENDAR, [], window=(date(2026, 1, 1), date(2028, 1, 1)))
    assert short == assemble_feed(CALENDAR, [])
    assert b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n" in short


def test_vevent_properties(feed: bytes) -> None:
    piece = render_vevent(SPRING).decode()
    for line in (
        "UID:class-spring@zapis.test",
        "DTSTAMP:20260901T063000Z",  # last_modified in UTC, not the clock
        "CREATED:20260901T063000Z",
        "LAST-MODIFIED:20260901T063000Z",
        "SEQUENCE:2",
        "DTSTART;TZID=Europe/Sofia:20270301T100000",
        "DTEND;TZID=Europe/Sofia:20270301T120000",
        "RRULE:FREQ=WEEKLY;COUNT=24;BYDAY=MO,WE",
        "EXDATE;TZID=Europe/Sofia:20270303T100000,20270405T100000",
        "SUMMARY:Български език A1",
        "LOCATION:София\\, офис на мисията",
        "CATEGORIES:class,Sofia",
        "STATUS:CONFIRMED",
        "TRANSP:OPAQUE",
    ):
        assert line + "\r\n" in piece
    moved = render_vevent(SPRING_MOVED).decode()
    assert "RECURRENCE-ID;TZID=Europe/Sofia:20270324T100000\r\n" in moved
    assert "SEQUENCE:3\r\n" in moved
    assert "DTSTAMP:20260902T063000Z\r\n" in moved


def test_utc_input_is_written_in_sofia_wall_time() -> None:
    event = dataclasses.replace(
        SPRING,
        starts_at=datetime(2027, 3, 1, 8, tzinfo=UTC),
        ends_at=datetime(2027, 3, 1, 10, tzinfo=UTC),
        exdates=(datetime(2027, 3, 3, 8, tzinfo=UTC),),
    )
    piece = render_vevent(event)
    assert b"DTSTART;TZID=Europe/Sofia:20270301T100000\r\n" in piece
    assert b"EXDATE;TZID=Europe/Sofia:20270303T100000\r\n" in piece


def test_optional_properties_are_omitted_and_url_written() -> None:
    bare = FeedEvent(
        uid="bare@zapis.test",
        starts_at=local(2026, 12, 1, 9),
        ends_at=local(2026, 12, 1, 10),
        summary="Среща",
        created=STAMP,
        last_modified=STAMP,
    )
    piece = render_vevent(bare)
    for name in (b"DESCRIPTION", b"LOCATION", b"CATEGORIES", b"URL", b"RRULE", b"EXDATE"):
        assert b"\r\n" + name not in piece
    with_url = render_vevent(dataclasses.replace(bare, url="https://zapis.test/b/17?lang=bg"))
    assert b"URL:https://zapis.test/b/17?lang=bg\r\n" in with_url


def test_identical_input_gives_identical_bytes(feed: bytes) -> None:
    rebuilt = tuple(dataclasses.replace(e) for e in EVENTS)
    assert render_feed(dataclasses.replace(CALENDAR), rebuilt) == feed
    assert render_single_event(CALENDAR, EVENTS[:2]) == render_single_event(CALENDAR, EVENTS[:2])


def test_changed_event_changes_only_its_piece() -> None:
    changed = dataclasses.replace(
        SPRING, summary="Български език A2", sequence=3, last_modified=STAMP + timedelta(hours=1)
    )
    assert render_vevent(SPRING) != render_vevent(changed)
    assert render_vevent(SPRING_MOVED) == render_vevent(dataclasses.replace(SPRING_MOVED))


def test_single_event_download_is_an_import_not_a_subscription() -> None:
    ics = render_single_event(CALENDAR, [SPRING, SPRING_MOVED])
    lines = header(ics)
    assert b"METHOD:PUBLISH" in lines
    assert b"VERSION:2.0" in lines
    for name in (b"NAME", b"X-WR-CALNAME", b"REFRESH-INTERVAL", b"X-PUBLISHED-TTL"):
        assert not any(line.startswith(name) for line in lines)
    parsed = Calendar.from_ical(ics)
    assert len(parsed.walk("VTIMEZONE")) == 1
    assert [str(e["UID"]) for e in parsed.walk("VEVENT")] == [SPRING.uid, SPRING.uid]
    with pytest.raises(ValueError, match="at least one"):
        render_single_event(CALENDAR, [])


def test_single_event_download_covers_far_dates() -> None:
    far = dataclasses.replace(
        SPRING_MOVED,
        recurrence_id=None,
        starts_at=local(2045, 7, 1, 10),
        ends_at=local(2045, 7, 1, 11),
    )
    ics = render_single_event(CALENDAR, [far])
    (vtimezone,) = Calendar.from_ical(ics).walk("VTIMEZONE")
    offset = vtimezone.to_tz().utcoffset(datetime(2045, 7, 1, 10))
    assert offset == timedelta(hours=3)


NAIVE = datetime(2027, 3, 1, 10)


@pytest.mark.parametrize(
    "change",
    [
        {"starts_at": NAIVE},
        {"ends_at": NAIVE},
        {"created": NAIVE},
        {"last_modified": NAIVE},
        {"exdates": (NAIVE,)},
    ],
    ids=lambda change: next(iter(change)),
)
def test_naive_datetimes_are_rejected(change: dict) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(SPRING, **change)


def test_naive_recurrence_id_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        dataclasses.replace(SPRING_MOVED, recurrence_id=NAIVE)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": local(2027, 3, 1, 9)}, "after"),
        ({"status": "CANCELLED"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"uid": ""}, "uid"),
        ({"rrule": "FREQ=SOMETIMES"}, "rrule"),
        ({"rrule": "BYDAY=MO"}, "FREQ"),
        ({"rrule": "FREQ=DAILY;UNTIL=20270401T100000"}, "UTC"),
        ({"rrule": None}, "exdates need an rrule"),
        ({"recurrence_id": local(2027, 3, 8, 10)}, "override"),
    ],
)
def test_invalid_events_are_rejected(change: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(SPRING, **change)


def test_unknown_timezone_is_rejected() -> None:
    with pytest.raises(KeyError):
        FeedCalendar(name="x", timezone="Europe/Atlantis")


def test_sofia_constant_is_the_zone() -> None:
    assert SOFIA.key == "Europe/Sofia"
