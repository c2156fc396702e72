"""Render FeedEvents to VEVENT bytes and assemble feeds from stored pieces.

The service renders each event once (``render_vevent``) when its booking
changes, stores the bytes, and builds a feed with ``assemble_feed``, which only
joins bytes.  Output is deterministic: the same input always gives the same
bytes, so nothing here reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Component, Event, vDuration, vRecur

from calendars.model import FeedCalendar, FeedEvent
from calendars.vtimezone import build_vtimezone

DEFAULT_TZ = "Europe/Sofia"
# VTIMEZONE coverage used when the caller passes no window.  Fixed (never "now")
# so that a feed's bytes depend only on its data.
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
    """Render one BEGIN:VEVENT...END:VEVENT block with local times in tz."""
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
    ``window`` bounds the VTIMEZONE transitions; keep it stable (for example
    whole years) so the cached VTIMEZONE is reused and the bytes stay equal.
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
