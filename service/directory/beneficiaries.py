"""Beneficiaries: register, update consent and flags, keeping no more than needed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import feeds
from service.booking.audit import record_change
from service.directory.languages import check_language
from service.directory.phones import normalise_phone
from service.models import Beneficiary, BeneficiaryLanguage, ConsentEvent, Office
from service.notify.outbox import cancel_queued_for
from service.plumbing.clock import utcnow
from service.plumbing.errors import Conflict, Invalid, InvalidTransition, NotFound


@dataclass(frozen=True)
class BeneficiaryRequest:
    case_reference: str
    language: str
    phone: str | None = None
    sms_consent: bool = False
    discreet: bool = False
    is_minor: bool = False
    guardian_phone: str | None = None
    offices: Sequence[str] = ()
    other_languages: Sequence[str] = ()


def other_language_rows(preferred: str, codes: Iterable[str]) -> list[BeneficiaryLanguage]:
    """Return rows for the other languages, each a known code, the preferred one left out."""
    wanted = sorted({check_language("other_languages", code) for code in codes})
    return [BeneficiaryLanguage(language=code) for code in wanted if code != preferred]


def load_offices(session: Session, codes: Iterable[str]) -> list[Office]:
    """Return the offices with these codes, refusing unknown ones and an empty list."""
    wanted = sorted(set(codes))
    if not wanted:
        raise Invalid("offices", "Name at least one office the beneficiary belongs to.").coded(
            "beneficiary_office_required"
        )
    found = list(session.scalars(select(Office).where(Office.code.in_(wanted))))
    missing = set(wanted) - {office.code for office in found}
    if missing:
        raise Invalid("offices", f"No office with code {sorted(missing)[0]!r}.").coded(
            "office_unknown", office=sorted(missing)[0]
        )
    return sorted(found, key=lambda office: office.code)


def register_beneficiary(
    session: Session, request: BeneficiaryRequest, source: str = "api", actor: str | None = None
) -> Beneficiary:
    """Add a beneficiary to the offices named; consent given now is recorded with how
    (`source`) and who."""
    reference = request.case_reference.strip()
    if not reference:
        raise Invalid("case_reference", "A case reference is required.").coded(
            "case_reference_required"
        )
    offices = load_offices(session, request.offices)
    if session.scalar(select(Beneficiary.id).where(Beneficiary.case_reference == reference)):
        raise Conflict(f"Case reference {reference!r} is already registered.").coded(
            "case_reference_taken", reference=reference
        )
    phone = normalise_phone("phone", request.phone) if request.phone else None
    guardian = (
        normalise_phone("guardian_phone", request.guardian_phone)
        if request.guardian_phone
        else None
    )
    if request.sms_consent and not (guardian if request.is_minor else phone):
        field = "guardian_phone" if request.is_minor else "phone"
        raise Invalid(field, "SMS consent needs a number to send to.").coded("sms_needs_phone")
    language = check_language("language", request.language)
    others = other_language_rows(language, request.other_languages)
    now = utcnow()
    beneficiary = Beneficiary(
        case_reference=reference,
        language=language,
        language_rows=others,
        phone=phone,
        sms_consent=request.sms_consent,
        sms_consent_at=now if request.sms_consent else None,
        discreet=request.discreet,
        is_minor=request.is_minor,
        guardian_phone=guardian,
        created_at=now,
        offices=offices,
    )
    session.add(beneficiary)
    session.flush()
    record_change(
        session,
        actor=actor or source,
        action="register",
        entity="beneficiary",
        entity_id=beneficiary.id,
        before=None,
        after=beneficiary_image(beneficiary),
    )
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
        raise InvalidTransition(
            "This beneficiary's data was erased; nothing can be changed."
        ).coded("beneficiary_erased_fixed")


def get_beneficiary(session: Session, beneficiary_id: int) -> Beneficiary:
    beneficiary = session.get(Beneficiary, beneficiary_id)
    if beneficiary is None:
        raise NotFound(f"No beneficiary with id {beneficiary_id}.").coded("beneficiary_unknown_id")
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
        raise Invalid("sms_consent", "SMS consent needs a number to send to.").coded(
            "sms_needs_phone"
        )
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


def get_by_case_reference(
    session: Session, case_reference: str, offices: Iterable[str] | None = None
) -> Beneficiary:
    """Return the beneficiary with this case reference, or raise Invalid naming the field.

    With `offices`, one who belongs to none of them is answered as unknown: a reference
    outside the caller's scope is never confirmed to exist.
    """
    reference = case_reference.strip()
    query = select(Beneficiary).where(Beneficiary.case_reference == reference)
    if offices is not None:
        query = query.where(Beneficiary.offices.any(Office.code.in_(list(offices))))
    beneficiary = session.scalar(query)
    if beneficiary is None:
        raise Invalid("case_reference", f"No beneficiary with case reference {reference!r}.").coded(
            "beneficiary_unknown", reference=reference
        )
    return beneficiary


def beneficiary_image(beneficiary: Beneficiary) -> dict[str, Any]:
    """Return the audited fields of a beneficiary; numbers only as present or not."""
    return {
        "language": beneficiary.language,
        "other_languages": beneficiary.other_languages,
        "has_phone": beneficiary.phone is not None,
        "sms_consent": beneficiary.sms_consent,
        "discreet": beneficiary.discreet,
        "is_minor": beneficiary.is_minor,
        "has_guardian_phone": beneficiary.guardian_phone is not None,
        "offices": beneficiary.office_codes,
    }


@dataclass(frozen=True)
class BeneficiaryChanges:
    """What a coordinator may change; None leaves a field as it is (phones: "" clears)."""

    language: str | None = None
    phone: str | None = None
    sms_consent: bool | None = None
    discreet: bool | None = None
    is_minor: bool | None = None
    guardian_phone: str | None = None
    offices: Sequence[str] | None = None
    other_languages: Sequence[str] | None = None


def _replace_other_languages(beneficiary: Beneficiary, rows: list[BeneficiaryLanguage]) -> None:
    """Keep the rows of languages still listed, so that no row is deleted and re-added."""
    current = {row.language: row for row in beneficiary.language_rows}
    beneficiary.language_rows = [current.get(row.language, row) for row in rows]


def update_beneficiary(
    session: Session,
    beneficiary: Beneficiary,
    changes: BeneficiaryChanges,
    actor: str,
    source: str = "api",
) -> Beneficiary:
    """Change a beneficiary's profile, offices, consent and flags, audited with before and after.

    The whole change is checked before anything is written: a number for consent, known
    offices, a valid language.
    """
    refuse_erased(beneficiary)
    before = beneficiary_image(beneficiary)
    if changes.language is not None:
        beneficiary.language = check_language("language", changes.language)
    if changes.other_languages is not None or changes.language is not None:
        codes = beneficiary.other_languages
        if changes.other_languages is not None:
            codes = list(changes.other_languages)
        _replace_other_languages(beneficiary, other_language_rows(beneficiary.language, codes))
    for name in ("phone", "guardian_phone"):
        value = getattr(changes, name)
        if value is not None:
            setattr(beneficiary, name, normalise_phone(name, value) if value.strip() else None)
    if changes.is_minor is not None:
        beneficiary.is_minor = changes.is_minor
    if changes.offices is not None:
        beneficiary.offices = load_offices(session, changes.offices)
    consent = beneficiary.sms_consent if changes.sms_consent is None else changes.sms_consent
    if consent and not (beneficiary.guardian_phone if beneficiary.is_minor else beneficiary.phone):
        raise Invalid("sms_consent", "SMS consent needs a number to send to.").coded(
            "sms_needs_phone"
        )
    set_sms_consent(session, beneficiary, consent, source=source, actor=actor)
    if changes.discreet is not None and changes.discreet != beneficiary.discreet:
        beneficiary.discreet = changes.discreet
        feeds.refresh_beneficiary(session, beneficiary)
    after = beneficiary_image(beneficiary)
    if after != before:
        record_change(
            session,
            actor=actor,
            action="update",
            entity="beneficiary",
            entity_id=beneficiary.id,
            before=before,
            after=after,
        )
    return beneficiary
