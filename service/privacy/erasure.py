"""Erase a beneficiary: remove their personal data everywhere it was copied, in one transaction.

What goes: the case reference (replaced by a generated `erased-<id>`), the phone and guardian's
numbers, consent and its history, the minor and discreet flags, the bodies and numbers of every
SMS to them (queued ones are cancelled), the replies from them, a refusal flag on their number,
their reference or number wherever a coordinator typed it, in any spelling (booking notes,
reasons, places, dial-in numbers, series texts and exceptions, time off and closures, other SMS;
see service/privacy/redaction.py) and in the audit log's images.  Their bookings, and every booking or
series whose text changed, get a note-free re-render, so no feed shows them again, and the
feeds' change counters move.

The other languages they speak go too, and so do their interpreter needs and the interpreters
they avoid with the reasons (protection data); the audit log keeps only that these were
recorded, by whom and when, its images blanked.

What stays: a tombstone row with the preferred language (the statistics count by language; on
its own, with small counts masked, it names nobody), the registration date and `erased_at`, so
bookings, enrolments and attendance still count by office, service, language and month. Current
enrolments and waitlist places are withdrawn so the seats go to others.

A number shared with another (not erased) beneficiary or a staff member stays where they use
it: it is their data too. Erasing twice is refused (409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service import feeds
from service.booking.audit import record_change
from service.booking.bookings import Actor
from service.models import (
    AuditEntry,
    AvoidedInterpreter,
    Beneficiary,
    Booking,
    BookingBeneficiary,
    ConsentEvent,
    Enrolment,
    FlaggedNumber,
    IdempotencyKey,
    InterpreterNeeds,
    OutboxMessage,
    Resource,
    Series,
    SmsReply,
)
from service.plumbing.clock import utcnow
from service.plumbing.errors import InvalidTransition, NotFound
from service.privacy.redaction import Secrets, redact_free_text, scrub_audit
from service.series.enrolment import withdraw


@dataclass(frozen=True)
class Erasure:
    """What an erasure changed, in counts only."""

    beneficiary_id: int
    erased_at: datetime
    messages_cancelled: int
    messages_blanked: int
    replies_deleted: int
    consent_events_deleted: int
    enrolments_withdrawn: int
    bookings_rerendered: int
    audit_entries_scrubbed: int
    texts_redacted: int
    interpreter_needs_deleted: int
    avoided_interpreters_deleted: int

    def image(self) -> dict[str, Any]:
        return {
            "erased_at": self.erased_at.isoformat(),
            "messages_cancelled": self.messages_cancelled,
            "messages_blanked": self.messages_blanked,
            "replies_deleted": self.replies_deleted,
            "consent_events_deleted": self.consent_events_deleted,
            "enrolments_withdrawn": self.enrolments_withdrawn,
            "bookings_rerendered": self.bookings_rerendered,
            "audit_entries_scrubbed": self.audit_entries_scrubbed,
            "texts_redacted": self.texts_redacted,
            "interpreter_needs_deleted": self.interpreter_needs_deleted,
            "avoided_interpreters_deleted": self.avoided_interpreters_deleted,
        }


def tombstone_reference(beneficiary_id: int) -> str:
    return f"erased-{beneficiary_id}"


@dataclass(frozen=True)
class ErasurePreview:
    """What an erasure would remove or change, counted before anything is touched."""

    beneficiary_id: int
    messages_cancelled: int
    messages_blanked: int
    replies_deleted: int
    consent_events_deleted: int
    enrolments_withdrawn: int
    bookings: int
    interpreter_needs_deleted: int
    avoided_interpreters_deleted: int


def _numbers_of_others(session: Session, beneficiary: Beneficiary) -> set[str]:
    others = select(Beneficiary.phone, Beneficiary.guardian_phone).where(
        Beneficiary.id != beneficiary.id, Beneficiary.erased_at.is_(None)
    )
    used = {n for row in session.execute(others) for n in row if n}
    used |= {n for n in session.scalars(select(Resource.phone)) if n}
    return used


def _numbers_to_erase(session: Session, beneficiary: Beneficiary) -> set[str]:
    """The beneficiary's own and guardian's numbers that nobody else still uses."""
    own = {n for n in (beneficiary.phone, beneficiary.guardian_phone) if n}
    return own - _numbers_of_others(session, beneficiary) if own else set()


def _active_enrolments(beneficiary_id: int) -> ColumnElement[bool]:
    return and_(Enrolment.beneficiary_id == beneficiary_id, Enrolment.status != "cancelled")


def _their_messages(beneficiary_id: int, numbers: set[str]) -> ColumnElement[bool]:
    mine = OutboxMessage.beneficiary_id == beneficiary_id
    return or_(mine, OutboxMessage.to.in_(numbers)) if numbers else mine


def _still_readable() -> ColumnElement[bool]:
    return or_(OutboxMessage.body.is_not(None), OutboxMessage.to.is_not(None))


def _their_replies(beneficiary_id: int, numbers: set[str]) -> ColumnElement[bool]:
    theirs = SmsReply.beneficiary_id == beneficiary_id
    return or_(theirs, SmsReply.from_phone.in_(numbers)) if numbers else theirs


def _their_live_bookings(beneficiary_id: int) -> Select[Any]:
    return (
        select(Booking.id)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .where(BookingBeneficiary.beneficiary_id == beneficiary_id, Booking.status != "cancelled")
    )


def _count(session: Session, model: type[Any], *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _erasable(session: Session, beneficiary_id: int, *, lock: bool) -> Beneficiary:
    query = select(Beneficiary).where(Beneficiary.id == beneficiary_id)
    beneficiary = session.scalar(query.with_for_update() if lock else query)
    if beneficiary is None:
        raise NotFound(f"No beneficiary with id {beneficiary_id}.").coded("beneficiary_unknown_id")
    if beneficiary.erased_at is not None:
        raise InvalidTransition("This beneficiary's data was erased already.").coded(
            "beneficiary_erased_already"
        )
    return beneficiary


def preview_erasure(session: Session, beneficiary_id: int) -> ErasurePreview:
    """Count what `erase_beneficiary` would remove, with the same selections, changing nothing."""
    beneficiary = _erasable(session, beneficiary_id, lock=False)
    numbers = _numbers_to_erase(session, beneficiary)
    messages = _their_messages(beneficiary_id, numbers)
    return ErasurePreview(
        beneficiary_id=beneficiary_id,
        messages_cancelled=_count(
            session, OutboxMessage, messages, OutboxMessage.status == "queued"
        ),
        messages_blanked=_count(session, OutboxMessage, messages, _still_readable()),
        replies_deleted=_count(session, SmsReply, _their_replies(beneficiary_id, numbers)),
        consent_events_deleted=_count(
            session, ConsentEvent, ConsentEvent.beneficiary_id == beneficiary_id
        ),
        enrolments_withdrawn=_count(session, Enrolment, _active_enrolments(beneficiary_id)),
        bookings=len(session.scalars(_their_live_bookings(beneficiary_id)).all()),
        interpreter_needs_deleted=_count(
            session, InterpreterNeeds, InterpreterNeeds.beneficiary_id == beneficiary_id
        ),
        avoided_interpreters_deleted=_count(
            session, AvoidedInterpreter, AvoidedInterpreter.beneficiary_id == beneficiary_id
        ),
    )


def _withdraw_enrolments(session: Session, beneficiary_id: int, actor: Actor, now: datetime) -> int:
    active = list(
        session.scalars(
            select(Enrolment).where(_active_enrolments(beneficiary_id)).order_by(Enrolment.id)
        )
    )
    for enrolment in active:
        withdraw(session, enrolment.series_id, enrolment.id, actor, now)
    return len(active)


def _blank_messages(
    session: Session, beneficiary_id: int, numbers: set[str], now: datetime
) -> tuple[int, int]:
    """Cancel queued SMS to the beneficiary and blank the body and number of all of them."""
    mine = _their_messages(beneficiary_id, numbers)
    cancelled = session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status == "queued")
        .values(status="cancelled", error_code="erased", lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    blanked = session.execute(
        update(OutboxMessage)
        .where(mine, _still_readable())
        .values(body=None, to=None, purged_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(cancelled.rowcount), int(blanked.rowcount)  # type: ignore[attr-defined]


def _delete_replies_and_consent(
    session: Session, beneficiary_id: int, numbers: set[str]
) -> tuple[int, int]:
    theirs = _their_replies(beneficiary_id, numbers)
    if numbers:
        session.execute(delete(FlaggedNumber).where(FlaggedNumber.phone.in_(numbers)))
    replies = session.execute(delete(SmsReply).where(theirs))
    consent = session.execute(
        delete(ConsentEvent).where(ConsentEvent.beneficiary_id == beneficiary_id)
    )
    return int(replies.rowcount), int(consent.rowcount)  # type: ignore[attr-defined]


# Audit actions whose images hold interpreter needs or avoided interpreters.
NEEDS_ACTIONS = ("set_interpreter_needs", "avoid_interpreter", "stop_avoiding_interpreter")


def _delete_interpreter_needs(session: Session, beneficiary_id: int) -> tuple[int, int, int]:
    """Delete their needs and avoided interpreters, and blank the audit images of both."""
    needs = session.execute(
        delete(InterpreterNeeds).where(InterpreterNeeds.beneficiary_id == beneficiary_id)
    )
    avoided = session.execute(
        delete(AvoidedInterpreter).where(AvoidedInterpreter.beneficiary_id == beneficiary_id)
    )
    blanked = session.execute(
        update(AuditEntry)
        .where(
            AuditEntry.entity == "beneficiary",
            AuditEntry.entity_id == beneficiary_id,
            AuditEntry.action.in_(NEEDS_ACTIONS),
        )
        .values(before=None, after=None)
        .execution_options(synchronize_session=False)
    )
    return (
        int(needs.rowcount),  # type: ignore[attr-defined]
        int(avoided.rowcount),  # type: ignore[attr-defined]
        int(blanked.rowcount),  # type: ignore[attr-defined]
    )


def _clear_sole_notes(session: Session, beneficiary_id: int) -> None:
    """Notes of a booking made for this beneficiary alone are about them: they go."""
    theirs = select(BookingBeneficiary.booking_id).where(
        BookingBeneficiary.beneficiary_id == beneficiary_id
    )
    shared = (
        select(BookingBeneficiary.booking_id)
        .where(BookingBeneficiary.beneficiary_id != beneficiary_id)
        .where(BookingBeneficiary.booking_id.in_(theirs))
    )
    session.execute(
        update(Booking)
        .where(Booking.id.in_(theirs), Booking.id.not_in(shared), Booking.notes.is_not(None))
        .values(notes=None)
        .execution_options(synchronize_session=False)
    )


def forget_answers_naming(session: Session, secrets: Secrets) -> int:
    """Delete the kept answers of idempotency keys that name the person (kept a day at most)."""
    kept = session.scalars(select(IdempotencyKey).where(IdempotencyKey.body.is_not(None)))
    naming = [row for row in kept if row.body and secrets.redact(row.body) != row.body]
    for row in naming:
        session.delete(row)
    return len(naming)


def _tombstone(beneficiary: Beneficiary, now: datetime) -> None:
    beneficiary.case_reference = tombstone_reference(beneficiary.id)
    beneficiary.phone = None
    beneficiary.guardian_phone = None
    beneficiary.language_rows = []
    beneficiary.sms_consent = False
    beneficiary.sms_consent_at = None
    beneficiary.is_minor = False
    beneficiary.discreet = False
    beneficiary.erased_at = now


def erase_beneficiary(
    session: Session, beneficiary_id: int, actor: Actor, now: datetime | None = None
) -> Erasure:
    """Erase one beneficiary's personal data and audit that it happened (who, when, counts)."""
    now = now or utcnow()
    beneficiary = _erasable(session, beneficiary_id, lock=True)
    numbers = _numbers_to_erase(session, beneficiary)
    secrets = Secrets.of(numbers, beneficiary.case_reference)
    rows, entries = _own_rows(session, beneficiary.id)

    enrolments = _withdraw_enrolments(session, beneficiary.id, actor, now)
    cancelled, blanked = _blank_messages(session, beneficiary.id, numbers, now)
    replies, consent = _delete_replies_and_consent(session, beneficiary.id, numbers)
    needs, avoided, needs_audit = _delete_interpreter_needs(session, beneficiary.id)
    _clear_sole_notes(session, beneficiary.id)
    session.flush()
    texts = redact_free_text(session, secrets, rows)
    audited = scrub_audit(session, secrets, entries) + needs_audit
    forget_answers_naming(session, secrets)
    _tombstone(beneficiary, now)
    session.flush()
    session.expire_all()  # the bulk updates above changed rows the session may hold
    beneficiary = session.get_one(Beneficiary, beneficiary_id)
    rerendered = _rerender(session, beneficiary, texts.booking_ids, texts.series_ids)
    erasure = Erasure(
        beneficiary_id=beneficiary.id,
        erased_at=now,
        messages_cancelled=cancelled,
        messages_blanked=blanked,
        replies_deleted=replies,
        consent_events_deleted=consent,
        enrolments_withdrawn=enrolments,
        bookings_rerendered=rerendered,
        audit_entries_scrubbed=audited,
        texts_redacted=texts.rows,
        interpreter_needs_deleted=needs,
        avoided_interpreters_deleted=avoided,
    )
    record_change(
        session,
        actor=actor.name,
        action="erase",
        entity="beneficiary",
        entity_id=beneficiary.id,
        before=None,
        after=erasure.image(),
    )
    return erasure


def _rerender(
    session: Session, beneficiary: Beneficiary, booking_ids: set[int], series_ids: set[int]
) -> int:
    """Render again the beneficiary's bookings and the bookings and series whose text changed.

    This moves the feeds' counters; return how many bookings.
    """
    theirs = set(session.scalars(_their_live_bookings(beneficiary.id)))
    feeds.refresh_beneficiary(session, beneficiary)
    others = sorted(booking_ids - theirs)
    for booking in session.scalars(select(Booking).where(Booking.id.in_(others))):
        feeds.refresh_booking(session, booking)
    for series_id in sorted(series_ids):
        feeds.series_changed(session, series_id)
    return len(theirs) + len(others)


def _own_rows(
    session: Session, beneficiary_id: int
) -> tuple[dict[type[Any], list[int]], dict[str, list[int]]]:
    """The rows (by table) and audit entries (by entity) that belong to the beneficiary."""
    bookings = list(
        session.scalars(
            select(BookingBeneficiary.booking_id).where(
                BookingBeneficiary.beneficiary_id == beneficiary_id
            )
        )
    )
    enrolled = session.execute(
        select(Enrolment.id, Enrolment.series_id).where(Enrolment.beneficiary_id == beneficiary_id)
    ).all()
    series = sorted({row.series_id for row in enrolled})
    messages = list(
        session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.beneficiary_id == beneficiary_id)
        )
    )
    replies = list(
        session.scalars(select(SmsReply.id).where(SmsReply.beneficiary_id == beneficiary_id))
    )
    rows: dict[type[Any], list[int]] = {
        Booking: bookings,
        Series: series,
        OutboxMessage: messages,
        SmsReply: replies,
    }
    entries = {
        "beneficiary": [beneficiary_id],
        "booking": bookings,
        "series": series,
        "enrolment": [row.id for row in enrolled],
    }
    return rows, entries
