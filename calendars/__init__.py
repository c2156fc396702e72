"""Render zapis bookings as RFC 5545 iCalendar feeds, downloads and free/busy data."""

from calendars.etag import RENDER_VERSION, event_etag_part, feed_etag
from calendars.freebusy import merge_busy, render_freebusy
from calendars.model import BusyPeriod, FeedCalendar, FeedEvent
from calendars.render import (
    DEFAULT_WINDOW,
    assemble_feed,
    render_feed,
    render_single_event,
    render_vevent,
    render_vtimezone,
)

__all__ = [
    "DEFAULT_WINDOW",
    "RENDER_VERSION",
    "BusyPeriod",
    "FeedCalendar",
    "FeedEvent",
    "assemble_feed",
    "event_etag_part",
    "feed_etag",
    "merge_busy",
    "render_feed",
    "render_freebusy",
    "render_single_event",
    "render_vevent",
    "render_vtimezone",
]
