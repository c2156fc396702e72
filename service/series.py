"""Series operations: plan (dry run), create, list occurrences, cancel, move, end early, split.

Every occurrence is a `Booking` with `series_id` and `recurrence_start`, holding its resources
through `place_holds` like a single booking, so the database forbids double-booking occurrence
by occurrence. Days the office is closed (public holidays, closures) are skipped, not replaced,
and kept as the series' exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.audit import booking_image, record_change
from service.bookings import (
    Actor,
    change_status,
    check_rules,
    check_span,
    get_office,
    load_resources,
    place_holds,
    reschedule_booking,
)
from service.calendar_rules import closed_reason
from service.clock import sofia_instant, to_sofia, utcnow
from service.enrolment import carry_over, promote_waitlist
from service.errors import Conflict, Invalid, InvalidTransition, NotFound
from service.holds import find_conflicts, lock_resources
from service.languages import check_language
from service.models import Booking, Office, Resource, Series, SeriesException
from service.models.series import OPEN_STATUSES, SERIES_TYPES
from service.policy import BookingPolicy
from service.recurrence import (
    join_rule,
    normal_form,
    remaining_count,
    split_rule,
    to_instants,
    utc_until,
    wall_starts,
    wall_time,
)

LIVE = ("tentative", "confirmed")


@dataclass(frozen=True)
class SeriesRequest:
    type: str
    office: str
    title: str
    rrule: str
    starts_at: datetime
    ends_at: datetime
    resource_ids: Sequence[int]
    capacity: int | None = None
    public: bool = False
    languages: Sequence[str] = ()
    description: str | None = None


@dataclass(frozen=True)
class PlannedOccurrence:
    starts_at: datetime
    ends_at: datetime
    clashes: list[dict[str, Any]]


@dataclass(frozen=True)
class SkippedDate:
    date: date
    starts_at: datetime
    reason: str


@dataclass
class Plan:
    """The occurrences a request would create, each with its clashes, and the skipped dates."""

    request: SeriesRequest
    office: Office
    resources: list[Resource]
    occurrences: list[PlannedOccurrence] = field(default_factory=list)
    skipped: list[SkippedDate] = field(default_factory=list)

    @property
    def clashes(self) -> list[dict[str, Any]]:
        """Every clash, each naming the occurrence it belongs to."""
        return [
            clash | {"occurrence_starts_at": to_sofia(o.starts_at).isoformat()}
            for o in self.occurrences
            for clash in o.clashes
        ]


def _check_request(request: SeriesRequest, policy: BookingPolicy) -> None:
    if request.type not in SERIES_TYPES:
        raise Invalid("type", f"Unknown series type; one of {', '.join(SERIES_TYPES)}.")
    if not request.title.strip():
        raise Invalid("title", "A series needs a title.")
    if request.capacity is not None and request.capacity < 1:
        raise Invalid("capacity", "Capacity is at least 1.")
    if not request.resource_ids:
        raise Invalid("resource_ids", "A series holds at least one resource.")
    for code in request.languages:
        check_language("languages", code)
    check_span(request.starts_at, request.ends_at, policy)
    if to_sofia(request.starts_at).date() != to_sofia(request.ends_at).date():
        raise Invalid("ends_at", "An occurrence starts and ends on the same day.")


def occurrence_clashes(
    session: Session,
    office: Office,
    resources: Sequence[Resource],
    starts_at: datetime,
    ends_at: datetime,
    policy: BookingPolicy,
    ignore_booking_id: int | None = None,
) -> list[dict[str, Any]]:
    """List what stops one occurrence: hours, time off and other holds (with buffer, travel)."""
    found: list[dict[str, Any]] = []
    try:
        check_rules(
            session,
            office=office,
            resources=resources,
            starts_at=starts_at,
            ends_at=ends_at,
            modality="in_person",
            override=False,
        )
    except Invalid as exc:
        found.append(
            {
                "resource_id": None,
                "booking_id": None,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "reason": "hours",
                "message": exc.message,
            }
        )
    except Conflict as exc:
        found.extend(exc.conflicts)
    found.extend(
        find_conflicts(
            session,
            resources,
            starts_at,
            ends_at,
            office_code=office.code,
            in_person=True,
            policy=policy,
            ignore_booking_id=ignore_booking_id,
        )
    )
    return found


def plan_series(session: Session, request: SeriesRequest, policy: BookingPolicy) -> Plan:
    """Expand the rule, skip closed days and list each occurrence's clashes; write nothing."""
    _check_request(request, policy)
    office = get_office(session, request.office)
    resources = load_resources(session, request.resource_ids, "resource_ids")
    for room in (r for r in resources if r.kind == "room"):
        if room.room_office_id != office.id:
            raise Invalid("resource_ids", f"Room {room.id} is not in the {office.code} office.")
    first = wall_time(request.starts_at)
    duration = wall_time(request.ends_at) - first
    plan = Plan(request, office, resources)
    for start in wall_starts(request.rrule, first):
        starts_at, ends_at = to_instants(start, duration)
        reason = closed_reason(office, start.date())
        if reason:
            plan.skipped.append(SkippedDate(start.date(), starts_at, reason))
            continue
        clashes = occurrence_clashes(session, office, resources, starts_at, ends_at, policy)
        plan.occurrences.append(PlannedOccurrence(starts_at, ends_at, clashes))
    if not plan.occurrences:
        raise Invalid("rrule", "Every date of the rule falls on a day the office is closed.")
    return plan


def _clash_reason(clashes: list[dict[str, Any]]) -> str:
    first = clashes[0]
    if first.get("booking_id") is not None:
        return f"clash: resource {first['resource_id']} held by booking {first['booking_id']}"
    return f"clash: {first.get('message') or first.get('reason')}"


def create_series(
    session: Session,
    request: SeriesRequest,
    actor: Actor,
    policy: BookingPolicy,
    *,
    skip_clashes: bool = False,
    parent: Series | None = None,
) -> tuple[Series, Plan]:
    """Create a series and book every occurrence, or none when one clashes (unless skipping)."""
    lock_resources(session, request.resource_ids)
    plan = plan_series(session, request, policy)
    clashes = plan.clashes
    kept = [o for o in plan.occurrences if not o.clashes]
    if clashes and (not skip_clashes or not kept):
        total = len(plan.occurrences)
        raise Conflict(
            f"{total - len(kept)} of {total} occurrences clash; nothing was booked.", clashes
        )
    now = utcnow()
    first = to_sofia(request.starts_at)
    series = Series(
        type=request.type,
        office=plan.office,
        title=request.title.strip(),
        rrule=normal_form(request.rrule),
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        local_start=first.time().replace(tzinfo=None),
        duration_minutes=int((request.ends_at - request.starts_at) / timedelta(minutes=1)),
        capacity=request.capacity,
        resource_ids=list(request.resource_ids),
        public=request.public,
        languages=list(request.languages),
        description=request.description,
        status="active",
        parent_id=parent.id if parent is not None else None,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
    )
    series.exceptions = [
        SeriesException(day=s.date, recurrence_start=s.starts_at, reason=s.reason)
        for s in plan.skipped
    ] + [
        SeriesException(
            day=to_sofia(o.starts_at).date(),
            recurrence_start=o.starts_at,
            reason=_clash_reason(o.clashes),
        )
        for o in plan.occurrences
        if o.clashes
    ]
    session.add(series)
    session.flush()
    for occurrence in kept:
        booking = Booking(
            type=request.type,
            office=plan.office,
            modality="in_person",
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            status="confirmed",
            override=False,
            created_by=actor.name,
            created_at=now,
            updated_at=now,
            series_id=series.id,
            recurrence_start=occurrence.starts_at,
        )
        session.add(booking)
        place_holds(session, booking, plan.resources, policy)
        record_change(
            session,
            actor=actor.name,
            action="create",
            entity="booking",
            entity_id=booking.id,
            before=None,
            after=booking_image(booking) | {"series_id": series.id},
        )
    record_change(
        session,
        actor=actor.name,
        action="create",
        entity="series",
        entity_id=series.id,
        before=None,
        after=series.image(),
    )
    return series, plan


def get_series(session: Session, series_id: int) -> Series:
    series = session.get(Series, series_id, options=[selectinload(Series.exceptions)])
    if series is None:
        raise NotFound(f"No series with id {series_id}.")
    return series


def list_occurrences(
    session: Session,
    series: Series,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Booking]:
    """Return the series' occurrences (cancelled ones too), earliest first, within a window."""
    query = (
        select(Booking)
        .where(Booking.series_id == series.id)
        .options(selectinload(Booking.holds))
        .order_by(Booking.starts_at, Booking.id)
    )
    if start is not None:
        query = query.where(Booking.ends_at > start)
    if end is not None:
        query = query.where(Booking.starts_at < end)
    return list(session.scalars(query))


def get_occurrence(session: Session, series: Series, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id, options=[selectinload(Booking.holds)])
    if booking is None or booking.series_id != series.id:
        raise NotFound(f"Series {series.id} has no occurrence {booking_id}.")
    return booking


def _not_started(booking: Booking, now: datetime, what: str) -> None:
    if booking.starts_at <= now:
        raise InvalidTransition(f"An occurrence that has already started cannot be {what}.")


def cancel_occurrence(
    session: Session,
    series: Series,
    booking: Booking,
    actor: Actor,
    reason: str,
    now: datetime | None = None,
) -> Booking:
    """Cancel one occurrence that has not started; the rest of the series is untouched."""
    _not_started(booking, now or utcnow(), "cancelled")
    return change_status(session, booking, "cancel", actor, reason=reason)


def move_occurrence(
    session: Session,
    series: Series,
    booking: Booking,
    *,
    starts_at: datetime,
    ends_at: datetime,
    resource_ids: Sequence[int] | None,
    version: int | None,
    actor: Actor,
    policy: BookingPolicy,
    now: datetime | None = None,
) -> Booking:
    """Move one occurrence in time, room or teacher; it keeps its place in the rule."""
    moment = now or utcnow()
    _not_started(booking, moment, "moved")
    if starts_at <= moment:
        raise Invalid("starts_at", "An occurrence cannot be moved into the past.")
    return reschedule_booking(
        session,
        booking,
        version=booking.version if version is None else version,
        starts_at=starts_at,
        ends_at=ends_at,
        resource_ids=resource_ids,
        actor=actor,
        policy=policy,
    )


def _cancel_from(
    session: Session,
    series: Series,
    since: datetime,
    actor: Actor,
    reason: str,
    now: datetime,
) -> int:
    """Cancel the live occurrences whose rule start is at or after `since`; count them."""
    cancelled = 0
    for booking in list_occurrences(session, series):
        origin = booking.recurrence_start or booking.starts_at
        if origin < since or booking.status not in LIVE:
            continue
        if booking.starts_at <= now:
            raise InvalidTransition(
                f"Occurrence {booking.id} has already started; past occurrences are kept."
            )
        change_status(session, booking, "cancel", actor, reason=reason)
        cancelled += 1
    return cancelled


def _require_open(series: Series) -> None:
    if series.status not in OPEN_STATUSES:
        raise InvalidTransition(f"The series is {series.status}.")


def cancel_series(
    session: Session, series: Series, actor: Actor, reason: str, now: datetime | None = None
) -> Series:
    """Cancel every occurrence still to come; those already held stay as they were."""
    _require_open(series)
    moment = now or utcnow()
    before = series.image()
    for booking in list_occurrences(session, series, start=moment):
        if booking.status in LIVE and booking.starts_at > moment:
            change_status(session, booking, "cancel", actor, reason=reason)
    series.status = "cancelled"
    series.updated_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="cancel",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image() | {"reason": reason},
    )
    return series


def _truncated_rule(series: Series, before: datetime) -> str:
    """Return the series' rule ending just before the instant `before` (UNTIL in UTC)."""
    parts = split_rule(series.rrule)
    parts.pop("COUNT", None)
    parts["UNTIL"] = utc_until(before - timedelta(seconds=1))
    return join_rule(parts)


def end_series(
    session: Session,
    series: Series,
    last_day: date,
    actor: Actor,
    now: datetime | None = None,
) -> Series:
    """End a series after `last_day`: later occurrences are cancelled, the rule gets an UNTIL."""
    _require_open(series)
    moment = now or utcnow()
    occurrences = list_occurrences(session, series)
    later = [
        b for b in occurrences if to_sofia(b.recurrence_start or b.starts_at).date() > last_day
    ]
    if not [b for b in later if b.status in LIVE]:
        raise Invalid("last_day", "The series has no occurrence after that day to end.")
    if last_day < to_sofia(series.starts_at).date():
        raise Invalid("last_day", "The series would end before it starts; cancel it instead.")
    if any(b.starts_at <= moment and b.status in LIVE for b in later):
        raise Invalid("last_day", "Occurrences after that day have already been held.")
    cut = sofia_instant(last_day + timedelta(days=1), time(0))
    before = series.image()
    _cancel_from(session, series, cut, actor, "The series ended early.", moment)
    series.rrule = _truncated_rule(series, cut)
    series.status = "ended"
    series.updated_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="end",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image(),
    )
    return series


@dataclass(frozen=True)
class SplitChanges:
    """What changes from an occurrence on; anything left None is carried over."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    rrule: str | None = None
    resource_ids: Sequence[int] | None = None
    title: str | None = None
    capacity: int | None = None
    public: bool | None = None
    languages: Sequence[str] | None = None


def split_series(
    session: Session,
    series: Series,
    booking: Booking,
    changes: SplitChanges,
    actor: Actor,
    policy: BookingPolicy,
    *,
    skip_clashes: bool = False,
    now: datetime | None = None,
) -> Series:
    """Change "this and all following": end the series before `booking`, continue in a new one.

    The new series keeps the rest of the rule (COUNT shrinks to what is left) unless `changes`
    gives another; enrolments move over in their order. Occurrences already held stay put.
    """
    _require_open(series)
    moment = now or utcnow()
    since = booking.recurrence_start or booking.starts_at
    _not_started(booking, moment, "split off")
    if (changes.starts_at is None) != (changes.ends_at is None):
        raise Invalid("ends_at", "Give both starts_at and ends_at, or neither.")
    starts_at = changes.starts_at or since
    ends_at = changes.ends_at or since + (series.ends_at - series.starts_at)
    if changes.rrule is not None:
        rule = changes.rrule
    else:
        parts = split_rule(series.rrule)
        if "COUNT" in parts:
            parts["COUNT"] = str(
                remaining_count(series.rrule, wall_time(series.starts_at), wall_time(since))
            )
        rule = join_rule(parts)
    request = SeriesRequest(
        type=series.type,
        office=series.office_code,
        title=changes.title or series.title,
        rrule=rule,
        starts_at=starts_at,
        ends_at=ends_at,
        resource_ids=list(changes.resource_ids or series.resource_ids),
        capacity=changes.capacity if changes.capacity is not None else series.capacity,
        public=series.public if changes.public is None else changes.public,
        languages=list(series.languages if changes.languages is None else changes.languages),
        description=series.description,
    )
    before = series.image()
    _cancel_from(session, series, since, actor, "Changed from here on (series split).", moment)
    series.rrule = _truncated_rule(series, since)
    series.status = "split"
    series.updated_at = utcnow()
    session.flush()
    successor, _plan = create_series(
        session, request, actor, policy, skip_clashes=skip_clashes, parent=series
    )
    carry_over(session, series, successor, actor, moment)
    record_change(
        session,
        actor=actor.name,
        action="split",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image() | {"successor_id": successor.id},
    )
    return successor


EDITABLE = ("title", "description", "capacity", "public", "languages")


def update_series(
    session: Session, series: Series, changes: dict[str, Any], actor: Actor
) -> Series:
    """Change what does not move any occurrence: title, description, capacity, public, languages.

    A larger capacity gives the new seats to the waitlist at once; a smaller one takes no seat
    away from anyone already enrolled.
    """
    _require_open(series)
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise Invalid(unknown[0], "This cannot be changed here; move, split or end the series.")
    if "title" in changes and not str(changes["title"]).strip():
        raise Invalid("title", "A series needs a title.")
    if changes.get("capacity") is not None and changes["capacity"] < 1:
        raise Invalid("capacity", "Capacity is at least 1.")
    for code in changes.get("languages") or ():
        check_language("languages", code)
    before = series.image()
    for name, value in changes.items():
        setattr(series, name, list(value) if name == "languages" else value)
    series.updated_at = utcnow()
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="update",
        entity="series",
        entity_id=series.id,
        before=before,
        after=series.image(),
    )
    promote_waitlist(session, series, actor)
    return series


def exceptions_of(session: Session, series: Series) -> list[dict[str, Any]]:
    """List the dates the rule gives but the series does not meet as planned, by date.

    `skipped` dates were never booked (holiday, closure, clash); `cancelled` and `moved`
    occurrences were booked and changed later.
    """
    rows: list[dict[str, Any]] = [
        {
            "date": e.day,
            "recurrence_start": e.recurrence_start,
            "kind": "skipped",
            "reason": e.reason,
            "occurrence_id": None,
        }
        for e in series.exceptions
    ]
    for booking in list_occurrences(session, series):
        origin = booking.recurrence_start or booking.starts_at
        if booking.status == "cancelled":
            kind, reason = "cancelled", booking.cancel_reason or ""
        elif booking.starts_at != origin or booking.ends_at - booking.starts_at != (
            series.ends_at - series.starts_at
        ):
            kind, reason = "moved", f"moved to {to_sofia(booking.starts_at).isoformat()}"
        else:
            continue
        rows.append(
            {
                "date": to_sofia(origin).date(),
                "recurrence_start": origin,
                "kind": kind,
                "reason": reason,
                "occurrence_id": booking.id,
            }
        )
    return sorted(rows, key=lambda row: row["recurrence_start"])


def list_series(session: Session, **filters: Any) -> list[Series]:
    """List series filtered by office code, type, status and public flag, earliest first."""
    query = (
        select(Series).options(selectinload(Series.office)).order_by(Series.starts_at, Series.id)
    )
    if "office" in filters:
        query = query.where(Series.office.has(Office.code == filters["office"]))
    for name in ("type", "status", "public"):
        if name in filters:
            query = query.where(getattr(Series, name) == filters[name])
    return list(session.scalars(query))
