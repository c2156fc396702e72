"""Read-only look-ups of the people pages: beneficiaries by case reference, their consent
history and upcoming bookings, a person's upcoming time off."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.access.access_facts import booking_facts
from service.access.access_policy import Action, Kind, Scope, allows
from service.access.access_queries import beneficiaries_in
from service.access.auth import Principal
from service.models import Beneficiary, Booking, BookingBeneficiary, ConsentEvent, TimeOff
from service.plumbing.clock import utcnow

PAGE_SIZE = 25
UPCOMING = 20


@dataclass(frozen=True)
class BeneficiaryPage:
    rows: list[Beneficiary]
    total: int
    page: int
    pages: int


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_beneficiaries(
    session: Session, scope: Scope, reference: str, page: int
) -> BeneficiaryPage:
    """Beneficiaries in `scope` whose case reference contains `reference` (any case), a page
    at a time."""
    query = select(Beneficiary).where(beneficiaries_in(scope))
    if reference.strip():
        pattern = f"%{_escaped(reference.strip().lower())}%"
        query = query.where(func.lower(Beneficiary.case_reference).like(pattern, escape="\\"))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.scalars(
        query.order_by(Beneficiary.case_reference).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return BeneficiaryPage(list(rows), total, page, pages)


def consent_history(session: Session, beneficiary_id: int) -> list[ConsentEvent]:
    """SMS consent given and withdrawn, newest first."""
    return list(
        session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.beneficiary_id == beneficiary_id)
            .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        )
    )


def upcoming_bookings(session: Session, principal: Principal, beneficiary_id: int) -> list[Booking]:
    """The beneficiary's next live bookings at the offices the principal may see."""
    found = session.scalars(
        select(Booking)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .where(
            BookingBeneficiary.beneficiary_id == beneficiary_id,
            Booking.status.in_(("tentative", "confirmed")),
            Booking.ends_at > utcnow(),
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(UPCOMING)
    )
    return [
        b for b in found if allows(principal, Action.READ, Kind.BOOKING, booking_facts(session, b))
    ]


def upcoming_time_off(session: Session, resource_id: int) -> list[TimeOff]:
    """A person's time off that has not ended yet, soonest first."""
    return list(
        session.scalars(
            select(TimeOff)
            .where(TimeOff.resource_id == resource_id, TimeOff.ends_at > utcnow())
            .order_by(TimeOff.starts_at)
        )
    )
