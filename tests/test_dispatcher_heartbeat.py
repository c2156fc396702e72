"""Each dispatch tick records the dispatcher's heartbeat; /metrics tells who is alive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from service.models import DispatcherHeartbeat
from service.notify.dispatch import Dispatcher
from service.notify.heartbeat import PRUNE_AFTER, Beat, record_heartbeat
from service.notify.jobs import dispatch_job, recovery_job
from service.notify.senders import MemorySender
from service.plumbing.clock import utcnow
from tests.clients.dispatch_worker import NO_QUIET_HOURS
from tests.conftest import SCRAPER
from tests.outbox_support import at, future_monday


@pytest.fixture
def sender() -> MemorySender:
    return MemorySender()


@pytest.fixture
def beat() -> Beat:
    return Beat(host="dispatch-a", pid=4242, interval=5.0)


@pytest.fixture
def dispatcher(beat: Beat, sender: MemorySender) -> Dispatcher:
    return Dispatcher(beat.worker_id, sender, settings=NO_QUIET_HOURS)


def _heartbeats(session) -> list[DispatcherHeartbeat]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(
        session.scalars(select(DispatcherHeartbeat).order_by(DispatcherHeartbeat.worker_id))
    )


def _metric(text: str, name: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(name)]


def test_each_dispatch_tick_records_the_heartbeat_with_what_it_claimed_and_sent(
    app, session, factory, beat, dispatcher, sender
) -> None:  # type: ignore[no-untyped-def]
    person = factory.beneficiary(
        phone="+359888123450", sms_consent=True, language="en", other_languages=["ar"]
    )
    factory.booking(
        [factory.interpreter("ar")], at(future_monday(), 11), beneficiary_ids=[person.id]
    )
    before = utcnow()

    assert dispatch_job(app, dispatcher, beat) == {"sent": 1}

    [row] = _heartbeats(session)
    assert (row.worker_id, row.host, row.pid) == ("dispatch-a:4242", "dispatch-a", 4242)
    assert (row.last_claimed, row.last_sent, row.interval_seconds) == (1, 1, 5.0)
    assert row.started_at == beat.started_at
    assert before <= row.last_beat_at <= utcnow()
    assert len(sender.sent) == 1

    first_beat = row.last_beat_at
    assert dispatch_job(app, dispatcher, beat) == {}  # nothing left: still a beat

    [row] = _heartbeats(session)
    assert (row.last_claimed, row.last_sent) == (0, 0)
    assert row.last_beat_at >= first_beat
    assert row.started_at == beat.started_at


def test_metrics_show_each_dispatchers_heartbeat_age_and_how_many_are_live(
    app, client, session, beat, dispatcher
) -> None:  # type: ignore[no-untyped-def]
    dispatch_job(app, dispatcher, beat)
    silent = Beat(host="dispatch-b", pid=7, interval=5.0, started_at=utcnow() - timedelta(hours=1))
    record_heartbeat(session, silent, claimed=3, sent=3, now=utcnow() - timedelta(seconds=16))
    session.commit()

    text = client.get("/metrics", headers=SCRAPER).get_data(as_text=True)

    ages = {
        line.split('"')[1]: float(line.split()[-1])
        for line in _metric(text, "zapis_dispatcher_heartbeat_age_seconds{")
    }
    assert set(ages) == {"dispatch-a:4242", "dispatch-b:7"}
    assert 0 <= ages["dispatch-a:4242"] < 15
    assert ages["dispatch-b:7"] >= 16
    assert _metric(text, "zapis_dispatchers_live ") == ["zapis_dispatchers_live 1.0"]
    assert _metric(text, "zapis_dispatch_lag_seconds ")  # beside the outbox lag


def test_the_recovery_job_prunes_heartbeats_silent_for_long(app, session, beat, dispatcher) -> None:  # type: ignore[no-untyped-def]
    dispatch_job(app, dispatcher, beat)
    gone = Beat(host="dispatch-old", pid=1, interval=5.0)
    record_heartbeat(
        session, gone, claimed=0, sent=0, now=utcnow() - PRUNE_AFTER - timedelta(minutes=1)
    )
    session.commit()

    recovery_job(app)

    assert [row.worker_id for row in _heartbeats(session)] == ["dispatch-a:4242"]


def test_ready_does_not_depend_on_any_dispatcher(client, session) -> None:  # type: ignore[no-untyped-def]
    assert _heartbeats(session) == []
    assert client.get("/ready").status_code == 200

    dead = Beat(host="dispatch-dead", pid=9, interval=5.0)
    record_heartbeat(session, dead, claimed=0, sent=0, now=utcnow() - timedelta(minutes=30))
    session.commit()

    assert client.get("/ready").status_code == 200
    assert "zapis_dispatchers_live 0.0" in client.get("/metrics", headers=SCRAPER).get_data(
        as_text=True
    )
