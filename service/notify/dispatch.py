"""Send what the outbox holds: lease due rows, mark each `sending`, call the sender, settle.

At most once: a row is committed as `sending` before the provider is called, and a row
still `sending` when its lease runs out goes to `review`, never back to the queue, because
creating a message at Twilio is not idempotent. Queued rows whose lease ran out (a claimer
that died before sending) are simply claimable again.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from service.beneficiaries import set_sms_consent
from service.clock import utcnow
from service.models import Beneficiary, FlaggedNumber, OutboxMessage
from service.notify.errors import (
    AmbiguousSendError,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
)
from service.notify.outgoing import OutgoingSms, Sender
from service.notify.quiet import quiet_until
from service.notify.senders import send_with_retries
from service.notify.settings import NotifySettings

log = logging.getLogger("zapis.dispatch")

DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_SEND_LEASE = timedelta(minutes=4)
RETRY_LATER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Dispatcher:
    """One worker's settings; `sleep` is what `send_with_retries` waits with."""

    worker_id: str
    sender: Sender
    settings: NotifySettings = field(default_factory=NotifySettings)
    lease: timedelta = DEFAULT_LEASE
    # How long a `sending` row is ours: every retry with its timeout and back-off must fit.
    send_lease: timedelta = DEFAULT_SEND_LEASE
    batch: int = 20
    retry_attempts: int = 4
    sleep: Callable[[float], None] = time.sleep

    def status_callback(self, outbox_id: int) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/webhooks/twilio/status/{outbox_id}"


def claim_due(
    session: Session,
    worker_id: str,
    limit: int,
    lease: timedelta,
    now: datetime | None = None,
    settings: NotifySettings | None = None,
) -> list[int]:
    """Lease up to `limit` due, queued rows to `worker_id` in one short transaction.

    PostgreSQL skips rows another claimer has locked; SQLite serializes the whole
    transaction (BEGIN IMMEDIATE). During quiet hours only messages about an appointment
    before they end go out.
    """
    now = now or utcnow()
    query = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == "queued",
            OutboxMessage.due_at <= now,
            or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(limit)
    )
    quiet_end = quiet_until(now, settings or NotifySettings())
    if quiet_end is not None:
        query = query.where(OutboxMessage.event_at < quiet_end)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(lease_until=now + lease, claimed_by=worker_id, updated_at=now)
        )
    session.commit()
    return ids


def _refusal(session: Session, row: OutboxMessage, now: datetime) -> tuple[str, str] | None:
    """Return (status, reason) when the row must not be sent after all, else None."""
    if row.event_at <= now:
        return "cancelled", "expired"
    if row.to is None or row.body is None:
        return "cancelled", "purged"
    if row.beneficiary_id is not None:
        beneficiary = session.get(Beneficiary, row.beneficiary_id)
        if beneficiary is None or not beneficiary.sms_consent:
            return "cancelled", "no_consent"
    flag = session.get(FlaggedNumber, row.to)
    if flag is not None:
        return "failed", flag.error_code
    return None


def mark_sending(
    session: Session, dispatcher: Dispatcher, outbox_id: int, now: datetime | None = None
) -> OutgoingSms | None:
    """Commit the row as `sending` if this worker still holds it; return what to send."""
    now = now or utcnow()
    row = session.get(OutboxMessage, outbox_id, populate_existing=True)
    if row is None or row.status != "queued" or row.claimed_by != dispatcher.worker_id:
        session.rollback()
        return None
    refusal = _refusal(session, row, now)
    if refusal is not None:
        row.status, row.error_code = refusal
        row.updated_at, row.lease_until = now, None
        session.commit()
        return None
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == outbox_id,
            OutboxMessage.status == "queued",
            OutboxMessage.claimed_by == dispatcher.worker_id,
        )
        .values(
            status="sending",
            attempts=OutboxMessage.attempts + 1,
            lease_until=now + dispatcher.send_lease,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return None
    assert row.to is not None and row.body is not None
    message = OutgoingSms(
        to=row.to,
        body=row.body,
        status_callback=dispatcher.status_callback(outbox_id),
        outbox_id=outbox_id,
    )
    session.commit()
    return message


def settle(
    session: Session,
    outbox_id: int,
    status: str,
    *,
    now: datetime,
    provider_sid: str | None = None,
    error_code: str | None = None,
    due_at: datetime | None = None,
) -> bool:
    """Record the outcome of a send on a row still `sending` (or already put in `review`)."""
    values: dict[str, object] = {"status": status, "updated_at": now, "lease_until": None}
    if status == "sent":
        values |= {"provider_sid": provider_sid, "sent_at": now, "error_code": None}
    if error_code is not None:
        values["error_code"] = error_code
    if due_at is not None:
        values |= {"due_at": due_at, "claimed_by": None}
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(("sending", "review")))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount == 0 and provider_sid:  # type: ignore[attr-defined]
        # A status callback settled it first; keep its status, remember the sid.
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == outbox_id, OutboxMessage.provider_sid.is_(None))
            .values(provider_sid=provider_sid)
            .execution_options(synchronize_session=False)
        )
    session.commit()
    return bool(result.rowcount)  # type: ignore[attr-defined]


def flag_number(session: Session, phone: str, code: str, now: datetime) -> None:
    """Remember that `phone` can never take SMS (invalid, landline, blocked)."""
    if session.get(FlaggedNumber, phone) is None:
        session.add(FlaggedNumber(phone=phone, error_code=code, flagged_at=now))


def withdraw_consent_for_number(session: Session, phone: str, source: str) -> list[int]:
    """Withdraw SMS consent of everyone reached on `phone`, as their own or guardian's number."""
    people = list(
        session.scalars(
            select(Beneficiary).where(
                or_(Beneficiary.phone == phone, Beneficiary.guardian_phone == phone)
            )
        )
    )
    for person in people:
        set_sms_consent(session, person, False, source=source)
    return [person.id for person in people]


def send_one(make_session: sessionmaker[Session], dispatcher: Dispatcher, outbox_id: int) -> str:
    """Send one claimed row and return the status it ended in ("skipped" if not ours)."""
    with make_session() as session:
        message = mark_sending(session, dispatcher, outbox_id)
        if message is None:
            row = session.get(OutboxMessage, outbox_id)
            return "skipped" if row is None or row.status == "queued" else row.status
    try:
        result = send_with_retries(
            dispatcher.sender, message, attempts=dispatcher.retry_attempts, sleep=dispatcher.sleep
        )
    except RecipientUnsubscribed as exc:
        return _settle_error(
            make_session, outbox_id, message, "failed", exc.code, unsubscribed=True
        )
    except PermanentSendError as exc:
        return _settle_error(
            make_session, outbox_id, message, "failed", exc.code, flag=exc.recipient_problem
        )
    except AmbiguousSendError as exc:
        return _settle_error(make_session, outbox_id, message, "review", exc.code or "ambiguous")
    except RetryableSendError as exc:
        return _retry_later(make_session, outbox_id, exc.code)
    except Exception:
        log.exception("unexpected error sending outbox row %s; left for review", outbox_id)
        return _settle_error(make_session, outbox_id, message, "review", "error")
    with make_session() as session:
        settle(session, outbox_id, "sent", now=utcnow(), provider_sid=result.provider_id)
    return "sent"


def _settle_error(
    make_session: sessionmaker[Session],
    outbox_id: int,
    message: OutgoingSms,
    status: str,
    code: int | str | None,
    *,
    flag: bool = False,
    unsubscribed: bool = False,
) -> str:
    now = utcnow()
    with make_session() as session:
        if unsubscribed:
            withdraw_consent_for_number(session, message.to, "twilio_21610")
        if flag:
            flag_number(session, message.to, str(code), now)
        settle(session, outbox_id, status, now=now, error_code=str(code or "error"))
    log.warning("outbox row %s: %s (code %s)", outbox_id, status, code)
    return status


def _retry_later(make_session: sessionmaker[Session], outbox_id: int, code: int | None) -> str:
    """The provider certainly made no message: queue again later, or give up after a few."""
    now = utcnow()
    with make_session() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is not None and row.attempts >= MAX_ATTEMPTS:
            settle(session, outbox_id, "failed", now=now, error_code=str(code or "retries"))
            return "failed"
        settle(
            session, outbox_id, "queued", now=now, error_code=str(code), due_at=now + RETRY_LATER
        )
    return "queued"


def recover_leases(session: Session, now: datetime | None = None) -> int:
    """Put rows still `sending` after their lease into `review`; return how many."""
    now = now or utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
        .values(status="review", error_code="lease_expired", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    count = int(result.rowcount)  # type: ignore[attr-defined]
    if count:
        log.warning("%d outbox row(s) left `sending` by a dead worker moved to review", count)
    return count


def dispatch_due(make_session: sessionmaker[Session], dispatcher: Dispatcher) -> Counter[str]:
    """Claim one batch and send it; return how many rows ended in each status."""
    with make_session() as session:
        ids = claim_due(
            session,
            dispatcher.worker_id,
            dispatcher.batch,
            dispatcher.lease,
            settings=dispatcher.settings,
        )
    return Counter(send_one(make_session, dispatcher, outbox_id) for outbox_id in ids)
