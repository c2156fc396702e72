"""Where a beneficiary is still paired with an interpreter: their upcoming bookings and courses.

When a coordinator records that a beneficiary avoids an interpreter, these are what to
reassign by hand; nothing is cancelled or moved here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Booking, BookingBeneficiary, Enrolment, Hold, Office, Series
from service.plumbing.clock import utcnow

LIVE = ("tentative", "confirmed")


@dataclass(frozen=True)
class PairedBooking:
    booking_id: int
    type: str
    office: str | None
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class PairedEnrolment:
    enrolment_id: int
    series_id: int
    series_title: str
    office: str
    status: str
    next_starts_at: datetime


@dataclass(frozen=True)
class Pairings:
    bookings: list[PairedBooking]
    enrolments: list[PairedEnrolment]


def upcoming_pairings(
    session: Session, beneficiary_id: int, interpreter_id: int, now: datetime | None = None
) -> Pairings:
    """The beneficiary's live bookings and current enrolments (or waitlist places) whose
    sessions, not ended yet, hold this interpreter; soonest first."""
    now = now or utcnow()
    held = select(Hold.booking_id).where(Hold.resource_id == interpreter_id, Hold.active.is_(True))
    bookings = session.execute(
        select(Booking.id, Booking.type, Office.code, Booking.starts_at, Booking.ends_at)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .outerjoin(Office, Office.id == Booking.office_id)
        .where(
            BookingBeneficiary.beneficiary_id == beneficiary_id,
            Booking.status.in_(LIVE),
            Booking.ends_at > now,
            Booking.id.in_(held),
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    next_class = (
        select(Booking.series_id, func.min(Booking.starts_at).label("next_at"))
        .where(
            Booking.series_id.is_not(None),
            Booking.status.in_(LIVE),
            Booking.ends_at > now,
            Booking.id.in_(held),
        )
        .group_by(Booking.series_id)
        .subquery()
    )
    enrolments = session.execute(
        select(
            Enrolment.id,
            Series.id,
            Series.title,
            Office.code,
            Enrolment.status,
            next_class.c.next_at,
        )
        .join(Series, Series.id == Enrolment.series_id)
        .join(Office, Office.id == Series.office_id)
        .join(next_class, next_class.c.series_id == Series.id)
        .where(Enrolment.beneficiary_id == beneficiary_id, Enrolment.status != "cancelled")
        .order_by(next_class.c.next_at, Enrolment.id)
    )
    return Pairings(
        bookings=[PairedBooking(*row) for row in bookings],
        enrolments=[PairedEnrolment(*row) for row in enrolments],
    )
