"""Who a planned change to a series' classes would tell, worked out before it is made.

Read-only: it follows the rules of `service.notify.outbox` and `service.notify.outbox_series` (a class is
announced to a beneficiary once any message about it was queued or sent; a message needs SMS
consent and a number) and names people by case reference only, never by phone number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy.orm import Session

from service.models import Beneficiary, Booking
from service.notify import outbox, outbox_series
from service.notify.settings import SHORT_NOTICE
from service.plumbing.clock import utcnow
from service.series.series import LIVE


@dataclass(frozen=True)
class Told:
    case_reference: str
    message: str  # the outbox kind: cancellation, series_cancellation, reschedule


@dataclass(frozen=True)
class Untold:
    case_reference: str
    reason: str  # not_announced, no_consent, no_phone


@dataclass(frozen=True)
class Audience:
    told: list[Told] = field(default_factory=list)
    untold: list[Untold] = field(default_factory=list)
    staff: list[str] = field(default_factory=list)  # people texted at short notice, by name


def _staff_at_short_notice(
    bookings: Sequence[Booking], now: datetime, other_start: datetime | None = None
) -> list[str]:
    """The booked people with a phone who get an SMS because a class changes at short notice
    (within SHORT_NOTICE of its start, or of `other_start`, where a class moves to)."""
    names: set[str] = set()
    for booking in bookings:
        starts = [booking.starts_at, *([other_start] if other_start else [])]
        if any(now < start <= now + SHORT_NOTICE for start in starts):
            names |= {
                hold.resource.name
                for hold in booking.holds
                if hold.resource.is_person and hold.resource.phone
            }
    return sorted(names)


def _unreachable(beneficiary: Beneficiary) -> str | None:
    """Why no SMS can reach this beneficiary, if none can."""
    if not beneficiary.sms_consent:
        return "no_consent"
    if not outbox.recipient_phone(beneficiary):
        return "no_phone"
    return None


def _sorted(told: list[Told], untold: list[Untold]) -> Audience:
    return Audience(
        sorted(told, key=lambda t: t.case_reference),
        sorted(untold, key=lambda u: u.case_reference),
    )


def _audience(people: dict[int, Beneficiary], messages: dict[int, str]) -> Audience:
    """Sort the attendees into who gets which message and who is not told, and why."""
    told, untold = [], []
    for beneficiary_id, beneficiary in people.items():
        kind = messages.get(beneficiary_id)
        reason = _unreachable(beneficiary) or (None if kind else "not_announced")
        if kind and reason is None:
            told.append(Told(beneficiary.case_reference, kind))
        else:
            untold.append(Untold(beneficiary.case_reference, reason or "not_announced"))
    return _sorted(told, untold)


def if_cancelled(
    session: Session, classes: Sequence[Booking], now: datetime | None = None
) -> Audience:
    """Who is told if these classes are cancelled: once each, of the classes they knew of."""
    moment = now or utcnow()
    coming = [b for b in classes if b.starts_at > moment and b.status in LIVE]
    people: dict[int, Beneficiary] = {}
    for booking in coming:
        people |= {b.id: b for b in outbox.attendees(session, booking)}
    announced = outbox_series.announced_classes(session, coming)
    messages = {
        beneficiary_id: "cancellation" if len(known) == 1 else "series_cancellation"
        for beneficiary_id, known in announced.items()
    }
    return replace(_audience(people, messages), staff=_staff_at_short_notice(coming, moment))


def if_moved(
    session: Session, booking: Booking, starts_at: datetime, now: datetime | None = None
) -> Audience:
    """Who is told if this class moves to start at `starts_at`: those who knew of it."""
    moment = now or utcnow()
    people = {b.id: b for b in outbox.attendees(session, booking)}
    staff = _staff_at_short_notice([booking], moment, starts_at)
    if booking.status != "confirmed" or starts_at <= moment:
        return replace(_audience(people, {}), staff=staff)
    known = outbox.known_to(session, booking)
    return replace(_audience(people, {i: "reschedule" for i in people if i in known}), staff=staff)


def if_split(
    session: Session, classes: Sequence[Booking], new_start: datetime, now: datetime | None = None
) -> Audience:
    """Who is told if these classes continue in a new series whose first class starts at
    `new_start`: those who knew of them, when the time changes (an SMS with the new time)."""
    moment = now or utcnow()
    coming = [b for b in classes if b.starts_at > moment and b.status in LIVE]
    people: dict[int, Beneficiary] = {}
    for booking in coming[:1]:  # the enrolled move over; the first class names them all
        people = {b.id: b for b in outbox.attendees(session, booking)}
    announced = outbox_series.announced_classes(session, coming)
    messages = {
        beneficiary_id: "reschedule"
        for beneficiary_id, known in announced.items()
        if min(b.starts_at for b in known) != new_start
    }
    return _audience(people, messages)
