"""sms: due reminders sent through the loopback Twilio-compatible server by 1, 2 and 4 dispatchers.

For each dispatcher count, a scratch PostgreSQL database gets QUEUED `queued` reminder rows
(bulk insert: a few bookings, then the outbox rows with unique dedupe keys, due in the past,
for appointments tomorrow) and FakeTwilio (tests/clients/twilio_server.py) answers on 127.0.0.1
after 50 ms. Each dispatcher is a process of its own (its own engine and TwilioSender, through
a messaging service) looping `dispatch_due` until nothing is due or DEADLINE_S has passed; it
then finishes the batch it holds. Quiet hours are set to a one-hour window that excludes now.

The rate is messages accepted by FakeTwilio per second of wall time, from the moment every
dispatcher is ready until the last one ends. FakeTwilio records the StatusCallback URL of
every message, which ends in the outbox id: an id seen twice is a duplicate; a row that left
`queued` but is neither `sent` in the database nor seen at the server is lost. It also counts
the most sends it was handling at once (`sms_in_flight_max`).

A last run sends FAULT_QUEUED reminders with two dispatchers through a FakeTwilio that fails
as issue 18 describes (30% 500, 10% 429 with Retry-After 2 s, 5% hanging past the 1 s read
timeout, 5% dropped), until every row is settled: `sms_review_rate_faults` is the share left
in `review` for a person.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bench.common import Result, describe_machine, load_average, scratch_database, tree_is_dirty
from service.models import Booking, OutboxMessage
from service.notify.dispatch import Dispatcher, dispatch_due
from service.notify.senders import TwilioSender
from service.notify.settings import NotifySettings
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import make_engine
from tests.clients.twilio_server import FakeTwilio, FaultMix

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "bench-token-1234567890"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
QUEUED = int(os.environ.get("BENCH_SMS_QUEUED", "10000"))
BOOKINGS = 100
DISPATCHERS = (1, 2, 4)
DEADLINE_S = float(os.environ.get("BENCH_SMS_DEADLINE_S", "60"))
LATENCY_S = 0.05
BATCH = 32  # DISPATCH_BATCH's default
CONCURRENCY = 8  # DISPATCH_CONCURRENCY's default
FAULT_QUEUED = int(os.environ.get("BENCH_SMS_FAULT_QUEUED", "500"))
FAULTS = FaultMix(
    error_500=0.30, rate_limited=0.10, hang=0.05, drop=0.05, retry_after=2, hang_seconds=2.5
)
OPEN = ("queued", "sending", "unclear")
BODY = "Напомняне: утре в 10:00 имате час за превод, офис София. Отказ: STOP"


def settings_without_quiet_hours(now: datetime) -> NotifySettings:
    """Quiet hours from two to three hours from now (Sofia wall time): never `now`."""
    local = to_sofia(now)
    start = (local + timedelta(hours=2)).time().replace(second=0, microsecond=0)
    end = (local + timedelta(hours=3)).time().replace(second=0, microsecond=0)
    return NotifySettings(quiet_start=start, quiet_end=end)


def seed(engine: Engine, count: int) -> None:
    """`count` queued reminders, due a minute ago, spread over BOOKINGS bookings tomorrow."""
    now = utcnow()
    event_at = now + timedelta(days=1)
    with Session(engine) as session:
        bookings = [
            {
                "type": "interpretation",
                "starts_at": event_at,
                "ends_at": event_at + timedelta(hours=1),
                "status": "confirmed",
                "created_by": "bench",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for _ in range(BOOKINGS)
        ]
        ids = list(session.scalars(insert(Booking).returning(Booking.id), bookings))
        rows: list[dict[str, Any]] = [
            {
                "dedupe_key": f"bench-reminder-{i}",
                "kind": "reminder",
                "status": "queued",
                "booking_id": ids[i % len(ids)],
                "to": f"+35988{i:07d}",
                "body": BODY,
                "language": "bg",
                "encoding": "UCS-2",
                "segments": 2,
                "estimated_cost": Decimal("0.1500"),
                "event_at": event_at,
                "due_at": now - timedelta(minutes=1),
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(count)
        ]
        session.execute(insert(OutboxMessage), rows)
        session.commit()


def _unsettled(make_session: sessionmaker[Session]) -> bool:
    with make_session() as session:
        query = select(OutboxMessage.id).where(OutboxMessage.status.in_(OPEN)).limit(1)
        return session.scalar(query) is not None


def worker(
    url: str,
    api_base_url: str,
    name: str,
    settings: NotifySettings,
    ready: Any,
    go: Any,
    results: Any,
    faults: bool = False,
) -> None:
    """One dispatcher process: send until nothing is due or DEADLINE_S is up.

    Under faults it goes on until every row is settled (unclear ones reconciled).
    """
    engine = make_engine(url, pool_size=CONCURRENCY + 2, max_overflow=0)
    make_session = sessionmaker(engine, expire_on_commit=False)
    totals: Counter[str] = Counter()
    try:
        with TwilioSender(
            ACCOUNT_SID,
            AUTH_TOKEN,
            messaging_service_sid=SERVICE_SID,
            api_base_url=api_base_url,
            timeout=1.0 if faults else 30,
            connect_timeout=1.0,
            pool=CONCURRENCY,
        ) as sender:
            dispatcher = Dispatcher(
                name,
                sender,
                settings=settings,
                batch=BATCH,
                concurrency=CONCURRENCY,
                retry_attempts=8 if faults else 4,
                reconcile_after=timedelta(seconds=1),
                absent_after=timedelta(seconds=4),
            )
            with make_session() as session:  # connect before the clock starts
                session.execute(select(1))
            ready.release()
            go.wait()
            deadline = time.monotonic() + DEADLINE_S * (3 if faults else 1)
            while time.monotonic() < deadline:
                counts = dispatch_due(make_session, dispatcher)
                totals.update(counts)
                if counts:
                    continue
                if not faults or not _unsettled(make_session):
                    break
                time.sleep(0.2)
    finally:
        engine.dispose()
        results.put((name, dict(totals)))


def drive(url: str, n: int, faults: bool = False) -> dict[str, Any]:
    """Run `n` dispatcher processes against a fresh FakeTwilio; return the run's figures."""
    queued = FAULT_QUEUED if faults else QUEUED
    engine = make_engine(url)
    try:
        seed(engine, queued)
    finally:
        engine.dispose()
    settings = settings_without_quiet_hours(utcnow())
    context = multiprocessing.get_context("spawn")
    ready, go, results = context.Semaphore(0), context.Event(), context.Queue()
    mix = FAULTS if faults else None
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=LATENCY_S, faults=mix) as fake:
        processes = [
            context.Process(
                target=worker,
                args=(url, fake.base_url, f"bench-{i}", settings, ready, go, results, faults),
                daemon=True,
            )
            for i in range(n)
        ]
        for process in processes:
            process.start()
        for _ in processes:
            if not ready.acquire(timeout=60):
                raise RuntimeError("a dispatcher process did not start within 60 s")
        began = time.perf_counter()
        go.set()
        per_worker = dict(results.get(timeout=DEADLINE_S * 3 + 120) for _ in processes)
        for process in processes:
            process.join(timeout=30)
        elapsed = time.perf_counter() - began
        received = Counter(int(m["status_callback"].rsplit("/", 1)[1]) for m in fake.messages)
        attempts = fake.attempts
        in_flight_max = fake.max_in_flight
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            statuses = dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)).all())
    finally:
        engine.dispose()
    by_status = Counter(statuses.values())
    lost = sum(
        1
        for i, status in statuses.items()
        if status not in ("queued", "sent", "review") and i not in received
    )
    lost += sum(1 for i, status in statuses.items() if status == "sent" and i not in received)
    return {
        "dispatchers": n,
        "in_flight_max": in_flight_max,
        "review": by_status["review"],
        "queued": queued,
        "accepted": len(received),
        "attempts": attempts,
        "seconds": elapsed,
        "rate": len(received) / elapsed,
        "duplicates": sum(count - 1 for count in received.values() if count > 1),
        "lost": lost,
        "unsettled": sum(1 for i in received if statuses.get(i) != "sent"),
        "left_queued": by_status["queued"],
        "statuses": dict(by_status),
        "per_worker": per_worker,
    }


def _line(f: dict[str, Any]) -> str:
    return (
        f"{f['dispatchers']} dispatcher(s): {f['accepted']} accepted ({f['attempts']} requests) "
        f"in {f['seconds']:.1f} s = {f['rate']:.1f}/s, {f['duplicates']} duplicates, "
        f"{f['lost']} lost, {f['left_queued']} still queued at the end, "
        f"at most {f['in_flight_max']} in flight, "
        f"statuses {f['statuses']}"
    )


def run() -> Result:
    result = Result("sms")
    for key in ("NO_PROXY", "no_proxy"):  # the spawned dispatchers inherit it
        os.environ[key] = "127.0.0.1,localhost"
    load_before = load_average()
    runs = []
    for n in DISPATCHERS:
        with scratch_database("zapis_bench_sms") as url:
            if not result.machine:
                engine = make_engine(url)
                result.machine = describe_machine(engine)
                engine.dispose()
            figures = drive(url, n)
        runs.append(figures)
        print("  sms, " + _line(figures), flush=True)
    with scratch_database("zapis_bench_sms") as url:
        faulty = drive(url, 2, faults=True)
    print("  sms under faults, " + _line(faulty), flush=True)
    load = f"before {load_before}, after {load_average()}"
    for f in runs:
        target = ">= 300" if f["dispatchers"] == 4 else "—"
        result.add(f"sms_per_s_{f['dispatchers']}", f["rate"], "1/s", target)
        result.add(f"sms_sent_{f['dispatchers']}", f["accepted"], "count")
    result.add("sms_duplicates", sum(f["duplicates"] for f in runs), "count", "0")
    result.add("sms_lost", sum(f["lost"] for f in runs), "count", "0")
    # One dispatcher alone shows its own bound; with several, the server sees their sum.
    alone = next(f for f in runs if f["dispatchers"] == 1)
    result.add("sms_in_flight_max", alone["in_flight_max"], "count", f"<= {CONCURRENCY}")
    for f in runs:
        if f["dispatchers"] > 1:
            result.add(
                f"sms_in_flight_max_total_{f['dispatchers']}",
                f["in_flight_max"],
                "count",
                f"<= {CONCURRENCY * f['dispatchers']}",
            )
    result.add("sms_review_rate_faults", 100 * faulty["review"] / faulty["queued"], "%", "<= 2")
    result.add("sms_duplicates_faults", faulty["duplicates"], "count", "0")
    result.add("sms_lost_faults", faulty["lost"], "count", "0")
    unfinished = [f for f in runs if f["left_queued"]]
    result.note(
        f"Per dispatcher count, a scratch PostgreSQL database with {QUEUED:,} queued reminders "
        f"(bulk-inserted, {BOOKINGS} bookings tomorrow, due a minute ago, 2-segment UCS-2 "
        "body, no beneficiary) and a fresh FakeTwilio (tests/clients/twilio_server.py) on "
        f"127.0.0.1 answering after {LATENCY_S * 1000:.0f} ms, sent through a messaging "
        "service. Each dispatcher is its own process (multiprocessing spawn, own engine and "
        f"TwilioSender) looping service.notify.dispatch.dispatch_due (batch {BATCH}) until "
        f"nothing is due or {DEADLINE_S:.0f} s have passed, then finishing its batch; quiet "
        "hours set to a one-hour window excluding now. sms_per_s_N = messages accepted by "
        "FakeTwilio / wall time from the start signal until the last dispatcher ended; "
        "sms_sent_N is how many that was. One run per count. sms_duplicates: outbox ids seen "
        "more than once at the server (from the StatusCallback URL); sms_lost: rows that left "
        "`queued` but are neither `sent` in the database nor seen at the server, plus rows "
        "`sent` in the database the server never saw (summed over the three runs). Rows still "
        "`queued` when the time bound stopped a run are not counted as lost."
    )
    if unfinished:
        result.note(
            "Not all runs finished the queue: "
            + "; ".join(
                f"{f['dispatchers']} dispatcher(s) sent {f['accepted']:,} of {QUEUED:,} in "
                f"{f['seconds']:.0f} s ({f['left_queued']:,} left queued)"
                for f in unfinished
            )
            + "; their rate is over the messages sent within the time bound."
        )
    result.note("Runs: " + "; ".join(_line(f) for f in runs) + ".")
    result.note(
        f"Under faults: {FAULT_QUEUED} reminders, 2 dispatchers (concurrency {CONCURRENCY}, "
        "read timeout 1 s, reconciliation after 1 s, absent after 4 s), FakeTwilio failing "
        "30% of sends with 500, 10% with 429 and Retry-After 2 s, hanging on 5% for 2.5 s "
        "(message made) and dropping 5% (no message); run until every row was settled: "
        + _line(faulty)
        + ". sms_in_flight_max: the most sends FakeTwilio handled at once with one dispatcher "
        f"(DISPATCH_CONCURRENCY {CONCURRENCY}); sms_in_flight_max_total_N: the same with N "
        "dispatchers together."
    )
    result.note(f"Load average (1/5/15 min) of the shared machine {load}.")
    if tree_is_dirty():
        result.note("The working tree had uncommitted changes when this ran.")
    return result
