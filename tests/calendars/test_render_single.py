"""The fast writer of single events gives exactly the bytes icalendar gives, for any text."""

# ruff: noqa: RUF001  (Bulgarian text is meant to contain Cyrillic look-alikes)

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calendars import FeedEvent, render_vevent
from calendars.render import render_vevent_icalendar
from tests.calendars.scenarios import local

# Text that exercises escaping and folding: backslashes (and a literal \N), separators, line
# breaks of every kind, multi-byte letters, emoji and combining sequences.
TRICKY = st.sampled_from(
    ["\\", "\\N", "\\n", ";", ",", ":", "\r\n", "\n", "\r", "^", '"', " ", "а", "ش", "👩‍👧", "é"]
)
TEXT = st.lists(st.one_of(TRICKY, st.text(max_size=12)), max_size=40).map("".join)
SINGLE_LINE = TEXT.map(lambda s: s.replace("\r", "").replace("\n", ""))
INSTANTS = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@st.composite
def events(draw: st.DrawFn) -> FeedEvent:
    starts_at = draw(INSTANTS)
    return FeedEvent(
        uid=draw(SINGLE_LINE.filter(bool)),
        starts_at=starts_at,
        ends_at=starts_at + draw(st.timedeltas(timedelta(seconds=1), timedelta(days=2))),
        summary=draw(TEXT),
        description=draw(st.none() | TEXT),
        location=draw(st.none() | TEXT),
        categories=tuple(draw(st.lists(TEXT, max_size=3))),
        status=draw(st.sampled_from(["TENTATIVE", "CONFIRMED"])),
        sequence=draw(st.integers(min_value=0, max_value=10**6)),
        url=draw(st.none() | SINGLE_LINE),
        created=draw(INSTANTS),
        last_modified=draw(INSTANTS),
    )


@settings(max_examples=300, deadline=None)
@given(events())
def test_single_events_match_icalendar_byte_for_byte(event: FeedEvent) -> None:
    assert render_vevent(event) == render_vevent_icalendar(event)


def test_a_booking_like_event_matches_icalendar() -> None:
    event = FeedEvent(
        uid="booking-12@zapis",
        starts_at=local(2027, 3, 28, 2, 30),  # the night the clocks go forward
        ends_at=local(2027, 3, 28, 4),
        summary="Устен превод · ar, fa",
        description="Състояние: потвърдена\nВид: присъствено\nХора: Амина Х.; Зала 2\\",
        location="Офис Харманли, ул. „Васил Левски“ 12, Зала 2",
        categories=("Устен превод",),
        status="TENTATIVE",
        sequence=4,
        url="https://meet.example/zapis?room=a,b;c",
        created=datetime(2027, 1, 1, 9, 0, 0, 123456, tzinfo=ZoneInfo("Europe/Sofia")),
        last_modified=datetime(2027, 2, 1, 9, 0, 0, 999999, tzinfo=UTC),
    )
    assert render_vevent(event) == render_vevent_icalendar(event)


def test_a_line_break_in_the_url_is_refused_as_icalendar_refuses_it() -> None:
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    event = FeedEvent(
        uid="u@zapis",
        starts_at=moment,
        ends_at=moment + timedelta(hours=1),
        summary="s",
        url="https://x.example/\r\nBCC",
        created=moment,
        last_modified=moment,
    )
    refused = []
    for render in (render_vevent, render_vevent_icalendar):
        try:
            render(event)
        except ValueError as exc:
            refused.append(type(exc))
    assert refused == [ValueError, ValueError]


@pytest.mark.parametrize("pad", range(55, 80))
def test_escapes_and_wide_letters_at_every_fold_position(pad: int) -> None:
    moment = datetime(2027, 1, 1, tzinfo=UTC)
    text = "x" * pad + "\\;^," + "ж" * 40 + "\\" + "👩‍👧" * 20 + "\\N;" * 30
    event = FeedEvent(
        uid="u" * pad + "@zapis",
        starts_at=moment,
        ends_at=moment + timedelta(hours=1),
        summary=text,
        description=text[1:],
        location=text[2:],
        categories=(text[3:], text),
        url="https://x.example/" + "a" * pad + "^b\\c",
        created=moment,
        last_modified=moment,
    )
    assert render_vevent(event) == render_vevent_icalendar(event)
