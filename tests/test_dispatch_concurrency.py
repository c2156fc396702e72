"""Several dispatchers at once, each with its own connection, and one killed mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from service.booking.bookings import Actor, change_status, get_booking
from service.models import Booking, OutboxMessage
from service.notify.dispatch import Dispatcher, claim_due, dispatch_due, recover_leases
from service.notify.senders import TwilioSender
from service.plumbing.db import make_engine
from tests.clients.dispatch_worker import NO_QUIET_HOURS
from tests.clients.twilio_server import FakeTwilio, Reply
from tests.factories import Factory
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.outbox_support import at, future_monday

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def seed(engine, count: int) -> None:
    """`count` future bookings, each with its own consenting beneficiary: one SMS due each."""
    monday = future_monday()
    with Session(engine) as session:
        factory = Factory(session)
        people = [factory.interpreter("ar") for _ in range(3)]
        for i in range(count):
            person = factory.beneficiary(phone=f"+3598881{i:05d}", sms_consent=True)
            day, slot = divmod(i // 3, 4)
            factory.booking(
                [people[i % 3]],
                at(monday + timedelta(days=day), 9 + 2 * slot),
                beneficiary_ids=[person.id],
            )


def sender_for(fake: FakeTwilio) -> TwilioSender:
    return TwilioSender(
        ACCOUNT_SID, AUTH_TOKEN, messaging_service_sid=SERVICE_SID, api_base_url=fake.base_url
    )


def confirmations(engine) -> list[OutboxMessage]:
    with Session(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.kind == "confirmation")
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def callback_ids(fake: FakeTwilio) -> Counter[int]:
    return Counter(int(m["status_callback"].rsplit("/", 1)[1]) for m in fake.messages)


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_dispatchers_send_each_message_exactly_once(fresh_database, workers):
    count = 24
    engine = make_engine(fresh_database(), pool_size=workers + 1, max_overflow=0)
    try:
        seed(engine, count)
        make_session = sessionmaker(engine, expire_on_commit=False)
        barrier = threading.Barrier(workers)
        totals: Counter[str] = Counter()
        lock = threading.Lock()
        errors: list[BaseException] = []

        with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.01) as fake:

            def work(n: int) -> None:
                try:
                    with sender_for(fake) as sender:
                        dispatcher = Dispatcher(
                            f"worker-{n}", sender, settings=NO_QUIET_HOURS, batch=3
                        )
                        barrier.wait()
                        while counts := dispatch_due(make_session, dispatcher):
                            with lock:
                                totals.update(counts)
                except BaseException as exc:  # reported below
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)

            assert errors == []
            assert totals == {"sent": count}
            rows = confirmations(engine)
            assert len(rows) == count
            assert {r.status for r in rows} == {"sent"}
            assert callback_ids(fake) == Counter({r.id: 1 for r in rows})
            assert fake.attempts == count
            assert len({r.claimed_by for r in rows}) > 1  # the work really was shared
    finally:
        engine.dispose()


def test_a_dispatcher_killed_mid_wave_loses_nothing_and_doubles_nothing(fresh_database):
    """The whole wave was committed `sending`; four sends were in flight (Twilio made them,
    the answers never came) and four not yet begun when the dispatcher was killed."""
    count, lease, in_flight = 8, 6.0, 4
    url = fresh_database()
    engine = make_engine(url)
    try:
        seed(engine, count)
        with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
            fake.script(*[Reply.slow(60)] * in_flight)
            victim = subprocess.Popen(
                [sys.executable, "-m", "tests.clients.dispatch_worker", url, fake.base_url,
                 "victim", str(lease), str(in_flight)],
                cwd=ROOT,
                env={**os.environ, "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"},
            )  # fmt: skip
            started = time.monotonic()
            while len(fake.messages) < in_flight and time.monotonic() - started < 60:
                assert victim.poll() is None, "the worker ended before it could be killed"
                time.sleep(0.02)
            time.sleep(0.3)  # a fifth send would have begun by now, were it allowed
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            assert len(fake.messages) == fake.max_in_flight == in_flight

            make_session = sessionmaker(engine, expire_on_commit=False)
            with sender_for(fake) as sender:
                rescuer = Dispatcher(
                    "rescuer",
                    sender,
                    settings=NO_QUIET_HOURS,
                    reconcile_after=timedelta(0),
                    absent_after=timedelta(seconds=1),
                )
                assert dispatch_due(make_session, rescuer) == {}  # the victim's leases hold
                time.sleep(lease + 0.5)
                with make_session() as session:
                    assert recover_leases(session) == count
                totals: Counter[str] = Counter()
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and totals["sent"] < count:
                    totals.update(dispatch_due(make_session, rescuer))
                    time.sleep(0.1)

            # The four Twilio made are found; the four it never saw are sent once.
            assert totals == {"sent": count, "queued": count - in_flight}
            rows = confirmations(engine)
            assert [r.status for r in rows] == ["sent"] * count
            assert sorted(r.reconciliation for r in rows) == ["found"] * 4 + ["resent"] * 4
            assert callback_ids(fake) == Counter({r.id: 1 for r in rows})
            assert {r.provider_sid for r in rows} == {m["sid"] for m in fake.messages}
    finally:
        engine.dispose()


@pytest.mark.postgres_only
def test_a_claim_skips_rows_locked_by_another_claimer_instead_of_waiting(
    fresh_database, is_postgres
):
    assert is_postgres
    engine = make_engine(fresh_database())
    try:
        seed(engine, 3)
        first, *others = [r.id for r in confirmations(engine)]
        with engine.connect() as holder:
            holder.execute(
                select(OutboxMessage.id).where(OutboxMessage.id == first).with_for_update()
            )
            with Session(engine) as session:
                session.execute(text("SET LOCAL lock_timeout = '2s'"))
                claimed = claim_due(
                    session, "other", 10, timedelta(minutes=1), settings=NO_QUIET_HOURS
                )
            holder.rollback()
        assert claimed == others
    finally:
        engine.dispose()


def test_cancellations_racing_dispatchers_never_leave_a_confirmation_uncorrected(
    fresh_database,
):
    """Each booking ends either untold (nothing sent) or told twice: confirmed, then cancelled."""
    count = 18
    engine = make_engine(fresh_database(), pool_size=4, max_overflow=0)
    try:
        seed(engine, count)
        make_session = sessionmaker(engine, expire_on_commit=False)
        with Session(engine) as session:
            booking_ids = list(session.scalars(select(Booking.id).order_by(Booking.id)))
        barrier = threading.Barrier(3)
        errors: list[BaseException] = []

        with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.005) as fake:

            def dispatch(n: int) -> None:
                try:
                    with sender_for(fake) as sender:
                        dispatcher = Dispatcher(
                            f"worker-{n}", sender, settings=NO_QUIET_HOURS, batch=2
                        )
                        barrier.wait()
                        while dispatch_due(make_session, dispatcher):
                            pass
                except BaseException as exc:  # reported below
                    errors.append(exc)

            def cancel() -> None:
                try:
                    barrier.wait()
                    for booking_id in booking_ids:
                        with make_session() as session:
                            booking = get_booking(session, booking_id)
                            change_status(session, booking, "cancel", Actor("race"), reason="x")
                            session.commit()
                except BaseException as exc:  # reported below
                    errors.append(exc)

            threads = [threading.Thread(target=dispatch, args=(n,)) for n in range(2)]
            threads.append(threading.Thread(target=cancel))
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            with sender_for(fake) as sender:  # send the notices queued after the last pass
                while dispatch_due(
                    make_session, Dispatcher("drain", sender, settings=NO_QUIET_HOURS)
                ):
                    pass

            assert errors == []
            with Session(engine) as session:
                messages = list(session.scalars(select(OutboxMessage)))
            outcomes = Counter()
            for booking_id in booking_ids:
                mine = {m.kind: m.status for m in messages if m.booking_id == booking_id}
                outcome = (mine["confirmation"], mine.get("cancellation"))
                assert outcome in {("cancelled", None), ("sent", "sent")}, outcome
                assert {s for k, s in mine.items() if k == "reminder"} <= {"cancelled"}
                outcomes[outcome[0]] += 1
            told = outcomes["sent"]
            assert fake.attempts == len(fake.messages) == 2 * told
            assert callback_ids(fake) == Counter({m.id: 1 for m in messages if m.status == "sent"})
    finally:
        engine.dispose()


def test_a_wave_is_sent_concurrently_with_at_most_the_configured_number_in_flight(
    fresh_database,
):
    count, concurrency, latency = 24, 4, 0.1
    engine = make_engine(fresh_database(), pool_size=concurrency + 2, max_overflow=0)
    try:
        seed(engine, count)
        make_session = sessionmaker(engine, expire_on_commit=False)
        with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=latency) as fake:
            with sender_for(fake) as sender:
                dispatcher = Dispatcher(
                    "wave", sender, settings=NO_QUIET_HOURS, batch=count, concurrency=concurrency
                )
                started = time.monotonic()
                assert dispatch_due(make_session, dispatcher) == {"sent": count}
                elapsed = time.monotonic() - started

            assert fake.max_in_flight == concurrency
            assert elapsed < count * latency / 2  # one at a time would take count * latency
            rows = confirmations(engine)
            assert callback_ids(fake) == Counter({r.id: 1 for r in rows})
            assert {r.status for r in rows} == {"sent"}
    finally:
        engine.dispose()
