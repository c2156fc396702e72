"""The SMS outbox as people follow it: a booking's messages, those needing attention (and
marking one handled), inbound replies.

A `Scope` from the access policy narrows each listing to what the caller may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from service.access.access_policy import Scope
from service.access.access_queries import messages_in, replies_in
from service.models import OutboxMessage, SmsReply
from service.plumbing.clock import utcnow
from service.plumbing.errors import Conflict, InvalidTransition, NotFound

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


def list_booking_notifications(
    session: Session, booking_id: int, scope: Scope
) -> list[OutboxMessage]:
    """Return the SMS of a booking the scope shows, in the order they are (or were) due."""
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.booking_id == booking_id, messages_in(scope))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
        )
    )


def list_needing_attention(
    session: Session, scope: Scope, *, page: int = 1, size: int = 50
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
    where.append(messages_in(scope))
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


def mark_handled(
    session: Session, outbox_id: int, *, by: str, now: datetime | None = None
) -> OutboxMessage:
    """Record that someone dealt with a message needing attention; it leaves that list."""
    message = session.get(OutboxMessage, outbox_id)
    if message is None:
        raise NotFound(f"No notification with id {outbox_id}.").coded("notification_unknown")
    if message.status not in NEEDS_ATTENTION:
        raise InvalidTransition(
            f"Only a failed or unclear notification is marked handled; this one is {message.status}."
        ).coded("handled_not_failed", status=message.status)
    if message.handled_at is not None:
        raise Conflict("This notification was marked handled already.").coded("handled_already")
    message.handled_at = now or utcnow()
    message.handled_by = by[:100]
    session.flush()
    return message


def list_replies(
    session: Session,
    scope: Scope,
    *,
    booking_id: int | None = None,
    limit: int = REPLY_PAGE,
) -> list[SmsReply]:
    """Return SMS replies that were not keywords, newest first."""
    query = select(SmsReply).order_by(SmsReply.received_at.desc(), SmsReply.id.desc())
    if booking_id is not None:
        query = query.where(SmsReply.booking_id == booking_id)
    query = query.where(replies_in(scope))
    return list(session.scalars(query.limit(limit)))
