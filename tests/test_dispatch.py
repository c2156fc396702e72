"""The dispatcher through the real twilio library against FakeTwilio, one worker at a time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from service.booking.bookings import Actor, BookingRequest, change_status, create_booking
from service.booking.policy import BookingPolicy
from service.models import Beneficiary, ConsentEvent, FlaggedNumber
from service.notify.dispatch import (
    Dispatcher,
    claim_due,
    dispatch_due,
    mark_sending,
    recover_leases,
    send_one,
    settle,
)
from service.notify.inbound import apply_status_callback
from service.notify.senders import TwilioSender
from tests.clients.twilio_server import FakeTwilio, Reply
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.outbox_support import Clock, rows, sofia

PHONE = "+359888123456"
GUARDIAN = "+359877654321"
MONDAY = (2027, 3, 1)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, sofia(2027, 2, 22, 10, 0))


@pytest.fixture
def fake(clock) -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, clock=clock) as server:
        yield server


@pytest.fixture
def dispatcher(fake) -> Iterator[Dispatcher]:
    with TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        messaging_service_sid=SERVICE_SID,
        api_base_url=fake.base_url,
        timeout=2.0,
    ) as sender:
        # One send at a time: these sessions share the test's connection.
        yield Dispatcher("worker-1", sender, concurrency=1, sleep=lambda _seconds: None)


@pytest.fixture
def make_session(app, session):
    """Sessions on the test's connection (each commit is a savepoint), as the app makes them."""
    return app.extensions["zapis.sessionmaker"]


@pytest.fixture
def booking(factory, clock):
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(
        phone=PHONE, sms_consent=True, language="en", other_languages=["ar"]
    )
    return factory.booking([interpreter], sofia(*MONDAY, 11, 0), beneficiary_ids=[person.id])


def confirmation(session, booking):
    return next(m for m in rows(session, booking.id) if m.kind == "confirmation")


def test_a_due_message_is_sent_once_with_its_status_callback(
    session, make_session, dispatcher, fake, booking
):
    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert dispatch_due(make_session, dispatcher) == {}

    [sent] = fake.messages
    row = confirmation(session, booking)
    assert sent["to"] == PHONE
    assert sent["body"] == row.body
    assert sent["status_callback"] == f"http://127.0.0.1:8000/webhooks/twilio/status/{row.id}"
    assert (row.status, row.provider_sid, row.attempts) == ("sent", sent["sid"], 1)
    assert row.sent_at is not None
    assert {m.status for m in rows(session, booking.id) if m.kind == "reminder"} == {"queued"}


def test_rate_limited_then_accepted(session, make_session, dispatcher, fake, booking):
    fake.script(Reply.error(429, 20429), Reply.error(429, 20429))

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert fake.attempts == 3
    assert len(fake.messages) == 1


def test_rate_limited_every_time_goes_back_to_the_queue_for_later(
    session, make_session, dispatcher, fake, booking, clock
):
    fake.script(*[Reply.error(429, 20429)] * 4)

    assert dispatch_due(make_session, dispatcher) == {"queued": 1}
    row = confirmation(session, booking)
    assert (row.status, row.claimed_by, row.error_code) == ("queued", None, "20429")
    assert row.due_at == clock() + timedelta(minutes=5)
    assert fake.messages == []

    clock.now += timedelta(minutes=5)
    assert dispatch_due(make_session, dispatcher) == {"sent": 1}


def test_an_invalid_number_fails_at_once_and_is_flagged(
    session, make_session, dispatcher, fake, booking
):
    fake.script(Reply.error(400, 21211))

    assert dispatch_due(make_session, dispatcher) == {"failed": 1}
    assert fake.attempts == 1
    row = confirmation(session, booking)
    assert (row.status, row.error_code) == ("failed", "21211")
    assert session.get(FlaggedNumber, PHONE) is not None
    # Nothing more is tried on that number: the pending reminders fail when due.
    assert {m.status for m in rows(session, booking.id)} == {"failed", "queued"}


def test_an_unsubscribed_recipient_withdraws_consent_for_everyone_on_the_number(
    session, make_session, dispatcher, fake, factory, clock
):
    interpreter = factory.interpreter("ar")
    sister = factory.beneficiary(
        is_minor=True, guardian_phone=GUARDIAN, sms_consent=True, language="ar"
    )
    brother = factory.beneficiary(
        is_minor=True, guardian_phone=GUARDIAN, sms_consent=True, language="ar"
    )
    booking = factory.booking(
        [interpreter], sofia(*MONDAY, 11, 0), beneficiary_ids=[sister.id, brother.id]
    )
    fake.script(Reply.error(400, 21610))

    counts = dispatch_due(make_session, dispatcher)

    assert counts == {"failed": 1, "cancelled": 1}  # the second is stopped before sending
    assert len(fake.messages) == 0 and fake.attempts == 1
    for person in (sister, brother):
        session.refresh(person)
        assert person.sms_consent is False
    sources = session.scalars(select(ConsentEvent.source).where(ConsentEvent.consent.is_(False)))
    assert sorted(sources) == ["twilio_21610", "twilio_21610"]
    assert {m.status for m in rows(session, booking.id) if m.kind == "reminder"} == {"cancelled"}


def test_a_server_error_is_reconciled_and_sent_once_more_only_when_twilio_made_nothing(
    session, make_session, dispatcher, fake, booking, clock
):
    fake.script(Reply.error(500, 20500))

    assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
    row = confirmation(session, booking)
    assert (row.status, row.error_code) == ("unclear", "20500")
    assert dispatch_due(make_session, dispatcher) == {}  # waiting for a status callback
    assert (fake.attempts, fake.lists) == (1, 0)

    clock.now += dispatcher.reconcile_after
    assert dispatch_due(make_session, dispatcher) == {}  # not found, but it is too early
    assert (fake.attempts, fake.lists) == (1, 1)
    clock.now += dispatcher.absent_after
    assert dispatch_due(make_session, dispatcher) == {"queued": 1, "sent": 1}

    [sent] = fake.messages
    session.expire_all()
    row = confirmation(session, booking)
    assert (row.status, row.reconciliation, row.provider_sid) == ("sent", "resent", sent["sid"])
    assert fake.attempts == 2


def test_a_send_that_timed_out_after_twilio_made_it_is_found_not_sent_again(
    session, make_session, fake, booking, clock
):
    fake.script(Reply.slow(1.5))
    with TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        messaging_service_sid=SERVICE_SID,
        api_base_url=fake.base_url,
        timeout=0.3,
    ) as sender:
        dispatcher = Dispatcher("worker-1", sender, concurrency=1, sleep=lambda _seconds: None)
        assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
        clock.now += dispatcher.reconcile_after
        assert dispatch_due(make_session, dispatcher) == {"sent": 1}

    [made] = fake.messages
    session.expire_all()
    row = confirmation(session, booking)
    assert (row.status, row.reconciliation, row.provider_sid) == ("sent", "found", made["sid"])
    assert fake.attempts == 1


def test_a_status_callback_settles_an_unclear_send_before_anyone_asks(
    session, make_session, dispatcher, fake, booking, clock
):
    fake.script(Reply.dropped())
    assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
    row = confirmation(session, booking)
    apply_status_callback(
        session, row.id, message_sid="SM" + "1" * 32, status="sent", error_code=None, now=clock()
    )
    session.commit()

    clock.now += dispatcher.reconcile_after + dispatcher.absent_after
    assert dispatch_due(make_session, dispatcher) == {}
    session.expire_all()
    row = confirmation(session, booking)
    assert (row.status, row.reconciliation) == ("sent", "callback")
    assert (fake.attempts, fake.lists) == (1, 0)


def test_an_unclear_send_confirmed_absent_after_its_appointment_began_is_dropped(
    session, make_session, dispatcher, fake, booking, clock
):
    fake.script(Reply.error(502))
    assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
    clock.now = sofia(*MONDAY, 11, 30)

    assert dispatch_due(make_session, dispatcher)["cancelled"] >= 1
    session.expire_all()
    row = confirmation(session, booking)
    assert (row.status, row.reconciliation, row.error_code) == ("cancelled", "expired", "expired")
    assert fake.messages == []


def test_a_message_unclear_at_each_of_its_sends_goes_to_review(
    session, make_session, dispatcher, fake, booking, clock
):
    dispatcher = replace(dispatcher, max_sends=2)
    fake.script(Reply.error(500, 20500), Reply.dropped())
    assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
    clock.now += dispatcher.reconcile_after + dispatcher.absent_after
    assert dispatch_due(make_session, dispatcher) == {"queued": 1, "unclear": 1}
    clock.now += dispatcher.reconcile_after + dispatcher.absent_after
    assert dispatch_due(make_session, dispatcher) == {"review": 1}

    session.expire_all()
    row = confirmation(session, booking)
    assert (row.status, row.reconciliation) == ("review", "unknowable")
    assert fake.attempts == 2 and fake.messages == []


def test_twilio_out_of_reach_while_reconciling_goes_to_review_only_after_the_patience(
    session, make_session, dispatcher, fake, booking, clock
):
    fake.script(Reply.error(500, 20500))
    assert dispatch_due(make_session, dispatcher) == {"unclear": 1}
    fake.__exit__(None, None, None)  # Twilio cannot be reached any more

    clock.now += dispatcher.reconcile_after
    assert dispatch_due(make_session, dispatcher) == {}
    session.expire_all()
    assert confirmation(session, booking).status == "unclear"
    clock.now += dispatcher.give_up_after
    assert dispatch_due(make_session, dispatcher) == {"review": 1}
    session.expire_all()
    assert confirmation(session, booking).reconciliation == "unknowable"


def test_consent_is_checked_again_when_sending(session, make_session, dispatcher, fake, booking):
    person = session.get(Beneficiary, booking.beneficiary_ids[0])
    person.sms_consent = False  # behind the service's back: only the send-time check is left
    session.commit()

    assert dispatch_due(make_session, dispatcher) == {"cancelled": 1}
    assert (confirmation(session, booking).error_code, fake.attempts) == ("no_consent", 0)


def test_nothing_goes_out_in_quiet_hours_unless_the_appointment_comes_first(
    session, make_session, dispatcher, fake, booking, clock, factory
):
    clock.now = sofia(2027, 2, 22, 22, 0)
    assert dispatch_due(make_session, dispatcher) == {}

    person = session.get(Beneficiary, booking.beneficiary_ids[0])
    early = factory.interpreter("ar")
    request = BookingRequest(
        type="interpretation",
        office="sofia",
        starts_at=sofia(2027, 2, 23, 7, 30),
        ends_at=sofia(2027, 2, 23, 8, 30),
        resource_ids=[early.id],
        beneficiary_ids=[person.id],
        override=True,
    )
    urgent = create_booking(session, request, Actor("admin", may_override=True), BookingPolicy())
    session.commit()

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert fake.messages[0]["body"] == confirmation(session, urgent).body
    clock.now = sofia(2027, 2, 23, 8, 0)
    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert confirmation(session, booking).status == "sent"


def test_an_appointment_already_begun_is_not_texted(
    session, make_session, dispatcher, fake, booking, clock
):
    clock.now = sofia(*MONDAY, 11, 0)
    assert dispatch_due(make_session, dispatcher)["cancelled"] >= 1
    assert fake.attempts == 0
    assert confirmation(session, booking).error_code == "expired"


def test_a_worker_that_dies_after_marking_sending_is_reconciled_and_sent_once(
    session, make_session, dispatcher, fake, factory, clock
):
    interpreter = factory.interpreter("ar")
    people = [factory.beneficiary(phone=f"+35988812340{i}", sms_consent=True) for i in range(4)]
    bookings = [
        factory.booking([interpreter], sofia(*MONDAY, 9 + 2 * i, 0), beneficiary_ids=[p.id])
        for i, p in enumerate(people)
    ]
    with make_session() as s:
        claimed = claim_due(s, "doomed", 10, dispatcher.lease)
    assert len(claimed) == 4
    doomed = Dispatcher("doomed", dispatcher.sender)
    with make_session() as s:
        assert mark_sending(s, doomed, claimed[0]) is not None
    # ... and the doomed worker dies here, without calling Twilio.

    assert dispatch_due(make_session, dispatcher) == {}  # still leased
    clock.now += dispatcher.lease + timedelta(seconds=1)
    with make_session() as s:
        assert recover_leases(s) == 0  # the send lease is longer
    assert dispatch_due(make_session, dispatcher) == {"sent": 3}
    clock.now += doomed.send_lease
    with make_session() as s:
        assert recover_leases(s) == 1
    # Twilio never made it (the worker died before calling): confirmed absent, sent once.
    assert dispatch_due(make_session, dispatcher) == {"queued": 1, "sent": 1}

    statuses = {b.id: confirmation(session, b).status for b in bookings}
    assert sorted(statuses.values()) == ["sent", "sent", "sent", "sent"]
    assert len(fake.messages) == 4
    assert len({m["to"] for m in fake.messages}) == 4


def test_a_cancellation_before_sending_wins_over_the_claim(
    session, make_session, dispatcher, fake, booking
):
    with make_session() as s:
        [claimed] = claim_due(s, dispatcher.worker_id, 10, dispatcher.lease)
    change_status(session, booking, "cancel", Actor("tests"), reason="moved away")
    session.commit()

    assert send_one(make_session, dispatcher, claimed) == "cancelled"
    assert fake.attempts == 0
    assert {m.status for m in rows(session, booking.id)} == {"cancelled"}


def test_a_cancellation_after_marking_sending_is_followed_by_a_notice(
    session, make_session, dispatcher, fake, booking
):
    with make_session() as s:
        [claimed] = claim_due(s, dispatcher.worker_id, 10, dispatcher.lease)
    with make_session() as s:
        message = mark_sending(s, dispatcher, claimed)
    assert message is not None
    change_status(session, booking, "cancel", Actor("tests"), reason="moved away")
    session.commit()
    result = dispatcher.sender.send(message)  # the send that was already under way
    with make_session() as s:
        settle(s, claimed, "sent", now=sofia(2027, 2, 22, 10, 0), provider_sid=result.provider_id)

    assert dispatch_due(make_session, dispatcher) == {"sent": 1}
    assert [m["body"].startswith("Your appointment is confirmed") for m in fake.messages] == [
        True,
        False,
    ]
    assert "cancelled" in fake.messages[1]["body"]
