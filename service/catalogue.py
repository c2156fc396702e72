"""Operations on what can be booked: rooms and people, their hours and time off."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, selectinload

from service.clock import sofia_iso, utcnow
from service.errors import Conflict, Invalid, NotFound
from service.languages import check_language
from service.models import (
    Hold,
    Office,
    Resource,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    TimeOff,
    WorkingHours,
)
from service.models.resource import MODALITIES, RESOURCE_KINDS, SPECIALITIES
from service.phones import normalise_phone


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
    session.add(resource)
    session.flush()
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
