"""Twilio misbehaving as it sometimes does: two dispatcher processes on PostgreSQL still send
each message once, lose none, respect Retry-After and leave almost nothing to a person.

The loopback Twilio answers 30% of sends with 500, 10% with 429 and `Retry-After: 2`, hangs
on 5% past the client's read timeout (having made the message) and drops the connection
on 5% after reading the request. The dispatchers are `flask scheduler` processes, as in
production, configured through the environment.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session

from service.models import Booking, DispatcherHeartbeat, OutboxMessage
from service.notify.heartbeat import is_live
from service.plumbing.clock import utcnow
from service.plumbing.db import make_engine
from tests.clients.hosts import base_env, dispatcher, wait_until
from tests.clients.twilio_server import FakeTwilio, FaultMix
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID

pytestmark = pytest.mark.postgres_only

MESSAGES = 300
INTERVAL = 1.0
READ_TIMEOUT = 1.0
FAULTS = FaultMix(
    error_500=0.30, rate_limited=0.10, hang=0.05, drop=0.05, retry_after=2, hang_seconds=2.5
)


def seed(engine: Engine, count: int) -> None:
    """`count` reminders due now, each to its own number, for appointments tomorrow."""
    now = utcnow()
    event_at = now + timedelta(days=1)
    with Session(engine) as session:
        booking = session.scalar(
            insert(Booking).returning(Booking.id),
            {
                "type": "interpretation",
                "starts_at": event_at,
                "ends_at": event_at + timedelta(hours=1),
                "status": "confirmed",
                "created_by": "tests",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            },
        )
        rows: list[dict[str, Any]] = [
            {
                "dedupe_key": f"faults-{i}",
                "kind": "reminder",
                "status": "queued",
                "booking_id": booking,
                "to": f"+35988{i:07d}",
                "body": f"Reminder {i}: tomorrow at 10:00, office Sofia.",
                "language": "en",
                "encoding": "GSM-7",
                "segments": 1,
                "estimated_cost": Decimal("0.0750"),
                "event_at": event_at,
                "due_at": now - timedelta(seconds=1),
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        session.execute(insert(OutboxMessage), rows)
        session.commit()


def test_under_twilio_faults_nothing_is_sent_twice_or_lost_and_few_need_a_person(
    fresh_database, is_postgres, tmp_path: Path
) -> None:
    assert is_postgres, "this test needs TEST_DATABASE_URL (PostgreSQL)"
    url = fresh_database()
    engine = make_engine(url)
    seed(engine, MESSAGES)
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        fake = stack.enter_context(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.01, faults=FAULTS))
        env = base_env(
            url,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_MESSAGING_SERVICE_SID=SERVICE_SID,
            TWILIO_API_BASE_URL=fake.base_url,
            TWILIO_CONNECT_TIMEOUT="1",
            TWILIO_READ_TIMEOUT=str(READ_TIMEOUT),
            DISPATCH_CONCURRENCY="8",
            DISPATCH_BATCH="32",
            DISPATCH_RETRY_ATTEMPTS="8",
            SMS_RECONCILE_AFTER_SECONDS="1",
            SMS_ABSENT_AFTER_SECONDS="4",
            QUIET_HOURS="00:00-00:00",  # the test runs at any time of day
        )
        processes = [
            stack.enter_context(dispatcher(name, env, tmp_path, INTERVAL))
            for name in ("dispatcher-a", "dispatcher-b")
        ]

        def tell() -> str:
            return "\n".join(p.tail() for p in processes)

        live_seen: list[int] = []

        def settled() -> bool:
            assert all(p.alive() for p in processes), tell()
            with Session(engine) as session:
                beats = session.scalars(select(DispatcherHeartbeat)).all()
                live_seen.append(sum(1 for beat in beats if is_live(beat, utcnow())))
                open_rows = session.scalar(
                    select(OutboxMessage.id)
                    .where(OutboxMessage.status.in_(("queued", "sending", "unclear")))
                    .limit(1)
                )
            return open_rows is None

        def both_live() -> bool:
            settled()
            return live_seen[-1] == 2

        wait_until(both_live, "two live dispatchers", 30, tell)
        live_seen.clear()
        started = time.monotonic()
        wait_until(settled, "every message to be settled", 180, tell)
        elapsed = time.monotonic() - started

        with Session(engine) as session:
            rows = list(session.scalars(select(OutboxMessage)))
        made = Counter(int(m["status_callback"].rsplit("/", 1)[1]) for m in fake.messages)
        log = list(fake.attempts_log)

    by_status = Counter(r.status for r in rows)
    review = [r for r in rows if r.status == "review"]
    print(
        f"\n{MESSAGES} messages in {elapsed:.1f} s: {dict(by_status)}; "
        f"{fake.attempts} sends, {fake.lists} lists, at most {fake.max_in_flight} in flight; "
        f"reconciled {dict(Counter(r.reconciliation for r in rows if r.reconciliation))}; "
        f"faults {dict(Counter(a.outcome for a in log))}; live dispatchers seen {Counter(live_seen)}"
    )
    assert set(by_status) <= {"sent", "review"}, by_status
    assert len(review) <= 0.02 * MESSAGES
    assert [i for i, n in made.items() if n > 1] == []  # no duplicates
    sent = [r for r in rows if r.status == "sent"]
    assert all(made[r.id] == 1 for r in sent)  # none marked sent that Twilio never made
    assert {r.provider_sid for r in sent} <= {m["sid"] for m in fake.messages}
    assert len(sent) + len(review) == MESSAGES  # none lost
    # Every retry after a 429 came no sooner than its Retry-After.
    attempts: dict[int | None, list[Any]] = defaultdict(list)
    for attempt in sorted(log, key=lambda a: a.at):
        attempts[attempt.outbox_id].append(attempt)
    waits = [
        later.at - earlier.at
        for tries in attempts.values()
        for earlier, later in itertools.pairwise(tries)
        if earlier.outcome == "429"
    ]
    assert waits and min(waits) >= FAULTS.retry_after, sorted(waits)[:5]
    # Heartbeats went on while sends hung: both dispatchers were live at every look.
    assert live_seen and min(live_seen) == 2, Counter(live_seen)
