"""/metrics tells an operator how the outbox and its dispatchers are doing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from service.models import OutboxMessage
from tests.conftest import SCRAPER


def _message(factory, booking, status, due_at, sent_at=None):
    now = datetime.now(UTC)
    row = OutboxMessage(
        dedupe_key=f"test:{status}:{due_at.isoformat()}",
        kind="reminder",
        status=status,
        booking_id=booking.id,
        to="+359888123456",
        body="x",
        language="en",
        encoding="GSM-7",
        segments=1,
        estimated_cost=0,
        event_at=booking.starts_at,
        due_at=due_at,
        attempts=0,
        sent_at=sent_at,
        created_at=now,
        updated_at=now,
    )
    factory.session.add(row)
    factory.session.commit()


def test_metrics_show_notifications_by_status_and_the_dispatch_lag(client, factory):
    from tests.test_bookings_api import TUESDAY_10

    booking = factory.booking([factory.interpreter()], TUESDAY_10)
    now = datetime.now(UTC)
    _message(factory, booking, "queued", now - timedelta(minutes=10))
    _message(factory, booking, "queued", now + timedelta(hours=1))
    _message(
        factory, booking, "sent", now - timedelta(hours=1), sent_at=now - timedelta(minutes=59)
    )

    text = client.get("/metrics", headers=SCRAPER).get_data(as_text=True)

    assert 'zapis_notifications{status="queued"} 2.0' in text
    assert 'zapis_notifications{status="sent"} 1.0' in text
    lag = next(line for line in text.splitlines() if line.startswith("zapis_dispatch_lag_seconds "))
    assert 590 <= float(lag.split()[1]) <= 900
    assert "zapis_dispatch_last_sent_timestamp_seconds" in text


def test_metrics_show_reconciliations_by_outcome(client, factory, session):
    from tests.test_bookings_api import TUESDAY_10

    booking = factory.booking([factory.interpreter()], TUESDAY_10)
    now = datetime.now(UTC)
    outcomes = ["found", "found", "resent", "unknowable"]
    for n in range(len(outcomes)):
        _message(factory, booking, "sent", now - timedelta(minutes=n + 1), sent_at=now)
    rows = session.query(OutboxMessage).order_by(OutboxMessage.id).all()
    for row, outcome in zip(rows[-4:], outcomes, strict=True):
        row.reconciliation = outcome
    session.commit()

    text = client.get("/metrics", headers=SCRAPER).get_data(as_text=True)

    assert 'zapis_sms_reconciliations{outcome="found"} 2.0' in text
    assert 'zapis_sms_reconciliations{outcome="resent"} 1.0' in text
    assert 'zapis_sms_reconciliations{outcome="unknowable"} 1.0' in text
