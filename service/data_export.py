"""Everything the service keeps about one beneficiary, for a subject access request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from service.beneficiaries import get_beneficiary
from service.clock import utcnow
from service.models import (
    Attendance,
    Beneficiary,
    Booking,
    BookingBeneficiary,
    ConsentEvent,
    Enrolment,
    Office,
    OutboxMessage,
    Series,
    SmsReply,
)


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    series_id: int
    series_title: str
    series_type: str
    office: str
    status: str
    requested_at: datetime
    enrolled_at: datetime | None
    cancelled_at: datetime | None


@dataclass(frozen=True)
class AttendanceRow:
    booking_id: int
    series_id: int | None
    starts_at: datetime
    mark: str
    recorded_at: datetime


@dataclass(frozen=True)
class BeneficiaryExport:
    exported_at: datetime
    profile: Beneficiary
    consent_history: list[ConsentEvent]
    bookings: list[Booking]
    enrolments: list[EnrolmentRow]
    attendance: list[AttendanceRow]
    notifications: list[OutboxMessage]
    replies: list[SmsReply]


def export_beneficiary(session: Session, beneficiary_id: int) -> BeneficiaryExport:
    """Collect the profile, consent history, bookings, enrolments, attendance and SMS."""
    beneficiary = get_beneficiary(session, beneficiary_id)
    bookings = session.scalars(
        select(Booking)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .where(BookingBeneficiary.beneficiary_id == beneficiary_id)
        .options(selectinload(Booking.office))
        .order_by(Booking.starts_at, Booking.id)
    )
    return BeneficiaryExport(
        exported_at=utcnow(),
        profile=beneficiary,
        consent_history=list(
            session.scalars(
                select(ConsentEvent)
                .where(ConsentEvent.beneficiary_id == beneficiary_id)
                .order_by(ConsentEvent.at, ConsentEvent.id)
            )
        ),
        bookings=list(bookings),
        enrolments=_enrolments(session, beneficiary_id),
        attendance=_attendance(session, beneficiary_id),
        notifications=list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.beneficiary_id == beneficiary_id)
                .order_by(OutboxMessage.due_at, OutboxMessage.id)
            )
        ),
        replies=_replies(session, beneficiary),
    )


def _enrolments(session: Session, beneficiary_id: int) -> list[EnrolmentRow]:
    rows = session.execute(
        select(Enrolment, Series.title, Series.type, Office.code)
        .join(Series, Series.id == Enrolment.series_id)
        .join(Office, Office.id == Series.office_id)
        .where(Enrolment.beneficiary_id == beneficiary_id)
        .order_by(Enrolment.requested_at, Enrolment.id)
    )
    return [
        EnrolmentRow(
            id=e.id,
            series_id=e.series_id,
            series_title=title,
            series_type=kind,
            office=code,
            status=e.status,
            requested_at=e.requested_at,
            enrolled_at=e.enrolled_at,
            cancelled_at=e.cancelled_at,
        )
        for e, title, kind, code in rows
    ]


def _attendance(session: Session, beneficiary_id: int) -> list[AttendanceRow]:
    rows = session.execute(
        select(Attendance, Booking.series_id, Booking.starts_at)
        .join(Booking, Booking.id == Attendance.booking_id)
        .where(Attendance.beneficiary_id == beneficiary_id)
        .order_by(Booking.starts_at, Attendance.id)
    )
    return [
        AttendanceRow(a.booking_id, series_id, starts_at, a.mark, a.recorded_at)
        for a, series_id, starts_at in rows
    ]


def _replies(session: Session, beneficiary: Beneficiary) -> list[SmsReply]:
    """Replies kept on the beneficiary, and any from their own or their guardian's number."""
    theirs = SmsReply.beneficiary_id == beneficiary.id
    numbers = [n for n in (beneficiary.phone, beneficiary.guardian_phone) if n]
    if numbers:
        theirs = or_(theirs, SmsReply.from_phone.in_(numbers))
    return list(
        session.scalars(select(SmsReply).where(theirs).order_by(SmsReply.received_at, SmsReply.id))
    )
