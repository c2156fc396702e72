"""How many minutes interpreters hold in sessions: per day and week, for the hour limits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.interpreters.interpreter_rules import BookedMinutes
from service.models import Booking, Hold
from service.plumbing.clock import sofia_instant, to_sofia


def sofia_day(instant: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the Europe/Sofia calendar day of `instant` (23 or 25 hours at DST)."""
    day = to_sofia(instant).date()
    return sofia_instant(day, time(0)), sofia_instant(day + timedelta(days=1), time(0))


def sofia_week(instant: datetime) -> tuple[datetime, datetime]:
    """The UTC bounds of the Europe/Sofia week (Monday to Sunday) of `instant`."""
    day = to_sofia(instant).date()
    monday = day - timedelta(days=day.weekday())
    return sofia_instant(monday, time(0)), sofia_instant(monday + timedelta(days=7), time(0))


def held_minutes(
    session: Session,
    resource_ids: Sequence[int],
    start: datetime,
    end: datetime,
    types: Collection[str] | None = None,
    *,
    except_booking: int | None = None,
) -> dict[int, int]:
    """Minutes each resource is held by bookings (of `types`) within [start, end), clipped."""
    if not resource_ids:
        return {}
    query = (
        select(Hold.resource_id, Hold.starts_at, Hold.ends_at)
        .join(Booking, Hold.booking_id == Booking.id)
        .where(
            Hold.resource_id.in_(resource_ids),
            Hold.active.is_(True),
            Hold.starts_at < end,
            Hold.ends_at > start,
        )
    )
    if types is not None:
        query = query.where(Booking.type.in_(sorted(types)))
    if except_booking is not None:
        query = query.where(Hold.booking_id != except_booking)
    minutes: dict[int, int] = defaultdict(int)
    for resource_id, starts_at, ends_at in session.execute(query):
        clipped = min(ends_at, end) - max(starts_at, start)
        minutes[resource_id] += int(clipped / timedelta(minutes=1))
    return minutes


def booked_day_and_week(
    session: Session,
    resource_ids: Sequence[int],
    starts_at: datetime,
    types: Collection[str],
    *,
    except_booking: int | None = None,
) -> dict[int, BookedMinutes]:
    """Minutes of `types` sessions each interpreter holds on the day and week of `starts_at`."""
    day = sofia_day(starts_at)
    week = sofia_week(starts_at)
    per_day = held_minutes(session, resource_ids, *day, types, except_booking=except_booking)
    per_week = held_minutes(session, resource_ids, *week, types, except_booking=except_booking)
    return {rid: BookedMinutes(per_day.get(rid, 0), per_week.get(rid, 0)) for rid in resource_ids}
