"""Read-only look-ups the console pages show: names, case references, audit trails, slots."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.access_facts import series_facts
from service.access.access_policy import Action, Facts, Kind, allows, list_scope, sees_details
from service.access.access_queries import beneficiaries_in
from service.access.auth import Principal
from service.booking.availability import Slot, Window, find_free_slots
from service.booking.policy import BookingPolicy
from service.console.match_words import reason_words
from service.console.notices import Notice, notices
from service.console.words import word
from service.directory.catalogue import query_resources
from service.models import (
    AuditEntry,
    Beneficiary,
    Booking,
    Enrolment,
    Resource,
    ResourceLanguage,
    Series,
)
from service.notify.notifications import list_booking_notifications
from service.plumbing.clock import sofia_instant

CASE_REFERENCE_HINTS = 500


@dataclass(frozen=True)
class SlotSearch:
    kind: str
    language: str | None
    modality: str
    office: str
    day: date
    minutes: int
    booking_type: str = "interpretation"
    beneficiaries: tuple[Beneficiary, ...] = ()  # whom an interpreter is matched to

    @property
    def window(self) -> Window:
        return Window(
            start=sofia_instant(self.day, time(0)),
            end=sofia_instant(self.day + timedelta(days=1), time(0)),
            duration=timedelta(minutes=self.minutes),
        )


@dataclass(frozen=True)
class Offer:
    resource: Resource
    slots: list[Slot]
    reasons: list[str] = field(default_factory=list)  # an interpreter's place, in words


def free_slots(
    session: Session, search: SlotSearch, policy: BookingPolicy, only: int | None = None
) -> list[Offer]:
    """Who of the kind, language and modality asked is free when on that day at that office;
    interpreters only if they match the beneficiaries, best first, with the reasons.

    `only` narrows the search to one person (a staff member books their own time).
    """
    query = query_resources(
        kind=search.kind, language=search.language, office=search.office, modality=search.modality
    )
    if only is not None:
        query = query.where(Resource.id == only)
    resources = list(session.scalars(query))
    found = find_free_slots(
        session,
        resources,
        office_code=search.office,
        modality=search.modality,
        window=search.window,
        policy=policy,
        beneficiaries=search.beneficiaries,
        booking_type=search.booking_type,
    )
    by_id = {r.id: r for r in resources}
    return [
        Offer(by_id[f.resource_id], f.slots, [reason_words(r) for r in f.reasons])
        for f in found
        if f.slots
    ]


def rooms_of(session: Session, office: str) -> list[Resource]:
    return list(session.scalars(query_resources(kind="room", office=office)))


def languages_offered(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(ResourceLanguage.language).distinct().order_by(ResourceLanguage.language)
        )
    )


def case_references(session: Session, principal: Principal) -> list[str]:
    """Hints for the case reference field: only beneficiaries the principal may see."""
    if not allows(principal, Action.LIST, Kind.BENEFICIARY):
        return []
    visible = beneficiaries_in(list_scope(principal, Kind.BENEFICIARY))
    return list(
        session.scalars(
            select(Beneficiary.case_reference)
            .where(Beneficiary.erased_at.is_(None), visible)
            .order_by(Beneficiary.case_reference)
            .limit(CASE_REFERENCE_HINTS)
        )
    )


def resource_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(set(ids))
    rows = session.execute(select(Resource.id, Resource.name).where(Resource.id.in_(wanted)))
    return {row.id: row.name for row in rows}


@dataclass(frozen=True)
class BookingPage:
    booking: Booking
    resources: list[Resource]
    case_references: list[str]
    audit: list[AuditEntry]
    notices: list[Notice]
    record_past_reason: str | None = None  # shown only to who sees the booking's details
    series: Series | None = None  # the series of a class, if its viewer may read it
    participants: list[str] = field(default_factory=list)  # a class's enrolled, by reference


def booking_page(session: Session, principal: Principal, booking: Booking) -> BookingPage:
    """What the principal may see of a booking: its beneficiaries and SMS only as far as the
    access policy shows them."""
    resources = list(
        session.scalars(
            select(Resource).where(Resource.id.in_(booking.resource_ids)).order_by(Resource.kind)
        )
    )
    references: list[str] = []
    details = sees_details(principal, Facts.of(offices=[booking.office_code]))
    if details:
        visible = beneficiaries_in(list_scope(principal, Kind.BENEFICIARY))
        references = list(
            session.scalars(
                select(Beneficiary.case_reference).where(
                    Beneficiary.id.in_(booking.beneficiary_ids), visible
                )
            )
        )
    audit = list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.entity == "booking", AuditEntry.entity_id == booking.id)
            .order_by(AuditEntry.id)
        )
    )
    sms = []
    if allows(principal, Action.LIST, Kind.NOTIFICATION):
        scope = list_scope(principal, Kind.NOTIFICATION)
        sms = notices(session, list_booking_notifications(session, booking.id, scope))
    reason = booking.record_past_reason if details else None
    series, participants = _class_of(session, principal, booking, details)
    return BookingPage(booking, resources, references, audit, sms, reason, series, participants)


def _class_of(
    session: Session, principal: Principal, booking: Booking, details: bool
) -> tuple[Series | None, list[str]]:
    """The series a class belongs to, and its enrolled by case reference, as far as visible."""
    series = session.get(Series, booking.series_id) if booking.series_id is not None else None
    if series is None or not allows(
        principal, Action.READ, Kind.SERIES, series_facts(session, series)
    ):
        return None, []
    if not details:
        return series, []
    visible = beneficiaries_in(list_scope(principal, Kind.BENEFICIARY))
    participants = session.scalars(
        select(Beneficiary.case_reference)
        .join(Enrolment, Enrolment.beneficiary_id == Beneficiary.id)
        .where(Enrolment.series_id == series.id, Enrolment.status == "enrolled", visible)
        .order_by(Beneficiary.case_reference)
    )
    return series, list(participants)


def describe_conflicts(session: Session, conflicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Name the resource of each clash, keeping the booking it collides with."""
    names = resource_names(session, [c["resource_id"] for c in conflicts if c.get("resource_id")])
    return [
        {
            **c,
            "resource_name": names.get(c.get("resource_id") or -1, "?"),
            "starts": datetime.fromisoformat(c["starts_at"]),
            "ends": datetime.fromisoformat(c["ends_at"]),
            "message": word(c.get("code"), c.get("params") or {}, c.get("message") or ""),
        }
        for c in conflicts
        if c.get("starts_at") and c.get("ends_at")
    ]
