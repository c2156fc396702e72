"""Booking operations: create, confirm, cancel, reschedule, complete, mark a no-show."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload, selectinload

from service import feeds
from service.booking.audit import booking_image, record_change
from service.booking.calendar_rules import closed_reason, within_opening_hours, within_working_hours
from service.booking.holds import blocked_until, find_conflicts, lock_resources
from service.booking.links import check_remote_link
from service.booking.policy import BookingPolicy
from service.booking.time_rules import check_not_past, check_record_past, check_year_range
from service.directory import reference_cache
from service.interpreters.interpreter_checks import (
    Sitting,
    check_interpreters,
    recheck_interpreters,
)
from service.interpreters.interpreter_needs import load_needs
from service.interpreters.interpreter_rules import InterpreterOverride, Needs, Overridden
from service.interpreters.language_match import LanguageOverride, check_language_match
from service.models import (
    AvoidedInterpreter,
    Beneficiary,
    Booking,
    BookingBeneficiary,
    Hold,
    Office,
    Resource,
)
from service.models.booking import BOOKING_TYPES
from service.models.resource import MODALITIES
from service.notify import outbox
from service.plumbing.clock import sofia_iso, to_sofia, utcnow
from service.plumbing.errors import Conflict, Invalid, InvalidTransition, NotFound, StaleVersion


@dataclass(frozen=True)
class BookingRequest:
    type: str
    starts_at: datetime
    ends_at: datetime
    resource_ids: Sequence[int]
    office: str | None = None
    beneficiary_ids: Sequence[int] = ()
    location: str | None = None
    modality: str = "in_person"
    remote_link: str | None = None
    notes: str | None = None
    status: str = "confirmed"
    override: bool = False
    public: bool = False
    record_past: bool = False
    record_past_reason: str | None = None
    language_override: bool = False
    language_override_reason: str | None = None
    interpreter_override: bool = False
    interpreter_override_reason: str | None = None


@dataclass(frozen=True)
class Actor:
    """Who is acting, as the audit log names them, and whether they may override hours and
    record a booking after the fact."""

    name: str
    may_override: bool = False
    may_record_past: bool = False


def check_span(starts_at: datetime, ends_at: datetime, policy: BookingPolicy) -> None:
    """Reject naive instants, years out of range, an end before the start, and zero or
    overlong durations."""
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise Invalid(
                name, "An instant needs an offset, such as 2027-03-01T10:00:00+02:00."
            ).coded("offset_missing")
    check_year_range(starts_at=starts_at, ends_at=ends_at)
    if ends_at <= starts_at:
        raise Invalid("ends_at", "The end must come after the start.").coded("end_before_start")
    if ends_at - starts_at > policy.max_duration:
        hours = policy.max_duration / timedelta(hours=1)
        raise Invalid("ends_at", f"A booking may last at most {hours:g} hours.").coded(
            "booking_too_long", hours=hours
        )


def get_office(session: Session, code: str, field_name: str = "office") -> Office:
    office = reference_cache.office(session, code)
    if office is None:
        raise Invalid(field_name, f"No office with code {code!r}.").coded(
            "office_unknown", office=code
        )
    return office


def load_resources(session: Session, ids: Sequence[int], field_name: str) -> list[Resource]:
    if len(set(ids)) != len(ids):
        raise Invalid(field_name, "A resource is listed twice.").coded("resource_twice")
    resources = reference_cache.resources(session, ids)
    found = {r.id for r in resources}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid(field_name, f"No resource with id {missing[0]}.").coded("resource_unknown")
    inactive = [r.id for r in resources if not r.active]
    if inactive:
        raise Invalid(field_name, f"Resource {inactive[0]} is no longer bookable.").coded(
            "resource_inactive", resource=inactive[0]
        )
    return sorted(resources, key=lambda r: ids.index(r.id))


# What a booking reads of its beneficiaries, loaded with them in one statement: their offices
# (the access policy), languages (the language rule), needs and avoided interpreters (the
# interpreter rules). A few rows each, so joined rather than one statement per collection.
WITH_BOOKING_FACTS = (
    joinedload(Beneficiary.offices),
    joinedload(Beneficiary.language_rows),
    joinedload(Beneficiary.needs_row),
    joinedload(Beneficiary.avoided_rows).load_only(AvoidedInterpreter.resource_id),
)


def load_beneficiaries(
    session: Session, ids: Sequence[int], loaded: Mapping[int, Beneficiary] | None = None
) -> list[Beneficiary]:
    """Return the beneficiaries with these ids, refusing unknown, erased and repeated ones.

    Those in `loaded` (read with `WITH_BOOKING_FACTS` by the access check) are not read again.
    """
    if len(set(ids)) != len(ids):
        raise Invalid("beneficiary_ids", "A beneficiary is listed twice.").coded(
            "beneficiary_twice"
        )
    if not ids:
        return []
    found = {i: b for i, b in (loaded or {}).items() if i in ids and _has_facts(b)}
    unread = [i for i in ids if i not in found]
    if unread:
        query = select(Beneficiary).where(Beneficiary.id.in_(unread))
        found |= {b.id: b for b in session.scalars(query.options(*WITH_BOOKING_FACTS)).unique()}
    missing = [i for i in ids if i not in found]
    if missing:
        raise Invalid("beneficiary_ids", f"No beneficiary with id {min(missing)}.").coded(
            "beneficiary_unknown_id"
        )
    rows = sorted((found[i] for i in ids), key=lambda b: b.id)  # as the database gave them
    erased = sorted(b.id for b in rows if b.erased_at is not None)
    if erased:
        raise Invalid("beneficiary_ids", f"The data of beneficiary {erased[0]} was erased.").coded(
            "beneficiary_erased", beneficiary=erased[0]
        )
    return rows


def _has_facts(beneficiary: Beneficiary) -> bool:
    return not inspect(beneficiary).unloaded & _FACTS


_FACTS = frozenset({"erased_at", "offices", "language_rows", "needs_row", "avoided_rows"})


def _check_place(request: BookingRequest, office: Office | None) -> None:
    if request.type not in BOOKING_TYPES:
        raise Invalid("type", f"Unknown booking type; one of {', '.join(BOOKING_TYPES)}.").coded(
            "booking_type_unknown"
        )
    if request.modality not in MODALITIES:
        raise Invalid("modality", f"Unknown modality; one of {', '.join(MODALITIES)}.").coded(
            "modality_unknown"
        )
    if request.public and request.type != "community_event":
        raise Invalid("public", "Only a community event can be public.").coded(
            "public_community_only"
        )
    if request.status not in ("tentative", "confirmed"):
        raise Invalid("status", "A new booking is tentative or confirmed.").coded(
            "new_booking_status"
        )
    if office is None and not request.location and request.modality == "in_person":
        raise Invalid("office", "An in-person booking needs an office or a location.").coded(
            "in_person_needs_place"
        )
    if request.modality != "in_person" and not request.remote_link:
        raise Invalid(
            "remote_link", "A phone or video booking needs its dial-in or video link."
        ).coded("remote_needs_link")
    check_remote_link(request.remote_link)


def check_rules(
    session: Session,
    *,
    office: Office | None,
    resources: Sequence[Resource],
    starts_at: datetime,
    ends_at: datetime,
    modality: str,
    override: bool,
    field_name: str = "resource_ids",
) -> None:
    """Check opening hours, holidays, rooms' offices, working hours and time off."""
    day = to_sofia(starts_at).date()
    for resource in resources:
        if resource.kind == "room":
            if office is None or resource.room_office_id != office.id:
                raise Invalid(field_name, f"Room {resource.id} is not in the booked office.").coded(
                    "room_elsewhere", resource=resource.id
                )
            if modality != "in_person":
                raise Invalid(field_name, "Only an in-person booking holds a room.").coded(
                    "room_in_person_only"
                )
    if not override:
        if office is not None:
            reason = closed_reason(office, day)
            if reason:
                raise Invalid(
                    "starts_at", f"The {office.code} office is closed that day ({reason})."
                ).coded("office_closed", office=office.code, day=day)
            if not within_opening_hours(office, starts_at, ends_at):
                raise Invalid(
                    "starts_at", f"Outside the opening hours of the {office.code} office."
                ).coded("outside_opening_hours", office=office.code)
        for person in (r for r in resources if r.is_person):
            works_at = office.id if office is not None and modality == "in_person" else None
            if not within_working_hours(person, works_at, starts_at, ends_at):
                raise Invalid(
                    field_name, f"Resource {person.id} does not work at that time."
                ).coded("not_working", resource=person.id)
    away = reference_cache.first_time_off(session, [r.id for r in resources], starts_at, ends_at)
    if away is not None:
        raise Conflict(
            f"Resource {away.resource_id} is away (time off).",
            [
                {
                    "resource_id": away.resource_id,
                    "booking_id": None,
                    "starts_at": sofia_iso(away.starts_at),
                    "ends_at": sofia_iso(away.ends_at),
                    "reason": "time_off",
                }
            ],
        ).coded("resource_away", resource=away.resource_id)


def place_holds(
    session: Session,
    booking: Booking,
    resources: Sequence[Resource],
    policy: BookingPolicy,
) -> None:
    """Hold every resource for the booking, all or none, or raise Conflict."""
    lock_resources(session, [r.id for r in resources])
    conflicts = find_conflicts(
        session,
        resources,
        booking.starts_at,
        booking.ends_at,
        office_code=booking.office.code if booking.office else None,
        in_person=booking.modality == "in_person",
        policy=policy,
        ignore_booking_id=booking.id,
    )
    if conflicts:
        first = conflicts[0]
        raise Conflict(
            f"Resource {first['resource_id']} is already held by booking {first['booking_id']}.",
            conflicts,
        ).coded("resource_held", resource=first["resource_id"], booking=first["booking_id"])
    booking.holds = [
        Hold(
            resource_id=r.id,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            blocked_until=blocked_until(r, booking.ends_at, policy),
            active=True,
        )
        for r in resources
    ]
    # No savepoint: SQLAlchemy flushes before it emits one, so it never covered this INSERT;
    # after a race the session must be rolled back, as every caller of a Conflict does.
    try:
        session.flush()
    except IntegrityError as exc:  # the exclusion constraint caught a race
        raise Conflict("A resource was booked by someone else at the same moment.").coded(
            "resource_raced"
        ) from exc


def create_booking(
    session: Session,
    request: BookingRequest,
    actor: Actor,
    policy: BookingPolicy,
    loaded: Mapping[int, Beneficiary] | None = None,
) -> Booking:
    """Book the resources for the beneficiaries (`loaded`: those read already, by id)."""
    now = utcnow()
    check_span(request.starts_at, request.ends_at, policy)
    past_reason = check_record_past(
        request.record_past,
        request.record_past_reason,
        request.starts_at,
        now,
        allowed=actor.may_record_past,
    )
    if past_reason is None:
        check_not_past("starts_at", request.starts_at, now, policy.past_grace)
    if not request.resource_ids:
        raise Invalid("resource_ids", "A booking holds at least one resource.").coded(
            "resources_required"
        )
    office = get_office(session, request.office) if request.office else None
    _check_place(request, office)
    if request.override and not actor.may_override:
        raise Invalid("override", "Only an admin may book outside opening hours.").coded(
            "override_admin_only"
        )
    resources = load_resources(session, request.resource_ids, "resource_ids")
    beneficiaries = load_beneficiaries(session, request.beneficiary_ids, loaded)
    check_rules(
        session,
        office=office,
        resources=resources,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        modality=request.modality,
        override=request.override,
    )
    language = check_language_match(
        resources,
        beneficiaries,
        LanguageOverride(request.language_override, request.language_override_reason),
    )
    interpreter = check_interpreters(
        session,
        resources,
        load_needs(session, beneficiaries),
        Sitting(request.type, request.starts_at, request.ends_at),
        policy,
        InterpreterOverride(request.interpreter_override, request.interpreter_override_reason),
    )
    booking = Booking(
        type=request.type,
        office=office,
        location=request.location,
        modality=request.modality,
        remote_link=request.remote_link,
        starts_at=request.starts_at,
        ends_at=request.ends_at,
        status=request.status,
        notes=request.notes,
        override=request.override,
        public=request.public,
        record_past_reason=past_reason,
        language_override=language.override,
        language_override_reason=language.reason,
        interpreter_override_rules=interpreter.rules,
        interpreter_override_reason=interpreter.reason,
        created_by=actor.name,
        created_at=now,
        updated_at=now,
        attendee_rows=[BookingBeneficiary(beneficiary_id=b.id) for b in beneficiaries],
        holds=[],  # loaded (empty): placing the holds need not look for any
    )
    session.add(booking)
    place_holds(session, booking, resources, policy)
    after = booking_image(booking)
    if past_reason is not None:
        action, after = "record_past", after | {"record_past_reason": past_reason}
    else:
        action = "override_create" if request.override else "create"
    record_change(
        session,
        actor=actor.name,
        action=action,
        entity="booking",
        entity_id=booking.id,
        before=None,
        after=after,
    )
    feeds.refresh_booking(session, booking, created=True)
    if past_reason is None:  # recorded after the fact: no confirmation, no reminders
        outbox.on_booking_created(session, booking, now)
    return booking


def get_booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(
        Booking,
        booking_id,
        options=[selectinload(Booking.holds), selectinload(Booking.attendee_rows)],
    )
    if booking is None:
        raise NotFound(f"No booking with id {booking_id}.").coded("booking_unknown")
    return booking


_TRANSITIONS = {
    "confirm": ({"tentative"}, "confirmed"),
    "complete": ({"confirmed"}, "completed"),
    "no_show": ({"confirmed"}, "no_show"),
    "cancel": ({"tentative", "confirmed"}, "cancelled"),
}


def allowed_actions(booking: Booking, now: datetime | None = None) -> list[str]:
    """The status changes the rules allow now, then "reschedule" if the booking may move."""
    moment = now or utcnow()
    actions = [
        action
        for action, (allowed_from, _target) in _TRANSITIONS.items()
        if booking.status in allowed_from
        and not (action in ("complete", "no_show") and booking.starts_at > moment)
    ]
    if booking.status in ("tentative", "confirmed") and not booking.record_past:
        actions.append("reschedule")
    return actions


def change_status(
    session: Session,
    booking: Booking,
    action: str,
    actor: Actor,
    *,
    reason: str | None = None,
    now: datetime | None = None,
    tell_attendees: bool = True,
) -> Booking:
    """Move a booking along tentative → confirmed → completed / no_show, or cancel it.

    `tell_attendees=False` leaves telling the attendees of a cancellation to the caller.
    """
    allowed_from, target = _TRANSITIONS[action]
    if booking.status not in allowed_from:
        raise InvalidTransition(
            f"A {booking.status} booking cannot be {target.replace('_', ' ')}."
        ).coded("booking_transition", status=booking.status, target=target)
    if action in ("complete", "no_show") and booking.starts_at > (now or utcnow()):
        raise InvalidTransition("A booking that has not started yet cannot be closed.").coded(
            "booking_not_started"
        )
    before = booking_image(booking)
    booking.status = target
    booking.updated_at = utcnow()
    if action == "cancel":
        booking.cancel_reason = reason
        for hold in booking.holds:
            hold.active = False
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action=action,
        entity="booking",
        entity_id=booking.id,
        before=before,
        after=booking_image(booking),
    )
    feeds.refresh_booking(session, booking)
    outbox.on_booking_status_changed(session, booking, action, now, tell_attendees=tell_attendees)
    return booking


def _language_after_move(
    booking: Booking, resources: Sequence[Resource], requested: LanguageOverride | None
) -> LanguageOverride:
    """Check the language rule for the resources a booking moves to; return its override."""
    kept = LanguageOverride(booking.language_override, booking.language_override_reason)
    interpreters = {h.resource_id for h in booking.holds if h.resource.kind == "interpreter"}
    if requested is None and {r.id for r in resources if r.kind == "interpreter"} == interpreters:
        return kept
    wanted = requested if requested is not None else LanguageOverride()
    attendees = [row.beneficiary for row in booking.attendee_rows]
    return check_language_match(resources, attendees, wanted)


def reschedule_booking(
    session: Session,
    booking: Booking,
    *,
    version: int,
    starts_at: datetime,
    ends_at: datetime,
    resource_ids: Sequence[int] | None,
    actor: Actor,
    policy: BookingPolicy,
    override: bool = False,
    now: datetime | None = None,
    language_override: LanguageOverride | None = None,
    interpreter_override: InterpreterOverride | None = None,
    needs: Sequence[Needs] | None = None,
) -> Booking:
    """Move a booking in time and optionally to other resources, if `version` is current.

    New interpreters must pass the language rule (`language_override` as for a new booking);
    with the same interpreters the booking keeps the override it has. The interpreter rules
    are checked at the new time against `needs` (by default its beneficiaries'), the hours
    without the booking itself; its interpreter override covers the rules it named.
    """
    if booking.version != version:
        raise StaleVersion(booking.version)
    if booking.status not in ("tentative", "confirmed"):
        raise InvalidTransition(f"A {booking.status} booking cannot be rescheduled.").coded(
            "booking_not_movable", status=booking.status
        )
    if booking.record_past:
        raise InvalidTransition("A booking recorded after the fact cannot be moved.").coded(
            "record_past_fixed"
        )
    check_span(starts_at, ends_at, policy)
    check_not_past("starts_at", starts_at, now or utcnow(), policy.past_grace)
    if override and not actor.may_override:
        raise Invalid("override", "Only an admin may book outside opening hours.").coded(
            "override_admin_only"
        )
    ids = list(resource_ids) if resource_ids is not None else booking.resource_ids
    if not ids:
        raise Invalid("resource_ids", "A booking holds at least one resource.").coded(
            "resources_required"
        )
    resources = load_resources(session, ids, "resource_ids")
    check_rules(
        session,
        office=booking.office,
        resources=resources,
        starts_at=starts_at,
        ends_at=ends_at,
        modality=booking.modality,
        override=override,
    )
    language = _language_after_move(booking, resources, language_override)
    if needs is None:
        needs = load_needs(session, [row.beneficiary for row in booking.attendee_rows])
    interpreter = recheck_interpreters(
        session,
        resources,
        needs,
        Sitting(booking.type, starts_at, ends_at, replaces=booking.id),
        policy,
        Overridden(booking.interpreter_override_rules, booking.interpreter_override_reason),
        interpreter_override,
    )
    before = booking_image(booking)
    booking.starts_at, booking.ends_at = starts_at, ends_at
    booking.language_override, booking.language_override_reason = language.override, language.reason
    booking.interpreter_override_rules = interpreter.rules
    booking.interpreter_override_reason = interpreter.reason
    booking.updated_at = utcnow()
    for hold in list(booking.holds):
        session.delete(hold)
    booking.holds = []
    session.flush()
    place_holds(session, booking, resources, policy)
    record_change(
        session,
        actor=actor.name,
        action="reschedule",
        entity="booking",
        entity_id=booking.id,
        before=before,
        after=booking_image(booking),
    )
    feeds.refresh_booking(session, booking)
    outbox.on_booking_rescheduled(session, booking, before)
    return booking
