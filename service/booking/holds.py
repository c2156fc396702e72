"""Holds on resources: locking, overlap with buffers, travel between offices.

`overlaps` is the pure rule; `find_conflicts` is its SQL twin, run under a per-resource lock
(PostgreSQL advisory locks; SQLite serializes writers with BEGIN IMMEDIATE). On PostgreSQL an
exclusion constraint on `holds` backs the rule up whatever happens in application code.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, select, text
from sqlalchemy.orm import Session, selectinload

from service.booking.policy import BookingPolicy
from service.models import Booking, Hold, Resource
from service.plumbing.clock import sofia_iso


def overlaps(start_a: datetime, end_a: datetime, start_b: datetime, end_b: datetime) -> bool:
    """Tell whether two half-open intervals [start, end) share an instant."""
    return start_a < end_b and start_b < end_a


def blocked_until(resource: Resource, ends_at: datetime, policy: BookingPolicy) -> datetime:
    """Return the end of a hold widened by the buffer a person needs after a booking."""
    return ends_at + policy.buffer if resource.is_person else ends_at


def lock_resources(session: Session, resource_ids: Iterable[int]) -> None:
    """Serialize bookings of these resources until the transaction ends."""
    if session.get_bind().dialect.name != "postgresql":
        return  # SQLite: every transaction is BEGIN IMMEDIATE, a single writer at a time.
    keys = sorted(set(resource_ids))
    if len(keys) == 1:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": keys[0]})
    elif keys:
        # One round trip; the ordered subquery takes the locks in ascending order.
        session.execute(
            text(
                "SELECT pg_advisory_xact_lock(k) FROM "
                "(SELECT k FROM unnest(CAST(:keys AS bigint[])) AS k ORDER BY k) AS ordered"
            ),
            {"keys": keys},
        )


def conflict_entry(hold: Hold, reason: str = "overlap") -> dict[str, Any]:
    return {
        "resource_id": hold.resource_id,
        "booking_id": hold.booking_id,
        "starts_at": sofia_iso(hold.starts_at),
        "ends_at": sofia_iso(hold.ends_at),
        "reason": reason,
    }


def find_conflicts(
    session: Session,
    resources: Sequence[Resource],
    starts_at: datetime,
    ends_at: datetime,
    *,
    office_code: str | None,
    in_person: bool,
    policy: BookingPolicy,
    ignore_booking_id: int | None = None,
) -> list[dict[str, Any]]:
    """List the active holds these resources have that a new hold would collide with."""
    if not resources:
        return []
    held = holds_near(
        session, [r.id for r in resources], starts_at, ends_at, policy, ignore_booking_id
    )
    return conflicts_among(
        held,
        resources,
        starts_at,
        ends_at,
        office_code=office_code,
        in_person=in_person,
        policy=policy,
    )


def _reach(policy: BookingPolicy) -> timedelta:
    """How far from a booking another hold can still collide with it (buffer or travel)."""
    return max(policy.buffer, policy.longest_travel) + timedelta(minutes=1)


def holds_near(
    session: Session,
    resource_ids: Sequence[int],
    starts_at: datetime,
    ends_at: datetime,
    policy: BookingPolicy,
    ignore_booking_id: int | None = None,
) -> list[Hold]:
    """Load, by start, the active holds of these resources that may collide with [starts_at, ends_at).

    A series loads them once for all its dates and checks each date with `conflicts_among`.
    """
    reach = _reach(policy)
    query = (
        select(Hold)
        # selectinload, not joinedload: with no lower bound on starts_at the planner expects
        # many holds and joins them to all bookings by a sequential scan as the table grows.
        .options(selectinload(Hold.booking).joinedload(Booking.office))
        .where(
            Hold.resource_id.in_(resource_ids),
            Hold.active.is_(True),
            and_(Hold.starts_at < ends_at + reach, Hold.blocked_until > starts_at - reach),
        )
        .order_by(Hold.starts_at)
    )
    if ignore_booking_id is not None:
        query = query.where(Hold.booking_id != ignore_booking_id)
    return list(session.scalars(query).unique())


def conflicts_among(
    held: Iterable[Hold],
    resources: Sequence[Resource],
    starts_at: datetime,
    ends_at: datetime,
    *,
    office_code: str | None,
    in_person: bool,
    policy: BookingPolicy,
) -> list[dict[str, Any]]:
    """List the holds of `held` that a new hold of these resources would collide with."""
    reach = _reach(policy)
    by_id = {r.id: r for r in resources}
    conflicts = []
    for hold in held:
        resource = by_id.get(hold.resource_id)
        if resource is None or not (
            hold.starts_at < ends_at + reach and hold.blocked_until > starts_at - reach
        ):
            continue
        new_until = blocked_until(resource, ends_at, policy)
        if overlaps(starts_at, new_until, hold.starts_at, hold.blocked_until):
            conflicts.append(conflict_entry(hold))
        elif (
            resource.is_person
            and in_person
            and _too_far(hold, starts_at, ends_at, office_code, policy)
        ):
            conflicts.append(conflict_entry(hold, "travel"))
    return conflicts


def _too_far(
    hold: Hold,
    starts_at: datetime,
    ends_at: datetime,
    office_code: str | None,
    policy: BookingPolicy,
) -> bool:
    """Tell whether a person cannot drive between `hold` and a new in-person booking."""
    other = hold.booking
    if office_code is None or other.modality != "in_person" or other.office is None:
        return False
    travel = policy.travel(other.office.code, office_code)
    if travel <= policy.buffer:
        return False
    if hold.ends_at <= starts_at:
        return hold.ends_at + travel > starts_at
    return ends_at + travel > hold.starts_at
