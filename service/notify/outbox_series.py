"""Queue the SMS of a series' classes: enrolment, several classes cancelled, a split, new
reminder offsets. Single-class changes go through the booking hooks in `service.notify.outbox`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from service.models import Beneficiary, Booking, Enrolment, OutboxMessage, Series
from service.notify import outbox
from service.plumbing.clock import utcnow


def _upcoming_classes(session: Session, series_id: int, now: datetime) -> list[Booking]:
    """Return the series' live classes still to come, earliest first."""
    return list(
        session.scalars(
            select(Booking)
            .where(
                Booking.series_id == series_id,
                Booking.status.in_(("tentative", "confirmed")),
                Booking.starts_at > now,
            )
            .order_by(Booking.starts_at)
        )
    )


ENROLMENT_MESSAGES = {"enrolled": "enrolment", "promoted": "waitlist_promotion"}


def on_enrolment_changed(
    session: Session, enrolment: Enrolment, event: str, now: datetime | None = None
) -> None:
    """Confirm a seat (or a promotion from the waitlist) and remind before each occurrence.

    A withdrawn enrolment stops the reminders still queued for the series' occurrences.
    """
    now, settings = now or utcnow(), outbox.notify_settings(session)
    upcoming = _upcoming_classes(session, enrolment.series_id, now)
    beneficiary = enrolment.beneficiary
    if event == "cancelled":
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.beneficiary_id == beneficiary.id,
                OutboxMessage.booking_id.in_([b.id for b in upcoming]),
                OutboxMessage.status == "queued",
            )
            .values(status="cancelled", updated_at=now, lease_until=None, claimed_by=None)
        )
        return
    kind = ENROLMENT_MESSAGES.get(event)
    if kind is None or not upcoming:
        return  # a place on the waitlist is not worth a message; a finished series neither
    outbox.queue_for_beneficiary(
        session, upcoming[0], beneficiary, kind, now, settings,
        key=f"{kind}:s{enrolment.series_id}:b{beneficiary.id}:e{enrolment.id}",
    )  # fmt: skip
    for occurrence in upcoming:
        outbox.queue_reminders(session, occurrence, beneficiary, now, settings)
    outbox.write_queued(session)


Announced = dict[int, list[Booking]]


def announced_classes(session: Session, classes: Iterable[Booking]) -> Announced:
    """Map each attendee to the classes among `classes` they know of; call before changing them."""
    found: Announced = {}
    for booking in classes:
        known = outbox.known_to(session, booking)
        for beneficiary in outbox.attendees(session, booking):
            if beneficiary.id in known:
                found.setdefault(beneficiary.id, []).append(booking)
    return found


def on_classes_cancelled(
    session: Session, announced: Announced, now: datetime | None = None
) -> None:
    """Tell each beneficiary once of the classes cancelled that they knew of.

    One class: its cancellation notice. Several (a series cancelled or ended early): one notice
    that every class from the first of them on is cancelled, not a message per class.
    """
    now, settings = now or utcnow(), outbox.notify_settings(session)
    for beneficiary_id, classes in announced.items():
        first = min(classes, key=lambda b: b.starts_at)
        if first.starts_at <= now:
            continue
        beneficiary = session.get(Beneficiary, beneficiary_id)
        if beneficiary is None:
            continue
        kind = "cancellation" if len(classes) == 1 else "series_cancellation"
        outbox.queue_for_beneficiary(
            session, first, beneficiary, kind, now, settings,
            key=f"{kind}:{first.id}:b{beneficiary.id}",
        )  # fmt: skip
    outbox.write_queued(session)


def on_series_continued(
    session: Session, successor: Series, announced: Announced, now: datetime | None = None
) -> None:
    """After a split, tell who knew of the old classes the new time, and remind them anew."""
    now, settings = now or utcnow(), outbox.notify_settings(session)
    upcoming = _upcoming_classes(session, successor.id, now)
    if not upcoming:
        return
    first = upcoming[0]
    for beneficiary in outbox.attendees(session, first):
        previous = min((b.starts_at for b in announced.get(beneficiary.id, ())), default=None)
        if previous is not None and previous != first.starts_at:
            outbox.queue_for_beneficiary(
                session, first, beneficiary, "reschedule", now, settings,
                key=f"reschedule:{first.id}:b{beneficiary.id}:v{first.version}",
                previous=previous,
            )  # fmt: skip
        for occurrence in upcoming:
            outbox.queue_reminders(session, occurrence, beneficiary, now, settings)
    outbox.write_queued(session)


def on_reminders_changed(session: Session, series: Series, now: datetime | None = None) -> None:
    """Plan the reminders of the series' classes to come anew after its offsets changed.

    Reminders still queued are dropped outright (nobody saw them) so that any offset may come
    back later; those already sent stay.
    """
    now, settings = now or utcnow(), outbox.notify_settings(session)
    classes = _upcoming_classes(session, series.id, now)
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.booking_id.in_([b.id for b in classes]),
            OutboxMessage.kind == "reminder",
            OutboxMessage.status == "queued",
        )
    )
    for booking in classes:
        for beneficiary in outbox.attendees(session, booking):
            outbox.queue_reminders(session, booking, beneficiary, now, settings)
    outbox.write_queued(session)
