"""Forget message bodies and phone numbers once they are older than the retention period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from service.models import OutboxMessage, SmsReply

# Rows that may still be sent keep their text and number whatever their age.
_UNSETTLED = ("queued", "sending", "unclear")


@dataclass(frozen=True)
class Purged:
    messages: int
    replies: int


def purge_old_messages(session: Session, now: datetime, days: int) -> Purged:
    """Blank body and number of settled messages and of replies older than `days` days."""
    cutoff = now - timedelta(days=days)
    messages = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.created_at < cutoff,
            OutboxMessage.purged_at.is_(None),
            OutboxMessage.status.not_in(_UNSETTLED),
        )
        .values(body=None, to=None, purged_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    replies = session.execute(
        update(SmsReply)
        .where(SmsReply.received_at < cutoff, SmsReply.purged_at.is_(None))
        .values(body=None, from_phone=None, purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return Purged(int(messages.rowcount), int(replies.rowcount))  # type: ignore[attr-defined]
