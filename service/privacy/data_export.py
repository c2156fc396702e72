"""Everything the service keeps about one beneficiary, for a subject access request.

Only the subject's own data: other beneficiaries of a shared booking (a group session, a class)
appear only as a count, `other_participants`, never by id, reference, number or flag. Notes of
a booking with other participants are withheld (they are about the group and may name its
members); in every free text kept (notes, reasons, places, SMS and replies) the references and
numbers of the subject's fellow participants are replaced, and so is any phone number that is
not the subject's own or their guardian's.

Their interpreter needs and the interpreters they avoid, named, with the reasons recorded, are
their own data and are included.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, union
from sqlalchemy.orm import Session, selectinload

from service.directory.beneficiaries import get_beneficiary
from service.models import (
    Attendance,
    AvoidedInterpreter,
    Beneficiary,
    Booking,
    BookingBeneficiary,
    ConsentEvent,
    Enrolment,
    InterpreterNeeds,
    Office,
    OutboxMessage,
    Resource,
    Series,
    SmsReply,
)
from service.plumbing.clock import utcnow
from service.privacy.redaction import Secrets, redact_phone_numbers

ANOTHER_PARTICIPANT = "[another participant]"


@dataclass(frozen=True)
class BookingRow:
    id: int
    type: str
    status: str
    office_code: str | None
    location: str | None
    modality: str
    starts_at: datetime
    ends_at: datetime
    notes: str | None
    notes_withheld: bool
    cancel_reason: str | None
    series_id: int | None
    other_participants: int


@dataclass(frozen=True)
class NotificationRow:
    id: int
    kind: str
    status: str
    booking_id: int | None
    to: str | None
    body: str | None
    language: str
    due_at: datetime
    sent_at: datetime | None
    purged_at: datetime | None


@dataclass(frozen=True)
class ReplyRow:
    id: int
    received_at: datetime
    from_phone: str | None
    body: str | None
    booking_id: int | None


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
class AvoidedRow:
    interpreter_id: int
    interpreter_name: str
    reason: str
    recorded_at: datetime


@dataclass(frozen=True)
class BeneficiaryExport:
    exported_at: datetime
    profile: Beneficiary
    consent_history: list[ConsentEvent]
    bookings: list[BookingRow]
    enrolments: list[EnrolmentRow]
    attendance: list[AttendanceRow]
    notifications: list[NotificationRow]
    replies: list[ReplyRow]
    interpreter_needs: InterpreterNeeds | None
    avoided_interpreters: list[AvoidedRow]


class _Scrubber:
    """Free text without the subject's fellow participants and without others' numbers."""

    def __init__(self, subject: Beneficiary, others: list[Beneficiary]) -> None:
        self.keep = {n for n in (subject.phone, subject.guardian_phone) if n}
        self.others = [
            Secrets.of(
                [n for n in (other.phone, other.guardian_phone) if n and n not in self.keep],
                other.case_reference,
            )
            for other in others
        ]

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        for secrets in self.others:
            text = secrets.redact(text, ANOTHER_PARTICIPANT)
        return redact_phone_numbers(text, keep=self.keep)


def export_beneficiary(session: Session, beneficiary_id: int) -> BeneficiaryExport:
    """Collect the profile, consent history, bookings, enrolments, attendance and SMS."""
    beneficiary = get_beneficiary(session, beneficiary_id)
    bookings = list(
        session.scalars(
            select(Booking)
            .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
            .where(BookingBeneficiary.beneficiary_id == beneficiary_id)
            .options(selectinload(Booking.office))
            .order_by(Booking.starts_at, Booking.id)
        )
    )
    others = _fellow_participants(session, beneficiary_id, bookings)
    everyone = set().union(*others.values()) if others else set()
    scrub = _Scrubber(
        beneficiary,
        list(session.scalars(select(Beneficiary).where(Beneficiary.id.in_(everyone))))
        if everyone
        else [],
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
        bookings=[_booking_row(b, len(others.get(b.id, ())), scrub) for b in bookings],
        enrolments=_enrolments(session, beneficiary_id, scrub),
        attendance=_attendance(session, beneficiary_id),
        notifications=_notifications(session, beneficiary_id, scrub),
        replies=_replies(session, beneficiary, scrub),
        interpreter_needs=session.get(InterpreterNeeds, beneficiary_id),
        avoided_interpreters=_avoided(session, beneficiary_id, scrub),
    )


def _avoided(session: Session, beneficiary_id: int, scrub: _Scrubber) -> list[AvoidedRow]:
    rows = session.execute(
        select(AvoidedInterpreter, Resource.name)
        .join(Resource, Resource.id == AvoidedInterpreter.resource_id)
        .where(AvoidedInterpreter.beneficiary_id == beneficiary_id)
        .order_by(Resource.name, Resource.id)
    )
    return [
        AvoidedRow(a.resource_id, name, scrub(a.reason) or "", a.recorded_at) for a, name in rows
    ]


def _fellow_participants(
    session: Session, beneficiary_id: int, bookings: list[Booking]
) -> dict[int, set[int]]:
    """Map each booking to the other beneficiaries in it: booked with the subject, marked at
    it, or (for a class) enrolled in its series."""
    ids = [b.id for b in bookings]
    found: dict[int, set[int]] = {i: set() for i in ids}
    if not ids:
        return found
    for booking_id, other in session.execute(
        union(
            select(BookingBeneficiary.booking_id, BookingBeneficiary.beneficiary_id).where(
                BookingBeneficiary.booking_id.in_(ids)
            ),
            select(Attendance.booking_id, Attendance.beneficiary_id).where(
                Attendance.booking_id.in_(ids)
            ),
        )
    ):
        found[booking_id].add(other)
    in_series: dict[int, list[int]] = {}
    for b in bookings:
        if b.series_id is not None:
            in_series.setdefault(b.series_id, []).append(b.id)
    if in_series:
        for series_id, other in session.execute(
            select(Enrolment.series_id, Enrolment.beneficiary_id).where(
                Enrolment.series_id.in_(list(in_series)), Enrolment.status == "enrolled"
            )
        ):
            for booking_id in in_series[series_id]:
                found[booking_id].add(other)
    return {booking_id: people - {beneficiary_id} for booking_id, people in found.items()}


def _booking_row(booking: Booking, others: int, scrub: _Scrubber) -> BookingRow:
    withheld = others > 0 and bool(booking.notes)
    return BookingRow(
        id=booking.id,
        type=booking.type,
        status=booking.status,
        office_code=booking.office_code,
        location=scrub(booking.location),
        modality=booking.modality,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        notes=None if others else scrub(booking.notes),
        notes_withheld=withheld,
        cancel_reason=scrub(booking.cancel_reason),
        series_id=booking.series_id,
        other_participants=others,
    )


def _notifications(
    session: Session, beneficiary_id: int, scrub: _Scrubber
) -> list[NotificationRow]:
    """SMS written to the subject (or to their guardian for them), never to anyone else."""
    messages = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.beneficiary_id == beneficiary_id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    return [
        NotificationRow(
            id=m.id,
            kind=m.kind,
            status=m.status,
            booking_id=m.booking_id,
            to=m.to,
            body=scrub(m.body),
            language=m.language,
            due_at=m.due_at,
            sent_at=m.sent_at,
            purged_at=m.purged_at,
        )
        for m in messages
    ]


def _enrolments(session: Session, beneficiary_id: int, scrub: _Scrubber) -> list[EnrolmentRow]:
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
            series_title=scrub(title) or "",
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


def _replies(session: Session, beneficiary: Beneficiary, scrub: _Scrubber) -> list[ReplyRow]:
    """Replies kept on the beneficiary, and unattributed ones from their own or their guardian's
    number; a reply from a shared number kept on another beneficiary is theirs, not this one's."""
    theirs = SmsReply.beneficiary_id == beneficiary.id
    numbers = [n for n in (beneficiary.phone, beneficiary.guardian_phone) if n]
    if numbers:
        theirs = or_(
            theirs, and_(SmsReply.beneficiary_id.is_(None), SmsReply.from_phone.in_(numbers))
        )
    replies = session.scalars(
        select(SmsReply).where(theirs).order_by(SmsReply.received_at, SmsReply.id)
    )
    return [
        ReplyRow(
            id=r.id,
            received_at=r.received_at,
            from_phone=r.from_phone,
            body=scrub(r.body),
            booking_id=r.booking_id,
        )
        for r in replies
    ]
