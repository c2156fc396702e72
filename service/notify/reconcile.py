"""Settle `unclear` sends by asking the provider what it made, so few need a person.

A send whose outcome is unknown (a 500, a timeout or a dropped connection after the request
was written, or a dispatcher that died mid-send) waits `reconcile_after` for Twilio's status
callback, which settles it on its own. Then the provider is asked for messages to that
number since the send began (`Reconciler.find_sent`, Twilio's Messages API):

- found: `sent`, with its SID (reconciliation "found");
- not found before `absent_after` since the send began: asked again later;
- not found after it: that send made no message, so the row is queued once more
  ("resent"), unless its appointment has begun ("expired") or a later change or
  cancellation notice to the same number replaced it ("superseded"). A row is never sent
  again before its last send was confirmed absent, and at most `max_sends` times in all;
- the provider cannot be asked for `give_up_after`, or a row whose `max_sends` sends were
  all unclear: `review`, for a person ("unknowable").
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from service.models import OutboxMessage
from service.notify.dispatch import Dispatcher
from service.notify.errors import SendError
from service.notify.outgoing import Reconciler
from service.plumbing.clock import utcnow

log = logging.getLogger("zapis.reconcile")

CHANGE_KINDS = ("reschedule", "cancellation", "series_cancellation")
OUTCOMES = ("callback", "found", "resent", "superseded", "expired", "unknowable")


@dataclass(frozen=True)
class Unclear:
    """What reconciling one row needs to know of it."""

    id: int
    to: str | None
    body: str | None
    booking_id: int | None
    send_began_at: datetime | None
    event_at: datetime
    sends: int


def claim_unclear(session: Session, dispatcher: Dispatcher, now: datetime) -> list[Unclear]:
    """Take up to `batch` unclear rows that are due, pushing their due time on meanwhile."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "unclear", OutboxMessage.due_at <= now)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(dispatcher.batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query.execution_options(populate_existing=True)))
    taken = [
        Unclear(
            row.id,
            row.to,
            row.body,
            row.booking_id,
            row.send_began_at,
            row.event_at,
            row.attempts,
        )
        for row in rows
    ]
    for row in rows:  # another dispatcher leaves them alone while this one asks
        row.due_at, row.claimed_by = now + dispatcher.reconcile_after, dispatcher.worker_id
    session.commit()
    return taken


def reconcile_due(make_session: sessionmaker[Session], dispatcher: Dispatcher) -> Counter[str]:
    """Reconcile the unclear rows that are due; count how each ended."""
    now = utcnow()
    with make_session() as session:
        rows = claim_unclear(session, dispatcher, now)
    counts: Counter[str] = Counter()
    for row in rows:
        with make_session() as session:
            outcome = reconcile_one(session, dispatcher, row, utcnow())
        if outcome is not None:
            counts[outcome] += 1
    return counts


def reconcile_one(
    session: Session, dispatcher: Dispatcher, row: Unclear, now: datetime
) -> str | None:
    """Settle one unclear row if its outcome can be told now; return its new status."""
    finder = dispatcher.sender if isinstance(dispatcher.sender, Reconciler) else None
    began = row.send_began_at or now
    if row.to is None or row.body is None:
        return _close(session, row, "cancelled", "unknowable", now, error_code="purged")
    if finder is None:
        return _close(session, row, "review", "unknowable", now)
    try:
        sid = finder.find_sent(row.to, row.body, began, _known_sids(session, row))
    except SendError as exc:
        log.warning("outbox row %s: could not ask the provider (%s)", row.id, exc)
        if now - began >= dispatcher.give_up_after:
            return _close(session, row, "review", "unknowable", now)
        session.rollback()
        return None
    if sid is not None:
        return _close(session, row, "sent", "found", now, provider_sid=sid)
    if now < began + dispatcher.absent_after:
        _set(session, row, now, due_at=began + dispatcher.absent_after)
        return None
    if row.sends >= dispatcher.max_sends:
        return _close(session, row, "review", "unknowable", now)
    if now >= row.event_at:
        return _close(session, row, "cancelled", "expired", now, error_code="expired")
    if _superseded(session, row):
        return _close(session, row, "superseded", "superseded", now)
    _set(session, row, now, status="queued", reconciliation="resent", due_at=now)
    session.commit()
    log.warning("outbox row %s: confirmed never sent; queued once more", row.id)
    return "queued"


def _known_sids(session: Session, row: Unclear) -> set[str]:
    """SIDs already recorded for other messages to this number: never a match again."""
    query = select(OutboxMessage.provider_sid).where(
        OutboxMessage.to == row.to,
        OutboxMessage.id != row.id,
        OutboxMessage.provider_sid.is_not(None),
    )
    return {sid for sid in session.scalars(query) if sid is not None}


def _superseded(session: Session, row: Unclear) -> bool:
    """Tell whether a later change or cancellation notice to the same number replaced it."""
    if row.booking_id is None:
        return False
    later = session.scalar(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.booking_id == row.booking_id,
            OutboxMessage.to == row.to,
            OutboxMessage.id > row.id,
            OutboxMessage.kind.in_(CHANGE_KINDS),
            OutboxMessage.status.not_in(("cancelled", "superseded")),
        )
        .limit(1)
    )
    return later is not None


def _set(session: Session, row: Unclear, now: datetime, **values: object) -> bool:
    """Update the row if it is still unclear (a status callback may have settled it)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row.id, OutboxMessage.status == "unclear")
        .values(updated_at=now, claimed_by=None, lease_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _close(
    session: Session,
    row: Unclear,
    status: str,
    outcome: str,
    now: datetime,
    *,
    provider_sid: str | None = None,
    error_code: str | None = None,
) -> str | None:
    values: dict[str, object] = {"status": status, "reconciliation": outcome}
    if provider_sid is not None:
        values |= {"provider_sid": provider_sid, "sent_at": now, "error_code": None}
    if error_code is not None:
        values["error_code"] = error_code
    if not _set(session, row, now, **values):
        return None
    log.log(
        logging.WARNING if status == "review" else logging.INFO,
        "outbox row %s reconciled: %s (%s)",
        row.id,
        status,
        outcome,
    )
    return status
