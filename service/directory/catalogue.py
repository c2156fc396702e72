"""Operations on what can be booked: rooms and people, their hours and time off."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from service.booking.audit import record_change
from service.directory.languages import check_dialect, check_language, dialect_language
from service.directory.phones import normalise_phone
from service.models import (
    Hold,
    Office,
    Resource,
    ResourceDialect,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    ResourceTraining,
    TimeOff,
    WorkingHours,
)
from service.models.booking import BOOKING_TYPES
from service.models.resource import (
    GENDERS,
    MODALITIES,
    RESOURCE_KINDS,
    SPECIALITIES,
    TRAININGS,
)
from service.plumbing.clock import sofia_iso, utcnow
from service.plumbing.errors import Conflict, Invalid, NotFound


@dataclass(frozen=True)
class HoursSpec:
    office: str
    weekday: int
    starts: time
    ends: time


@dataclass(frozen=True)
class ResourceSpec:
    kind: str
    name: str
    office: str | None = None
    capacity: int | None = None
    offices: Sequence[str] = ()
    languages: Sequence[str] = ()
    modalities: Sequence[str] = ("in_person",)
    specialities: Sequence[str] = ()
    working_hours: Sequence[HoursSpec] = ()
    locale: str | None = None
    phone: str | None = None
    gender: str | None = None
    dialects: Sequence[str] = ()
    trainings: Sequence[str] = ()
    max_hours_day: int | None = None
    max_hours_week: int | None = None
    limited_types: Sequence[str] | None = None


def _offices_by_code(session: Session) -> dict[str, Office]:
    return {o.code: o for o in session.scalars(select(Office))}


def create_resource(session: Session, spec: ResourceSpec) -> Resource:
    """Add a room (office, capacity) or a person (offices, languages, modalities, hours)."""
    if spec.kind not in RESOURCE_KINDS:
        raise Invalid("kind", f"Unknown kind; one of {', '.join(RESOURCE_KINDS)}.").coded(
            "resource_kind_unknown"
        )
    offices = _offices_by_code(session)
    resource = Resource(kind=spec.kind, name=spec.name, locale=spec.locale)
    if spec.kind == "room":
        if spec.office not in offices:
            raise Invalid("office", "A room belongs to one existing office.").coded(
                "room_office_required"
            )
        if spec.capacity is None or spec.capacity < 1:
            raise Invalid("capacity", "A room seats at least one person.").coded(
                "room_capacity_min"
            )
        resource.room_office = offices[spec.office]
        resource.capacity = spec.capacity
    else:
        unknown = [c for c in spec.offices if c not in offices]
        if unknown or not spec.offices:
            raise Invalid("offices", "A person serves at least one existing office.").coded(
                "person_office_required"
            )
        resource.offices = [offices[c] for c in sorted(set(spec.offices))]
        resource.language_rows = [
            ResourceLanguage(language=check_language("languages", c)) for c in set(spec.languages)
        ]
        if spec.kind == "interpreter" and not spec.languages:
            raise Invalid("languages", "An interpreter has at least one language.").coded(
                "interpreter_language_required"
            )
        for modality in spec.modalities:
            if modality not in MODALITIES:
                raise Invalid("modalities", f"Unknown modality {modality!r}.").coded(
                    "modality_unknown"
                )
        resource.modality_rows = [ResourceModality(modality=m) for m in set(spec.modalities)]
        for speciality in spec.specialities:
            if speciality not in SPECIALITIES:
                raise Invalid("specialities", f"Unknown speciality {speciality!r}.").coded(
                    "speciality_unknown"
                )
        resource.speciality_rows = [
            ResourceSpeciality(speciality=s) for s in set(spec.specialities)
        ]
        resource.working_hours = [_hours(h, offices) for h in spec.working_hours]
        if spec.phone:
            resource.phone = normalise_phone("phone", spec.phone)
    set_interpreter_offer(resource, spec)
    session.add(resource)
    session.flush()
    return resource


def set_interpreter_offer(resource: Resource, spec: ResourceSpec) -> None:
    """Set what an interpreter offers: gender, dialects, trainings and hour limits."""
    offers = {
        "gender": spec.gender,
        "dialects": spec.dialects,
        "trainings": spec.trainings,
        "max_hours_day": spec.max_hours_day,
        "max_hours_week": spec.max_hours_week,
        "limited_types": spec.limited_types,
    }
    if resource.kind != "interpreter":
        given = [name for name, value in offers.items() if value or value == 0]
        if given or spec.limited_types is not None:
            raise Invalid(
                (given or ["limited_types"])[0],
                "Only an interpreter has a gender, dialects, trainings or hour limits here.",
            )
        return
    if spec.gender is not None and spec.gender not in GENDERS:
        raise Invalid("gender", f"One of {', '.join(GENDERS)}, or none.")
    dialects = {check_dialect("dialects", tag) for tag in spec.dialects}
    foreign = sorted(d for d in dialects if dialect_language(d) not in resource.languages)
    if foreign:
        raise Invalid("dialects", f"{foreign[0]} is a dialect of a language not listed.")
    unknown = sorted(set(spec.trainings) - set(TRAININGS))
    if unknown:
        raise Invalid(
            "trainings", f"Unknown training {unknown[0]!r}; one of {', '.join(TRAININGS)}."
        )
    for name, hours, most in (
        ("max_hours_day", spec.max_hours_day, 24),
        ("max_hours_week", spec.max_hours_week, 168),
    ):
        if hours is not None and not 1 <= hours <= most:
            raise Invalid(name, f"Between 1 and {most} hours, or none for the default.")
    if spec.limited_types is not None:
        wrong = sorted(set(spec.limited_types) - set(BOOKING_TYPES))
        if wrong:
            raise Invalid("limited_types", f"Unknown booking type {wrong[0]!r}.")
    resource.gender = spec.gender
    resource.dialect_rows = [ResourceDialect(dialect=d) for d in sorted(dialects)]
    resource.training_rows = [ResourceTraining(training=t) for t in sorted(set(spec.trainings))]
    resource.max_hours_day, resource.max_hours_week = spec.max_hours_day, spec.max_hours_week
    resource.limited_types = (
        None if spec.limited_types is None else ",".join(sorted(set(spec.limited_types)))
    )


def interpreter_offer_image(resource: Resource) -> dict[str, object]:
    return {
        "gender": resource.gender,
        "dialects": resource.dialects,
        "trainings": resource.trainings,
        "max_hours_day": resource.max_hours_day,
        "max_hours_week": resource.max_hours_week,
        "limited_types": resource.limited_type_list,
    }


def change_interpreter_offer(
    session: Session, resource_id: int, offer: Mapping[str, Any], actor: str
) -> Resource:
    """Replace an interpreter's gender, dialects, trainings and hour limits (audited).

    `offer` holds ResourceSpec's offer fields; one left out is cleared (limits: the defaults).
    """
    resource = get_resource(session, resource_id)
    before = interpreter_offer_image(resource)
    set_interpreter_offer(resource, ResourceSpec(kind=resource.kind, name=resource.name, **offer))
    session.flush()
    record_change(
        session,
        actor=actor,
        action="change_interpreter_offer",
        entity="resource",
        entity_id=resource.id,
        before=before,
        after=interpreter_offer_image(resource),
    )
    return resource


def _hours(spec: HoursSpec, offices: dict[str, Office]) -> WorkingHours:
    if spec.office not in offices:
        raise Invalid("working_hours", f"No office with code {spec.office!r}.").coded(
            "office_unknown", office=spec.office
        )
    if not 0 <= spec.weekday <= 6:
        raise Invalid("working_hours", "A weekday is 0 (Monday) to 6 (Sunday).").coded(
            "weekday_range"
        )
    if spec.ends <= spec.starts:
        raise Invalid("working_hours", "Working hours end after they start.").coded(
            "working_hours_order"
        )
    return WorkingHours(
        office=offices[spec.office], weekday=spec.weekday, starts=spec.starts, ends=spec.ends
    )


def query_resources(
    *,
    kind: str | None = None,
    language: str | None = None,
    office: str | None = None,
    modality: str | None = None,
    speciality: str | None = None,
    for_slots: bool = False,
) -> Select[Resource]:
    """Build the query for active resources matching every given filter, by id.

    `for_slots` loads only the working hours, all that availability reads, instead of every
    collection the resource schema shows (one round trip instead of six).
    """
    loads = [selectinload(Resource.working_hours)]
    if not for_slots:
        loads += [
            selectinload(Resource.language_rows),
            selectinload(Resource.modality_rows),
            selectinload(Resource.speciality_rows),
            selectinload(Resource.offices),
            selectinload(Resource.room_office),
        ]
    query = select(Resource).where(Resource.active.is_(True)).options(*loads).order_by(Resource.id)
    if kind:
        query = query.where(Resource.kind == kind)
    if language:
        check_language("language", language)
        query = query.where(Resource.language_rows.any(ResourceLanguage.language == language))
    if modality:
        query = query.where(Resource.modality_rows.any(ResourceModality.modality == modality))
    if speciality:
        query = query.where(
            Resource.speciality_rows.any(ResourceSpeciality.speciality == speciality)
        )
    if office:
        query = query.where(
            Resource.offices.any(Office.code == office)
            | Resource.room_office.has(Office.code == office)
        )
    return query


def get_resource(session: Session, resource_id: int) -> Resource:
    resource = session.get(Resource, resource_id)
    if resource is None:
        raise NotFound(f"No resource with id {resource_id}.").coded("resource_unknown")
    return resource


def add_time_off(
    session: Session,
    resource: Resource,
    starts_at: datetime,
    ends_at: datetime,
    reason: str | None,
    actor: str,
) -> TimeOff:
    """Record that a person is away; refused while they still hold bookings then."""
    if not resource.is_person:
        raise Invalid("resource_id", "Time off is for people, not rooms.").coded(
            "time_off_people_only"
        )
    if ends_at <= starts_at:
        raise Invalid("ends_at", "The end must come after the start.").coded("end_before_start")
    clash = session.scalars(
        select(Hold).where(
            Hold.resource_id == resource.id,
            Hold.active.is_(True),
            Hold.starts_at < ends_at,
            Hold.ends_at > starts_at,
        )
    ).first()
    if clash is not None:
        raise Conflict(
            "Cancel or move the bookings in that time first.",
            [
                {
                    "resource_id": resource.id,
                    "booking_id": clash.booking_id,
                    "starts_at": sofia_iso(clash.starts_at),
                    "ends_at": sofia_iso(clash.ends_at),
                }
            ],
        ).coded("time_off_held", resource=resource.id, booking=clash.booking_id)
    time_off = TimeOff(
        resource_id=resource.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=actor,
        created_at=utcnow(),
    )
    session.add(time_off)
    session.flush()
    return time_off
