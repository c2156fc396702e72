"""One booking as an .ics download, and a person's or room's free/busy time."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from calendars import BusyPeriod, FeedCalendar, render_freebusy, render_single_event
from service.feeds.mapping import booking_event
from service.models import Booking, FeedItem, Hold, Resource, TimeOff
from service.plumbing.clock import utcnow
from service.plumbing.errors import Invalid, InvalidTransition

MAX_FREEBUSY_SPAN = timedelta(days=366)


def render_booking_ics(session: Session, booking: Booking, privacy: str, locale: str) -> bytes:
    """Render one booking as a calendar file a user can import."""
    if booking.status == "cancelled":
        raise InvalidTransition("A cancelled booking is in no calendar any more.").coded(
            "calendar_cancelled"
        )
    item = session.get(FeedItem, booking.id)
    event = booking_event(booking, privacy, locale, sequence=item.sequence if item else 0)
    return render_single_event(FeedCalendar(name="zapis", language=locale), [event])


def render_resource_freebusy(
    session: Session, resource: Resource, start: datetime, end: datetime
) -> bytes:
    """Render when a resource is held by bookings or away, between start and end."""
    if end <= start:
        raise Invalid("end", "The end must come after the start.").coded("end_before_start")
    if end - start > MAX_FREEBUSY_SPAN:
        raise Invalid("end", "Free/busy covers at most 366 days.").coded(
            "freebusy_too_long", days=MAX_FREEBUSY_SPAN.days
        )
    holds = session.execute(
        select(Hold.starts_at, Hold.ends_at).where(
            Hold.resource_id == resource.id,
            Hold.active.is_(True),
            Hold.starts_at < end,
            Hold.ends_at > start,
        )
    )
    away = session.execute(
        select(TimeOff.starts_at, TimeOff.ends_at).where(
            TimeOff.resource_id == resource.id,
            TimeOff.starts_at < end,
            TimeOff.ends_at > start,
        )
    )
    busy = [BusyPeriod(row.starts_at, row.ends_at) for row in (*holds, *away)]
    owner = f"urn:zapis:resource:{resource.id}"
    return render_freebusy(resource.name, owner, start, end, busy, utcnow())
