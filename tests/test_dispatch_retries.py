"""What certainly was not sent is sent again, after the wait Twilio asks for and only while
it is still worth sending; what was sent is recorded even through a database outage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

import service.notify.dispatch as dispatch_module
from service.models import FlaggedNumber
from service.notify.dispatch import (
    Dispatcher,
    claim_due,
    dispatch_due,
    mark_sending,
    recover_leases,
    settle,
)
from service.notify.senders import MemorySender, RetryableSendError, TwilioSender
from tests.clients.twilio_server import FakeTwilio, Reply
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.outbox_support import Clock, rows, sofia

MONDAY = (2027, 3, 1)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, sofia(2027, 2, 22, 10, 0))


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def fake(clock) -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, clock=clock) as server:
        yield server


@pytest.fixture
def dispatcher(fake, sleeps) -> Iterator[Dispatcher]:
    with TwilioSender(
        ACCOUNT_SID, AUTH_TOKEN, messaging_service_sid=SERVICE_SID, api_base_url=fake.base_url
    ) as sender:
        yield Dispatcher("worker-1", sender, concurrency=1, sleep=sleeps)


@pytest.fixture
def make_session(app, session):
    return app.extensions["zapis.sessionmaker"]


@pytest.fixture
def booking(factory, clock):
    person = factory.beneficiary(
        phone="+359888123456", sms_consent=True, language="en", other_languages=["ar"]
    )
    return factory.booking(
        [factory.interpreter("ar")], sofia(*MONDAY, 11, 0), beneficiary_ids=[person.id]
    )


def confirmation(session, booking):
    session.expire_all()
    return next(m for m in rows(session, booking.id) if m.kind == "confirmation")


def test_a_429_is_sent_again_no_sooner_than_its_retry_after(
    session, make_session, dispatcher, fake, booking, sleeps
):
    fake.script(Reply(status=429, code=20429, retry_after=3))

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert sleeps == [3.0]
    assert fake.attempts == 2 and len(fake.messages) == 1
    assert confirmation(session, booking).status == "sent"


def test_a_long_retry_after_queues_the_message_for_then_instead_of_waiting(
    session, make_session, dispatcher, fake, booking, sleeps, clock
):
    fake.script(Reply(status=429, code=20429, retry_after=900))

    assert dispatch_due(make_session, dispatcher) == {"queued": 1}
    row = confirmation(session, booking)
    assert (row.status, row.due_at, row.error_code) == (
        "queued",
        clock() + timedelta(seconds=900),
        "20429",
    )
    assert sleeps == [] and fake.messages == []


def test_a_retry_that_would_come_after_the_appointment_began_is_dropped_as_expired(
    session, make_session, dispatcher, fake, booking, sleeps, clock
):
    clock.now = sofia(*MONDAY, 10, 59, 58)
    fake.script(Reply(status=429, code=20429, retry_after=5))

    assert dispatch_due(make_session, dispatcher)["cancelled"] >= 1
    row = confirmation(session, booking)
    assert (row.status, row.error_code) == ("cancelled", "expired")
    assert sleeps == [] and row.body not in {m["body"] for m in fake.messages}


def test_a_refused_connection_is_retried_with_backoff(session, make_session, booking, sleeps):
    sender = MemorySender()
    sender.fail_next(RetryableSendError(None, "could not connect"), times=2)
    dispatcher = Dispatcher("worker-1", sender, concurrency=1, sleep=sleeps)

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert sender.attempts == 3 and len(sleeps) == 2
    assert all(0 <= s <= 8 for s in sleeps)


def test_an_accepted_send_is_recorded_once_the_database_is_back(
    session, make_session, booking, sleeps, monkeypatch
):
    real_settle = dispatch_module.settle
    outages = iter([True, True, True])

    def settle_through_outage(*args, **kwargs):
        if args[2] == "sent" and next(outages, False):
            raise OperationalError("UPDATE sms_outbox", {}, ConnectionError("server closed"))
        return real_settle(*args, **kwargs)

    monkeypatch.setattr(dispatch_module, "settle", settle_through_outage)
    sender = MemorySender()
    dispatcher = Dispatcher("worker-1", sender, concurrency=1, sleep=sleeps)

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    row = confirmation(session, booking)
    assert (row.status, row.provider_sid) == ("sent", "memory-1")
    assert len(sleeps) == 3 and sender.attempts == 1


def test_consent_and_flagged_numbers_are_checked_for_the_whole_wave(
    session, make_session, factory, clock, sleeps
):
    interpreter = factory.interpreter("ar")
    people = [
        factory.beneficiary(
            phone=f"+35988812345{i}", sms_consent=True, language="en", other_languages=["ar"]
        )
        for i in range(3)
    ]
    bookings = [
        factory.booking([interpreter], sofia(*MONDAY, 9 + 2 * i, 0), beneficiary_ids=[p.id])
        for i, p in enumerate(people)
    ]
    people[0].sms_consent = False  # behind the service's back: only the send-time check
    session.add(FlaggedNumber(phone=people[1].phone, error_code="21614", flagged_at=clock()))
    session.commit()
    sender = MemorySender()

    counts = dispatch_due(make_session, replace(Dispatcher("w", sender), concurrency=1))

    assert counts == {"cancelled": 1, "failed": 1, "sent": 1}
    assert [m.to for m in sender.sent] == [people[2].phone]
    assert confirmation(session, bookings[0]).error_code == "no_consent"
    assert confirmation(session, bookings[1]).error_code == "21614"


def test_a_send_accepted_after_its_lease_ran_out_is_still_recorded_as_sent(
    session, make_session, booking, clock
):
    dispatcher = Dispatcher("slow", MemorySender())
    with make_session() as s:
        [claimed] = claim_due(s, "slow", 10, dispatcher.lease)
    with make_session() as s:
        assert mark_sending(s, dispatcher, claimed) is not None
    clock.now += dispatcher.send_lease + timedelta(seconds=1)
    with make_session() as s:
        assert recover_leases(s) == 1  # the send seems dead: to be reconciled
    assert confirmation(session, booking).status == "unclear"

    with make_session() as s:  # ... but its answer comes after all
        assert settle(s, claimed, "sent", now=clock(), provider_sid="SM" + "2" * 32)

    row = confirmation(session, booking)
    assert (row.status, row.provider_sid) == ("sent", "SM" + "2" * 32)
