"""What Twilio posts back: delivery status of our messages, and SMS people send us."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from service.directory.beneficiaries import set_sms_consent
from service.models import Beneficiary, Booking, BookingBeneficiary, OutboxMessage, SmsReply
from service.models.outbox import ConsentEvent, InboundReceipt
from service.notify.dispatch import flag_number, withdraw_consent_for_number
from service.notify.errors import RECIPIENT_ERROR_CODES, UNSUBSCRIBED_CODE
from service.notify.keywords import InboundKind, classify_inbound
from service.notify.outbox import recipient_phone
from service.notify.texts import help_reply, stop_confirmation
from service.plumbing.errors import Invalid, NotFound

# Twilio's final statuses; earlier ones (queued, accepted, sending) change nothing here.
_FINAL = ("delivered", "undelivered", "failed")
# A callback may settle a row in these statuses (`sent` is replaced by a final status).
_SETTLEABLE = ("sending", "unclear", "review", "sent")
_WITHDRAWN_BY_SMS = ("sms_stop", "twilio_21610")


def apply_status_callback(
    session: Session,
    outbox_id: int,
    *,
    message_sid: str,
    status: str,
    error_code: str | None,
    now: datetime,
) -> OutboxMessage:
    """Settle a row from Twilio's status callback, including one whose answer was lost.

    Statuses only move forward (sending or review, then sent, then a final one): the same
    status again, or an earlier one arriving late, changes nothing.
    """
    row = session.get(OutboxMessage, outbox_id)
    if row is None:
        raise NotFound(f"No outbox message {outbox_id}.")
    if row.provider_sid is not None and row.provider_sid != message_sid:
        raise Invalid("MessageSid", "The message SID does not belong to this outbox message.")
    row.provider_sid = row.provider_sid or message_sid
    target = status if status in _FINAL else "sent" if status == "sent" else None
    if target is None or row.status not in _SETTLEABLE or row.status == target:
        return row  # a repeat, an earlier status arriving late, or one that settles nothing
    if row.status == "unclear":
        row.reconciliation = "callback"
    row.status = target
    row.sent_at = row.sent_at or now
    row.lease_until = None
    row.updated_at = now
    if error_code:
        row.error_code = error_code
    # Only the callback that settles the row acts on its error: a replay of it must not
    # withdraw consent given again since by START.
    if error_code and row.to:
        code = int(error_code) if error_code.isascii() and error_code.isdigit() else None
        if code == UNSUBSCRIBED_CODE:
            withdraw_consent_for_number(session, row.to, "twilio_21610")
        elif code in RECIPIENT_ERROR_CODES:
            flag_number(session, row.to, error_code, now)
    return row


@dataclass(frozen=True)
class InboundOutcome:
    kind: InboundKind
    reply: str | None
    beneficiary_ids: tuple[int, ...]
    replayed: bool = False


def _first_time(session: Session, message_sid: str, now: datetime) -> bool:
    """Record `message_sid` as handled; False when it was already (a replay, Twilio's retry).

    The receipt's primary key decides between two copies arriving at once: the second one's
    insert waits for the first to commit, then fails.
    """
    if session.get(InboundReceipt, message_sid) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(InboundReceipt(message_sid=message_sid, received_at=now))
    except IntegrityError:
        return False
    return True


def _reached_on(session: Session, phone: str) -> list[Beneficiary]:
    return list(
        session.scalars(
            select(Beneficiary)
            .where(or_(Beneficiary.phone == phone, Beneficiary.guardian_phone == phone))
            .order_by(Beneficiary.id)
        )
    )


def _withdrawn_by_sms(session: Session, beneficiary: Beneficiary) -> bool:
    last = session.scalar(
        select(ConsentEvent.source)
        .where(ConsentEvent.beneficiary_id == beneficiary.id)
        .order_by(ConsentEvent.at.desc(), ConsentEvent.id.desc())
        .limit(1)
    )
    return not beneficiary.sms_consent and last in _WITHDRAWN_BY_SMS


def _next_booking(session: Session, ids: list[int], now: datetime) -> Booking | None:
    if not ids:
        return None
    return session.scalar(
        select(Booking)
        .join(BookingBeneficiary)
        .where(
            BookingBeneficiary.beneficiary_id.in_(ids),
            Booking.status.in_(("tentative", "confirmed")),
            Booking.ends_at > now,
        )
        .order_by(Booking.starts_at, Booking.id)
        .limit(1)
    )


def handle_inbound(
    session: Session, *, phone: str, body: str, message_sid: str | None, now: datetime
) -> InboundOutcome:
    """STOP withdraws consent for everyone on the number, START restores what SMS withdrew,
    HELP is answered, anything else is kept as a reply on the sender's next booking.

    A MessageSid seen before changes nothing and answers nothing."""
    kind = classify_inbound(body)
    if message_sid is not None and not _first_time(session, message_sid, now):
        return InboundOutcome(kind, None, (), replayed=True)
    people = _reached_on(session, phone)
    language = people[0].language if people else "bg"
    if kind == "stop":
        ids = withdraw_consent_for_number(session, phone, "sms_stop")
        return InboundOutcome(kind, stop_confirmation(language), tuple(ids))
    if kind == "start":
        restored = [p for p in people if recipient_phone(p) and _withdrawn_by_sms(session, p)]
        for person in restored:
            set_sms_consent(session, person, True, source="sms_start")
        return InboundOutcome(kind, None, tuple(p.id for p in restored))
    if kind == "help":
        return InboundOutcome(kind, help_reply(language), ())
    ids = [p.id for p in people]
    booking = _next_booking(session, ids, now)
    attendee = None
    if booking is not None:
        attendee = next(i for i in booking.beneficiary_ids if i in ids)
    session.add(
        SmsReply(
            beneficiary_id=attendee if attendee is not None else (ids[0] if ids else None),
            booking_id=booking.id if booking is not None else None,
            from_phone=phone,
            body=body,
            provider_sid=message_sid,
            received_at=now,
        )
    )
    return InboundOutcome(kind, None, tuple(ids))
