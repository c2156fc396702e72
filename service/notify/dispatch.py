"""Send what the outbox holds: claim a wave of due rows as `sending`, send it, settle each.

At most once: a wave is committed as `sending` before the provider is called, then sent
with at most `concurrency` requests in flight. What certainly made no message (429, refused
connection) is retried after the wait asked for; a send of unknown outcome (a 500, a
timeout, a dropped connection) becomes `unclear` and is reconciled with the provider
(`service.notify.reconcile`), never simply resent, because creating a message at Twilio is
not idempotent. A row still `sending` when its lease runs out (its dispatcher died) is
reconciled the same way.
"""

from __future__ import annotations

import itertools
import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from service.directory.beneficiaries import set_sms_consent
from service.models import Beneficiary, FlaggedNumber, OutboxMessage
from service.notify.errors import (
    AmbiguousSendError,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
)
from service.notify.outgoing import OutgoingSms, Sender
from service.notify.quiet import quiet_until
from service.notify.settings import NotifySettings
from service.plumbing.clock import utcnow

log = logging.getLogger("zapis.dispatch")

DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_SEND_LEASE = timedelta(minutes=4)
RETRY_LATER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Dispatcher:
    """One worker's settings; `sleep` is what retries wait with."""

    worker_id: str
    sender: Sender
    settings: NotifySettings = field(default_factory=NotifySettings)
    lease: timedelta = DEFAULT_LEASE
    # How long a `sending` row is ours: every retry with its timeout and back-off must fit.
    send_lease: timedelta = DEFAULT_SEND_LEASE
    batch: int = 20
    concurrency: int = 8
    retry_attempts: int = 4
    # A longer Retry-After queues the row again instead of holding a sending thread.
    max_inline_wait: float = 10.0
    retry_later: timedelta = RETRY_LATER
    # Unclear sends: wait this long for the status callback before asking the provider; a
    # message not found this long after its send began is taken as never made.
    reconcile_after: timedelta = timedelta(seconds=30)
    absent_after: timedelta = timedelta(minutes=3)
    # A row whose sends were each unclear, then confirmed absent, is sent at most this often.
    max_sends: int = 6
    # Give up reconciling (to review) when the provider cannot be asked for this long.
    give_up_after: timedelta = timedelta(hours=1)
    # How long an accepted send's outcome is retried while the database is unreachable.
    settle_patience: float = 600.0
    sleep: Callable[[float], None] = time.sleep

    def status_callback(self, outbox_id: int) -> str:
        return f"{self.settings.public_base_url.rstrip('/')}/webhooks/twilio/status/{outbox_id}"

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number `attempt`: capped exponential with full jitter."""
        return float(min(8.0, 0.5 * 2 ** (attempt - 1)) * random.random())  # noqa: S311  # jitter


@dataclass(frozen=True)
class Claimed:
    """A row committed as `sending`: what to send and when it stops being worth sending."""

    message: OutgoingSms
    event_at: datetime

    @property
    def outbox_id(self) -> int:
        assert self.message.outbox_id is not None
        return self.message.outbox_id


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
    query = _due_query(now, limit, settings or NotifySettings())
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


def _due_query(now: datetime, limit: int, settings: NotifySettings) -> Select[int]:
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
    quiet_end = quiet_until(now, settings)
    if quiet_end is not None:
        query = query.where(OutboxMessage.event_at < quiet_end)
    return query


def claim_wave(
    session: Session, dispatcher: Dispatcher, now: datetime | None = None
) -> tuple[list[Claimed], Counter[str]]:
    """Commit up to `batch` due rows as `sending` in one transaction.

    Consent and flagged numbers are checked for the whole wave at once; a row that must not
    go out after all is settled here (expired, purged, no consent, flagged number). Return
    what to send and how many rows were settled by status.
    """
    now = now or utcnow()
    query = _due_query(now, dispatcher.batch, dispatcher.settings)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    refused: Counter[str] = Counter()
    if not ids:
        session.commit()
        return [], refused
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .execution_options(populate_existing=True)
        )
    )
    people = {r.beneficiary_id for r in rows if r.beneficiary_id is not None}
    consenting = set(
        session.scalars(
            select(Beneficiary.id).where(Beneficiary.id.in_(people), Beneficiary.sms_consent)
        )
    )
    numbers = {r.to for r in rows if r.to is not None}
    flags = {
        phone: code
        for phone, code in session.execute(
            select(FlaggedNumber.phone, FlaggedNumber.error_code).where(
                FlaggedNumber.phone.in_(numbers)
            )
        )
    }
    wave: list[Claimed] = []
    for row in rows:
        refusal = _refused(row, now, consenting, flags)
        row.updated_at, row.claimed_by = now, dispatcher.worker_id
        if refusal is not None:
            row.status, row.error_code = refusal
            row.lease_until = None
            refused[row.status] += 1
            continue
        assert row.to is not None and row.body is not None
        row.status, row.attempts = "sending", row.attempts + 1
        row.lease_until, row.send_began_at = now + dispatcher.send_lease, now
        message = OutgoingSms(
            to=row.to,
            body=row.body,
            status_callback=dispatcher.status_callback(row.id),
            outbox_id=row.id,
        )
        wave.append(Claimed(message, row.event_at))
    session.commit()
    return wave, refused


def _refused(
    row: OutboxMessage, now: datetime, consenting: set[int], flags: dict[str, str]
) -> tuple[str, str] | None:
    """Return (status, reason) when the row must not be sent after all, else None."""
    if row.event_at <= now:
        return "cancelled", "expired"
    if row.to is None or row.body is None:
        return "cancelled", "purged"
    if row.beneficiary_id is not None and row.beneficiary_id not in consenting:
        return "cancelled", "no_consent"
    if row.to in flags:
        return "failed", flags[row.to]
    return None


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
            send_began_at=now,
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
    """Record the outcome of a send on a row still `sending` (or already put in `review`).

    An accepted send also settles a row made `unclear` meanwhile (its lease ran out first).
    """
    values: dict[str, object] = {"status": status, "updated_at": now, "lease_until": None}
    settleable: tuple[str, ...] = ("sending", "review")
    if status == "sent":
        values |= {"provider_sid": provider_sid, "sent_at": now, "error_code": None}
        settleable += ("unclear",)
    if error_code is not None:
        values["error_code"] = error_code
    if due_at is not None:
        values |= {"due_at": due_at, "claimed_by": None}
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == outbox_id, OutboxMessage.status.in_(settleable))
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
        event_at = session.get_one(OutboxMessage, outbox_id).event_at
    return deliver(make_session, dispatcher, Claimed(message, event_at))


def deliver(make_session: sessionmaker[Session], dispatcher: Dispatcher, claimed: Claimed) -> str:
    """Send one row already committed as `sending`, retrying what certainly was not sent."""
    message, outbox_id = claimed.message, claimed.outbox_id
    for attempt in itertools.count(1):
        try:
            result = dispatcher.sender.send(message)
        except RetryableSendError as exc:
            wait = max(exc.retry_after or 0.0, dispatcher.backoff(attempt))
            if (
                attempt >= dispatcher.retry_attempts
                or wait > dispatcher.max_inline_wait
                or utcnow() + timedelta(seconds=wait) >= claimed.event_at
            ):
                return _retry_later(make_session, dispatcher, claimed, exc.code, wait)
            dispatcher.sleep(wait)
            continue
        except RecipientUnsubscribed as exc:
            return _settle_error(
                make_session, outbox_id, message, "failed", exc.code, unsubscribed=True
            )
        except PermanentSendError as exc:
            return _settle_error(
                make_session, outbox_id, message, "failed", exc.code, flag=exc.recipient_problem
            )
        except AmbiguousSendError as exc:
            return _mark_unclear(make_session, dispatcher, outbox_id, exc.code or "ambiguous")
        except Exception:
            log.exception("unexpected error sending outbox row %s; left for review", outbox_id)
            return _settle_error(make_session, outbox_id, message, "review", "error")
        _settle_known(make_session, dispatcher, outbox_id, result.provider_id)
        return "sent"
    raise AssertionError("unreachable")


def _settle_known(
    make_session: sessionmaker[Session],
    dispatcher: Dispatcher,
    outbox_id: int,
    provider_sid: str | None,
) -> None:
    """Record an accepted send, retrying while the database is unreachable (a known outcome
    must not end in review); give up, logged, only after `settle_patience`."""
    deadline = time.monotonic() + dispatcher.settle_patience
    for attempt in itertools.count(1):
        try:
            with make_session() as session:
                settle(session, outbox_id, "sent", now=utcnow(), provider_sid=provider_sid)
            return
        except (OperationalError, InterfaceError):
            if time.monotonic() >= deadline:
                log.exception("outbox row %s sent as %s; not recorded", outbox_id, provider_sid)
                raise
            log.warning("database unreachable; settling outbox row %s again", outbox_id)
            dispatcher.sleep(min(5.0, 0.1 * 2**attempt))


def _mark_unclear(
    make_session: sessionmaker[Session], dispatcher: Dispatcher, outbox_id: int, code: int | str
) -> str:
    """The send may or may not have made a message: reconcile it later, never resend now."""
    now = utcnow()
    with make_session() as session:
        settle(
            session,
            outbox_id,
            "unclear",
            now=now,
            error_code=str(code),
            due_at=now + dispatcher.reconcile_after,
        )
    log.warning("outbox row %s: outcome unknown (%s); to be reconciled", outbox_id, code)
    return "unclear"


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


def _retry_later(
    make_session: sessionmaker[Session],
    dispatcher: Dispatcher,
    claimed: Claimed,
    code: int | None,
    wait: float,
) -> str:
    """The provider certainly made no message: queue again later, or give up after a few.

    A message that could only go out after its appointment began is dropped as expired.
    """
    now, outbox_id = utcnow(), claimed.outbox_id
    due = now + max(dispatcher.retry_later, timedelta(seconds=wait))
    with make_session() as session:
        row = session.get(OutboxMessage, outbox_id)
        if row is not None and row.attempts >= MAX_ATTEMPTS:
            settle(session, outbox_id, "failed", now=now, error_code=str(code or "retries"))
            return "failed"
        if due >= claimed.event_at:
            settle(session, outbox_id, "cancelled", now=now, error_code="expired")
            return "cancelled"
        settle(session, outbox_id, "queued", now=now, error_code=str(code), due_at=due)
    return "queued"


def recover_leases(session: Session, now: datetime | None = None) -> int:
    """Make rows still `sending` after their lease `unclear`, to be reconciled; return how many."""
    now = now or utcnow()
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.lease_until < now)
        .values(
            status="unclear",
            error_code="lease_expired",
            due_at=now,
            lease_until=None,
            claimed_by=None,
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    session.commit()
    count = int(result.rowcount)  # type: ignore[attr-defined]
    if count:
        log.warning("%d outbox row(s) left `sending` by a dead worker to reconcile", count)
    return count


def send_wave(
    make_session: sessionmaker[Session], dispatcher: Dispatcher, wave: list[Claimed]
) -> Counter[str]:
    """Send a claimed wave with at most `concurrency` sends in flight; count the outcomes.

    Messages to one number go one after another, in order, so that a refusal of the number
    (unsubscribed, invalid) stops the rest of them before they are sent.
    """
    groups: dict[str, list[Claimed]] = defaultdict(list)
    for claimed in wave:
        groups[claimed.message.to].append(claimed)

    def send_group(group: list[Claimed]) -> list[str]:
        return _deliver_in_turn(make_session, dispatcher, group)

    counts: Counter[str] = Counter()
    if len(groups) <= 1 or dispatcher.concurrency <= 1:
        for group in groups.values():
            counts.update(send_group(group))
        return counts
    workers = min(dispatcher.concurrency, len(groups))
    with ThreadPoolExecutor(workers, thread_name_prefix="sms-send") as pool:
        for outcomes in pool.map(send_group, groups.values()):
            counts.update(outcomes)
    return counts


def _deliver_in_turn(
    make_session: sessionmaker[Session], dispatcher: Dispatcher, group: list[Claimed]
) -> list[str]:
    outcomes: list[str] = []
    recheck = False
    for claimed in group:
        if recheck:
            refused = _refuse_claimed(make_session, claimed.outbox_id)
            if refused is not None:
                outcomes.append(refused)
                continue
        outcome = deliver(make_session, dispatcher, claimed)
        recheck = recheck or outcome == "failed"
        outcomes.append(outcome)
    return outcomes


def _refuse_claimed(make_session: sessionmaker[Session], outbox_id: int) -> str | None:
    """Settle a claimed row that must not go out after all (consent, flag); else None."""
    now = utcnow()
    with make_session() as session:
        row = session.get_one(OutboxMessage, outbox_id)
        refusal = _refusal(session, row, now)
        if refusal is None:
            return None
        settle(session, outbox_id, refusal[0], now=now, error_code=refusal[1])
    return refusal[0]


def dispatch_due(make_session: sessionmaker[Session], dispatcher: Dispatcher) -> Counter[str]:
    """Reconcile unclear sends that are due, then claim one wave and send it.

    Return how many rows ended in each status (reconciled ones included).
    """
    from service.notify.reconcile import reconcile_due  # it settles rows through this module

    counts = reconcile_due(make_session, dispatcher)
    with make_session() as session:
        wave, refused = claim_wave(session, dispatcher)
    counts.update(refused)
    counts.update(send_wave(make_session, dispatcher, wave))
    return counts
