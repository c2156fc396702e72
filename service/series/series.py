"""Series: plan (dry run), create, read; occurrences and exceptions. Changes: series_changes.

Every occurrence is a `Booking` with `series_id` and `recurrence_start`, holding its resources
like a single booking, so the database forbids double-booking occurrence by occurrence; a
series' occurrences are checked together under the resources' locks and inserted in one batch. Days the office is closed (public holidays, closures) are skipped, not replaced,
and kept as the series' exceptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from service import feeds
from service.booking.audit import booking_image, record_change, record_changes
from service.booking.bookings import (
    Actor,
    check_rules,
    check_span,
    get_office,
    load_resources,
)
from service.booking.calendar_rules import closed_reason
from service.booking.holds import (
    blocked_until,
    conflicts_among,
    find_conflicts,
    holds_near,
    lock_resources,
)
from service.booking.policy import BookingPolicy
from service.booking.time_rules import check_not_past, check_year_range
from service.directory.languages import check_language
from service.interpreters.interpreter_checks import person_rules, series_hour_rules
from service.interpreters.interpreter_rules import Breach, InterpreterOverride, Needs, decide
from service.models import Booking, Hold, Office, Resource, Series, SeriesException
from service.models.series import MAX_ID, SERIES_TYPES
from service.plumbing.clock import sofia_iso, to_sofia, utcnow
from service.plumbing.errors import Conflict, Invalid, NotFound
from service.series.recurrence import (
    normal_form,
    to_instants,
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
    reminder_offsets: Sequence[float] | None = None
    interpreter_override: bool = False
    interpreter_override_reason: str | None = None


@dataclass(frozen=True)
class PlannedOccurrence:
    starts_at: datetime
    ends_at: datetime
    clashes: list[dict[str, Any]]
    # The interpreters' hour limits it would pass, earlier free occurrences counted.
    limits: tuple[Breach, ...] = ()


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
            clash | {"occurrence_starts_at": sofia_iso(o.starts_at)}
            for o in self.occurrences
            for clash in o.clashes
        ]


MAX_REMINDERS = 5
MAX_REMINDER_HOURS = 14 * 24


def reminder_hours(offsets: Sequence[float] | None) -> list[float] | None:
    """Check a series' reminder offsets (hours before each class); return them latest first.

    None keeps the configured default; an empty list means no reminders.
    """
    if offsets is None:
        return None
    if len(offsets) > MAX_REMINDERS:
        raise Invalid("reminder_offsets", f"At most {MAX_REMINDERS} reminders per class.").coded(
            "reminders_too_many", count=MAX_REMINDERS
        )
    for hours in offsets:
        if isinstance(hours, bool) or not isinstance(hours, int | float):
            raise Invalid(
                "reminder_offsets", "Give each reminder as hours before the class."
            ).coded("reminder_hours_format")
        if not 0 < hours <= MAX_REMINDER_HOURS:
            raise Invalid(
                "reminder_offsets",
                f"A reminder comes more than 0 and at most {MAX_REMINDER_HOURS} hours before.",
            ).coded("reminder_hours_range", hours=MAX_REMINDER_HOURS)
    if len(set(offsets)) != len(offsets):
        raise Invalid("reminder_offsets", "Give each reminder time once.").coded("reminder_twice")
    return sorted((float(hours) for hours in offsets), reverse=True)


def _check_request(request: SeriesRequest, policy: BookingPolicy, now: datetime) -> None:
    check_year_range(starts_at=request.starts_at, ends_at=request.ends_at)
    if request.type not in SERIES_TYPES:
        raise Invalid("type", f"Unknown series type; one of {', '.join(SERIES_TYPES)}.").coded(
            "series_type_unknown"
        )
    if not request.title.strip():
        raise Invalid("title", "A series needs a title.").coded("title_required")
    if request.capacity is not None and request.capacity < 1:
        raise Invalid("capacity", "Capacity is at least 1.").coded("capacity_min")
    if not request.resource_ids:
        raise Invalid("resource_ids", "A series holds at least one resource.").coded(
            "resources_required"
        )
    for code in request.languages:
        check_language("languages", code)
    reminder_hours(request.reminder_offsets)
    check_span(request.starts_at, request.ends_at, policy)
    check_not_past("starts_at", request.starts_at, now, policy.past_grace)
    if to_sofia(request.starts_at).date() != to_sofia(request.ends_at).date():
        raise Invalid("ends_at", "An occurrence starts and ends on the same day.").coded(
            "class_one_day"
        )


def _plain(value: Any) -> Any:
    """A refusal's parameter as JSON can carry it (a day as ISO text)."""
    return value.isoformat() if isinstance(value, date) else value


def occurrence_clashes(
    session: Session,
    office: Office,
    resources: Sequence[Resource],
    starts_at: datetime,
    ends_at: datetime,
    policy: BookingPolicy,
    ignore_booking_id: int | None = None,
    held: list[Hold] | None = None,
) -> list[dict[str, Any]]:
    """List what stops one occurrence: hours, time off and other holds (with buffer, travel).

    `held`, when given, are the resources' holds around every date (`holds_near`), loaded once.
    """
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
                "starts_at": sofia_iso(starts_at),
                "ends_at": sofia_iso(ends_at),
                "reason": "hours",
                "message": exc.message,
                "code": exc.code,
                "params": {k: _plain(v) for k, v in exc.params.items()},
            }
        )
    except Conflict as exc:
        found.extend(exc.conflicts)
    if held is None:
        found += find_conflicts(
            session,
            resources,
            starts_at,
            ends_at,
            office_code=office.code,
            in_person=True,
            policy=policy,
            ignore_booking_id=ignore_booking_id,
        )
    else:
        found += conflicts_among(
            held,
            resources,
            starts_at,
            ends_at,
            office_code=office.code,
            in_person=True,
            policy=policy,
        )
    return found


def plan_series(
    session: Session, request: SeriesRequest, policy: BookingPolicy, now: datetime | None = None
) -> Plan:
    """Expand the rule, skip closed days and list each occurrence's clashes; write nothing."""
    _check_request(request, policy, now or utcnow())
    office = get_office(session, request.office)
    resources = load_resources(session, request.resource_ids, "resource_ids")
    for room in (r for r in resources if r.kind == "room"):
        if room.room_office_id != office.id:
            raise Invalid(
                "resource_ids", f"Room {room.id} is not in the {office.code} office."
            ).coded("room_not_in_office", resource=room.id, office=office.code)
    first = wall_time(request.starts_at)
    duration = wall_time(request.ends_at) - first
    plan = Plan(request, office, resources)
    open_dates = []
    for start in wall_starts(request.rrule, first):
        starts_at, ends_at = to_instants(start, duration)
        reason = closed_reason(office, start.date())
        if reason:
            plan.skipped.append(SkippedDate(start.date(), starts_at, reason))
        else:
            open_dates.append((starts_at, ends_at))
    ids = [r.id for r in resources]
    held = (
        holds_near(
            session, ids, min(s for s, _ in open_dates), max(e for _, e in open_dates), policy
        )
        if open_dates
        else []
    )
    for starts_at, ends_at in open_dates:
        clashes = occurrence_clashes(
            session, office, resources, starts_at, ends_at, policy, held=held
        )
        plan.occurrences.append(PlannedOccurrence(starts_at, ends_at, clashes))
    _add_hour_limits(session, plan, policy)
    if not plan.occurrences:
        raise Invalid("rrule", "Every date of the rule falls on a day the office is closed.").coded(
            "rule_all_closed"
        )
    return plan


def _add_hour_limits(session: Session, plan: Plan, policy: BookingPolicy) -> None:
    """Note on each free occurrence the interpreters' hour limits it would pass."""
    free = [o for o in plan.occurrences if not o.clashes]
    spans = [(o.starts_at, o.ends_at) for o in free]
    hours = series_hour_rules(session, plan.resources, plan.request.type, spans, policy)
    passed = {o.starts_at: tuple(breaches) for o, breaches in zip(free, hours, strict=True)}
    plan.occurrences = [replace(o, limits=passed.get(o.starts_at, ())) for o in plan.occurrences]


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
    now: datetime | None = None,
    needs: Sequence[Needs] = (),
) -> tuple[Series, Plan]:
    """Create a series and book every occurrence, or none when one clashes (unless skipping).

    Its interpreters must meet the `needs` of those who will attend (a series carried on
    from another) and their hour limits on each occurrence's day and week, unless the
    request overrides them; the override is stored on the occurrences that needed it.
    """
    lock_resources(session, request.resource_ids)
    plan = plan_series(session, request, policy, now)
    override = InterpreterOverride(
        request.interpreter_override, request.interpreter_override_reason
    )
    override.checked()  # a missing reason is refused before anything is written
    people = person_rules(plan.resources, needs, request.type)
    clashes = plan.clashes
    kept = [o for o in plan.occurrences if not o.clashes]
    if clashes and (not skip_clashes or not kept):
        total = len(plan.occurrences)
        raise Conflict(
            f"{total - len(kept)} of {total} occurrences clash; nothing was booked.", clashes
        ).coded("classes_clash", clashing=total - len(kept), total=total)
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
        reminder_offsets=reminder_hours(request.reminder_offsets),
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
    _book_occurrences(session, series, plan, kept, actor, policy, now, (people, override))
    record_change(
        session,
        actor=actor.name,
        action="create",
        entity="series",
        entity_id=series.id,
        before=None,
        after=series.image(),
    )
    feeds.refresh_series(session, series)
    return series, plan


def _book_occurrences(
    session: Session,
    series: Series,
    plan: Plan,
    kept: list[PlannedOccurrence],
    actor: Actor,
    policy: BookingPolicy,
    now: datetime,
    matching: tuple[list[Breach], InterpreterOverride],
) -> None:
    """Book the free occurrences with their holds, feed rows and audit: one INSERT per table.

    `matching` is what the interpreters break for those who will attend, and the override:
    with the hour limits the plan found for each occurrence, an occurrence is refused or
    stores the rules it was allowed to break.

    The plan found each of them free under the resources' locks this transaction holds, so
    they are not checked again one by one (on PostgreSQL the exclusion constraint still
    backs the rule).  One day never has two occurrences, but their holds are checked against
    each other all the same, as the database would.
    """
    _check_apart(kept, plan.resources, policy)
    people, override = matching
    matched = [decide(people + list(o.limits), override) for o in kept]
    bookings = [
        Booking(
            type=series.type,
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
            public=series.public,
            interpreter_override_rules=allowed.rules,
            interpreter_override_reason=allowed.reason,
            attendee_rows=[],  # new: nothing to load
            holds=[
                Hold(
                    resource_id=resource.id,
                    starts_at=occurrence.starts_at,
                    ends_at=occurrence.ends_at,
                    blocked_until=blocked_until(resource, occurrence.ends_at, policy),
                    active=True,
                )
                for resource in plan.resources
            ],
        )
        for occurrence, allowed in zip(kept, matched, strict=True)
    ]
    session.add_all(bookings)
    try:
        session.flush()
    except IntegrityError as exc:  # the exclusion constraint caught a race
        raise Conflict("A resource was booked by someone else at the same moment.") from exc
    feeds.refresh_new_bookings(session, bookings)
    record_changes(
        session,
        actor=actor.name,
        action="create",
        entity="booking",
        changes=[
            (booking.id, None, booking_image(booking) | {"series_id": series.id})
            for booking in bookings
        ],
    )


def _check_apart(
    kept: list[PlannedOccurrence], resources: Sequence[Resource], policy: BookingPolicy
) -> None:
    """Refuse occurrences whose holds would overlap one another (buffer included)."""
    ordered = sorted(kept, key=lambda o: o.starts_at)
    for earlier, later in pairwise(ordered):
        if any(blocked_until(r, earlier.ends_at, policy) > later.starts_at for r in resources):
            raise Invalid("rrule", "Two occurrences of the rule overlap.")


def get_series(session: Session, series_id: int) -> Series:
    series = (
        session.get(Series, series_id, options=[selectinload(Series.exceptions)])
        if 0 < series_id <= MAX_ID
        else None
    )
    if series is None:
        raise NotFound(f"No series with id {series_id}.").coded("series_unknown")
    return series


def list_occurrences(
    session: Session,
    series: Series,
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[Booking]:
    """Return the series' occurrences (cancelled ones too), earliest first, within a window."""
    check_year_range(start=start, end=end)
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
    booking = (
        session.get(Booking, booking_id, options=[selectinload(Booking.holds)])
        if 0 < booking_id <= MAX_ID
        else None
    )
    if booking is None or booking.series_id != series.id:
        raise NotFound(f"Series {series.id} has no occurrence {booking_id}.").coded("class_unknown")
    return booking


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


def list_series(
    session: Session, within: ColumnElement[bool] | None = None, **filters: Any
) -> list[Series]:
    """List series filtered by office code, type, status and public flag, earliest first;
    `within` narrows to what the caller may see."""
    query = (
        select(Series).options(selectinload(Series.office)).order_by(Series.starts_at, Series.id)
    )
    if within is not None:
        query = query.where(within)
    if "office" in filters:
        query = query.where(Series.office.has(Office.code == filters["office"]))
    for name in ("type", "status", "public"):
        if name in filters:
            query = query.where(getattr(Series, name) == filters[name])
    return list(session.scalars(query))
