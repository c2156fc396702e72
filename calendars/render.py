"""Render FeedEvents to VEVENT bytes and assemble feeds from stored pieces.

The service renders each event once (``render_vevent``) when its booking
changes, stores the bytes, and builds a feed with ``assemble_feed``, which only
joins bytes.  Output is deterministic: the same input always gives the same
bytes, so nothing here reads the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vDuration, vRecur

from calendars.model import FeedCalendar, FeedEvent
from calendars.vtimezone import build_vtimezone

DEFAULT_TZ = "Europe/Sofia"
# VTIMEZONE coverage used when the caller passes no window (see calendars/vtimezone.py:
# from 2000 at the latest, without end).  Fixed (never "now") so bytes depend only on data.
DEFAULT_WINDOW = (date(2020, 1, 1), date(2040, 1, 1))
_END = b"END:VCALENDAR\r\n"


def _local(value: datetime, tz: str) -> datetime:
    """Convert to wall time in tz; icalendar then writes TZID=tz."""
    return value.astimezone(ZoneInfo(tz))


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _ical(component: Component) -> bytes:
    """Serialise component with properties in the order they were added."""
    data: bytes = component.to_ical(sorted=False)
    return data


def render_vevent(event: FeedEvent, tz: str = DEFAULT_TZ) -> bytes:
    """Render one BEGIN:VEVENT...END:VEVENT block with local times in tz.

    A single event (no RRULE, EXDATE or RECURRENCE-ID) in the default time zone is written
    by ``_render_single`` without building icalendar objects (about 10 times faster); its
    bytes are those icalendar writes, which tests/calendars/test_render_single.py checks.
    """
    if (
        tz == DEFAULT_TZ
        and event.rrule is None
        and event.recurrence_id is None
        and not event.exdates
        and (event.url is None or not _LINE_BREAK.search(event.url))
    ):
        return _render_single(event)
    return render_vevent_icalendar(event, tz)


_LINE_BREAK = re.compile(r"[\r\n]")
_SOFIA = ZoneInfo(DEFAULT_TZ)


def _text(value: str) -> str:
    """Escape a TEXT value as icalendar does (the order of the replacements matters)."""
    return (
        value.replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


def _fold(line: str, limit: int = 75) -> str:
    """Fold a content line as icalendar does: pieces under `limit` octets, CRLF + space.

    Works on the UTF-8 bytes: a piece ends before the character that would make it reach
    `limit` octets, never inside a character, and never right after a backslash or caret
    (that character starts the next piece instead, as icalendar does since issue #1501).
    """
    data = line.encode()
    if len(data) < limit:
        return line
    pieces = []
    start = 0
    while len(data) - start >= limit:
        end = start + limit - 1
        while data[end] & 0xC0 == 0x80:  # a continuation byte: step back to the character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(data[start:end])
        start = end
    pieces.append(data[start:])
    return b"\r\n ".join(pieces).decode()


def _basic(value: datetime) -> str:
    return (
        f"{value.year:04}{value.month:02}{value.day:02}"
        f"T{value.hour:02}{value.minute:02}{value.second:02}"
    )


def _stamp(value: datetime) -> str:
    return _basic(value.astimezone(UTC)) + "Z"


def _sofia(value: datetime) -> str:
    return f"TZID={DEFAULT_TZ}:" + _basic(value.astimezone(_SOFIA))


def _render_single(event: FeedEvent) -> bytes:
    """Write the VEVENT of a single event in Europe/Sofia, byte for byte as icalendar."""
    stamp = _stamp(event.last_modified)
    lines = [
        "BEGIN:VEVENT",
        _fold(f"UID:{_text(event.uid)}"),
        f"DTSTAMP:{stamp}",
        f"CREATED:{_stamp(event.created)}",
        f"LAST-MODIFIED:{stamp}",
        f"SEQUENCE:{event.sequence:d}",
        f"DTSTART;{_sofia(event.starts_at)}",
        f"DTEND;{_sofia(event.ends_at)}",
        _fold(f"SUMMARY:{_text(event.summary)}"),
    ]
    if event.description is not None:
        lines.append(_fold(f"DESCRIPTION:{_text(event.description)}"))
    if event.location is not None:
        lines.append(_fold(f"LOCATION:{_text(event.location)}"))
    if event.categories:
        lines.append(_fold("CATEGORIES:" + ",".join(_text(c) for c in event.categories)))
    if event.url is not None:
        lines.append(_fold(f"URL:{event.url}"))
    lines += [f"STATUS:{_text(event.status)}", "TRANSP:OPAQUE", "END:VEVENT", ""]
    return "\r\n".join(lines).encode()


def render_vevent_icalendar(event: FeedEvent, tz: str = DEFAULT_TZ) -> bytes:
    """Render one VEVENT with icalendar (every case; the reference for ``_render_single``)."""
    vevent = Event()
    vevent.add("uid", event.uid)
    # DTSTAMP follows the data, not the clock, so unchanged events keep their bytes.
    vevent.add("dtstamp", _utc(event.last_modified))
    vevent.add("created", _utc(event.created))
    vevent.add("last-modified", _utc(event.last_modified))
    vevent.add("sequence", event.sequence)
    vevent.add("dtstart", _local(event.starts_at, tz))
    vevent.add("dtend", _local(event.ends_at, tz))
    if event.recurrence_id is not None:
        vevent.add("recurrence-id", _local(event.recurrence_id, tz))
    if event.rrule is not None:
        vevent.add("rrule", vRecur.from_ical(event.rrule))
    if event.exdates:
        vevent.add("exdate", sorted({_local(d, tz) for d in event.exdates}))
    vevent.add("summary", event.summary)
    if event.description is not None:
        vevent.add("description", event.description)
    if event.location is not None:
        vevent.add("location", event.location)
    if event.categories:
        vevent.add("categories", list(event.categories))
    if event.url is not None:
        vevent.add("url", event.url)
    vevent.add("status", event.status)
    vevent.add("transp", "OPAQUE")
    return _ical(vevent)


@lru_cache(maxsize=32)
def render_vtimezone(tz: str, first: date, last: date) -> bytes:
    """Render the VTIMEZONE for tz from zoneinfo data, valid from first to last."""
    return _ical(build_vtimezone(tz, first, last))


@lru_cache(maxsize=64)
def _header(calendar: FeedCalendar, subscription: bool) -> bytes:
    """Render the VCALENDAR opening lines (everything before the VTIMEZONE)."""
    vcalendar = Calendar()
    vcalendar.add("version", "2.0")
    vcalendar.add("prodid", calendar.prodid)
    vcalendar.add("calscale", "GREGORIAN")
    vcalendar.add("method", "PUBLISH")
    if subscription:
        language = {"LANGUAGE": calendar.language} if calendar.language else {}
        vcalendar.add("name", calendar.name, parameters=language)
        vcalendar.add("x-wr-calname", calendar.name)
        if calendar.description is not None:
            vcalendar.add("description", calendar.description, parameters=language)
            vcalendar.add("x-wr-caldesc", calendar.description)
        refresh = vDuration(calendar.refresh_interval)
        vcalendar.add("refresh-interval", refresh, parameters={"VALUE": "DURATION"})
        vcalendar.add("x-published-ttl", vDuration(calendar.refresh_interval))
    vcalendar.add("x-wr-timezone", calendar.timezone)
    rendered = _ical(vcalendar)
    assert rendered.endswith(_END)
    return rendered[: -len(_END)]


def assemble_feed(
    calendar: FeedCalendar,
    vevents: Iterable[bytes],
    window: tuple[date, date] | None = None,
) -> bytes:
    """Join a subscription feed from pre-rendered VEVENT blocks without re-parsing.

    Each piece must come from ``render_vevent(event, calendar.timezone)``.
    ``window`` is where the VTIMEZONE must start at the latest (it starts in 2000
    anyway, and its yearly rules never run out, so a series outliving the window
    keeps its hour); keep it stable so the cached VTIMEZONE is reused.
    """
    first, last = window or DEFAULT_WINDOW
    return b"".join(
        (
            _header(calendar, True),
            render_vtimezone(calendar.timezone, first, last),
            b"".join(vevents),
            _END,
        )
    )


def render_feed(calendar: FeedCalendar, events: Iterable[FeedEvent]) -> bytes:
    """Render a subscription feed straight from events.

    This renders every VEVENT (about 1 ms each with icalendar 7); large feeds
    should store ``render_vevent`` output and call ``assemble_feed`` instead.
    """
    return assemble_feed(calendar, (render_vevent(e, calendar.timezone) for e in events))


def _window_for(events: tuple[FeedEvent, ...], tz: str) -> tuple[date, date]:
    """Widen DEFAULT_WINDOW by whole years so it covers every event."""
    first, last = DEFAULT_WINDOW
    for event in events:
        start = _local(event.starts_at, tz).date()
        # A series runs past its first start; give it ten more years of rules.
        end_year = _local(event.ends_at, tz).year + (10 if event.rrule else 1)
        first = min(first, date(start.year, 1, 1))
        last = max(last, date(end_year + 1, 1, 1))
    return first, last


def render_single_event(calendar: FeedCalendar, events: Iterable[FeedEvent]) -> bytes:
    """Render a one-off .ics download of one booking (a series plus its overrides).

    Unlike a feed it has no NAME, X-WR-CALNAME or refresh properties: with those,
    Outlook offers to add a whole new calendar instead of importing the event.
    """
    items = tuple(events)
    if not items:
        raise ValueError("a download needs at least one event")
    first, last = _window_for(items, calendar.timezone)
    return b"".join(
        (
            _header(calendar, False),
            render_vtimezone(calendar.timezone, first, last),
            *(render_vevent(e, calendar.timezone) for e in items),
            _END,
        )
    )
