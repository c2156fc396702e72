"""The SMS outbox as people follow it: a booking's messages, those needing attention (and
marking one handled), inbound replies.

`offices` narrows a listing to bookings at those office codes; None means every office (and
rows whose booking is gone or has no office), as an admin sees them.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, String, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from service.auth import Principal, authorize_booking, require_role
from service.clock import utcnow
from service.errors import Conflict, Forbidden, InvalidTransition, NotFound
from service.models import Booking, Office, OutboxMessage, SmsReply

# A message that failed, bounced or whose fate is unknown: a coordinator should look at it.
NEEDS_ATTENTION = ("failed", "undelivered", "review")
# Of those, the ones `outbox.resend_message` accepts.
RESENDABLE = ("failed", "undelivered")
REPLY_PAGE = 200


@dataclass(frozen=True)
class Page:
    messages: list[OutboxMessage]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max((self.total + self.size - 1) // self.size, 1)


def list_booking_notifications(session: Session, booking_id: int) -> list[OutboxMessage]:
    """Return the SMS of a booking in the order they are (or were) due."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.booking_id == booking_id)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )


def _at_offices(offices: Collection[str]) -> Select[int]:
    return select(Booking.id).join(Booking.office).where(Office.code.in_(list(offices)))


def list_needing_attention(
    session: Session, *, offices: Collection[str] | None, page: int = 1, size: int = 50
) -> Page:
    """Failed, undelivered and in-review messages neither resent nor handled, newest first."""
    copy = aliased(OutboxMessage)
    resent = exists().where(copy.dedupe_key == literal("resend:") + cast(OutboxMessage.id, String))
    where = [
        OutboxMessage.status.in_(NEEDS_ATTENTION),
        OutboxMessage.purged_at.is_(None),
        OutboxMessage.handled_at.is_(None),
        ~resent,
    ]
    if offices is not None:
        where.append(OutboxMessage.booking_id.in_(_at_offices(offices)))
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where)) or 0
    number = max(page, 1)
    messages = session.scalars(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
        .offset((number - 1) * size)
        .limit(size)
    )
    return Page(list(messages), number, size, total)


def authorize_message(session: Session, principal: Principal, outbox_id: int) -> OutboxMessage:
    """Allow admins, and coordinators of the office of the message's booking, to act on it."""
    require_role(principal, "admin", "coordinator")
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        raise NotFound(f"No notification with id {outbox_id}.")
    booking = session.get(Booking, message.booking_id) if message.booking_id else None
    if booking is None:
        if not principal.is_admin:
            raise Forbidden("Only an admin may act on a message whose booking is gone.")
        return message
    authorize_booking(principal, office_code=booking.office_code, resource_ids=(), write=True)
    return message


def mark_handled(
    session: Session, outbox_id: int, *, by: str, now: datetime | None = None
) -> OutboxMessage:
    """Record that someone dealt with a message needing attention; it leaves that list."""
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        raise NotFound(f"No notification with id {outbox_id}.")
    if message.status not in NEEDS_ATTENTION:
        raise InvalidTransition(
            f"Only a failed or unclear notification is marked handled; this one is {message.status}."
        )
    if message.handled_at is not None:
        raise Conflict("This notification was marked handled already.")
    message.handled_at = now or utcnow()
    message.handled_by = by[:100]
    session.flush()
    return message


def list_replies(
    session: Session,
    *,
    offices: Collection[str] | None,
    booking_id: int | None = None,
    limit: int = REPLY_PAGE,
) -> list[SmsReply]:
    """Return SMS replies that were not keywords, newest first."""
    query = select(SmsReply).order_by(SmsReply.received_at.desc(), SmsReply.id.desc())
    if booking_id is not None:
        query = query.where(SmsReply.booking_id == booking_id)
    if offices is not None:
        query = query.where(SmsReply.booking_id.in_(_at_offices(offices)))
    return list(session.scalars(query.limit(limit)))
