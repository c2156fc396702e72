"""Beneficiaries: register, update consent and flags, keeping no more than needed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import feeds
from service.clock import utcnow
from service.errors import Conflict, Invalid, InvalidTransition, NotFound
from service.languages import check_language
from service.models import Beneficiary, ConsentEvent
from service.outbox import cancel_queued_for
from service.phones import normalise_phone


@dataclass(frozen=True)
class BeneficiaryRequest:
    case_reference: str
    language: str
    phone: str | None = None
    sms_consent: bool = False
    discreet: bool = False
    is_minor: bool = False
    guardian_phone: str | None = None


def register_beneficiary(
    session: Session, request: BeneficiaryRequest, source: str = "api", actor: str | None = None
) -> Beneficiary:
    """Add a beneficiary; consent given now is recorded with how (`source`) and who."""
    reference = request.case_reference.strip()
    if not reference:
        raise Invalid("case_reference", "A case reference is required.")
    if session.scalar(select(Beneficiary.id).where(Beneficiary.case_reference == reference)):
        raise Conflict(f"Case reference {reference!r} is already registered.")
    phone = normalise_phone("phone", request.phone) if request.phone else None
    guardian = (
        normalise_phone("guardian_phone", request.guardian_phone)
        if request.guardian_phone
        else None
    )
    if request.sms_consent and not (guardian if request.is_minor else phone):
        field = "guardian_phone" if request.is_minor else "phone"
        raise Invalid(field, "SMS consent needs a number to send to.")
    now = utcnow()
    beneficiary = Beneficiary(
        case_reference=reference,
        language=check_language("language", request.language),
        phone=phone,
        sms_consent=request.sms_consent,
        sms_consent_at=now if request.sms_consent else None,
        discreet=request.discreet,
        is_minor=request.is_minor,
        guardian_phone=guardian,
        created_at=now,
    )
    session.add(beneficiary)
    session.flush()
    if request.sms_consent:
        session.add(
            ConsentEvent(
                beneficiary_id=beneficiary.id, at=now, consent=True, source=source, actor=actor
            )
        )
    return beneficiary


def refuse_erased(beneficiary: Beneficiary) -> None:
    """Refuse to change the tombstone of an erased beneficiary."""
    if beneficiary.erased_at is not None:
        raise InvalidTransition("This beneficiary's data was erased; nothing can be changed.")


def get_beneficiary(session: Session, beneficiary_id: int) -> Beneficiary:
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise NotFound(f"No beneficiary with id {beneficiary_id}.")
    return beneficiary


def set_sms_consent(
    session: Session,
    beneficiary: Beneficiary,
    consent: bool,
    source: str = "api",
    actor: str | None = None,
) -> Beneficiary:
    """Record consent given or withdrawn, when, how and by whom (None: the beneficiary's own
    reply or the network); withdrawal cancels queued SMS at once."""
    refuse_erased(beneficiary)
    if consent and not (beneficiary.guardian_phone if beneficiary.is_minor else beneficiary.phone):
        raise Invalid("sms_consent", "SMS consent needs a number to send to.")
    if consent != beneficiary.sms_consent:
        now = utcnow()
        beneficiary.sms_consent = consent
        beneficiary.sms_consent_at = now
        session.add(
            ConsentEvent(
                beneficiary_id=beneficiary.id,
                at=now,
                consent=consent,
                source=source,
                actor=actor,
            )
        )
        if not consent:
            cancel_queued_for(session, [beneficiary.id], now)
    return beneficiary


def get_by_case_reference(session: Session, case_reference: str) -> Beneficiary:
    """Return the beneficiary with this case reference, or raise Invalid naming the field."""
    reference = case_reference.strip()
    beneficiary = session.scalar(select(Beneficiary).where(Beneficiary.case_reference == reference))
    if beneficiary is None:
        raise Invalid("case_reference", f"No beneficiary with case reference {reference!r}.")
    return beneficiary


def set_discreet(session: Session, beneficiary: Beneficiary, discreet: bool) -> Beneficiary:
    """Set the discreet flag and re-render the feeds that show the beneficiary's bookings."""
    refuse_erased(beneficiary)
    if discreet != beneficiary.discreet:
        beneficiary.discreet = discreet
        feeds.refresh_beneficiary(session, beneficiary)
    return beneficiary
