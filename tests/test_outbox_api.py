"""Notifications of a booking, resending a failed one, retention and the scheduler command."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.models import OutboxMessage, SmsReply
from service.notify import outbox
from service.notify.jobs import purge_job
from service.notify.retention import purge_old_messages
from service.plumbing.errors import Conflict
from tests.outbox_support import Clock, at, future_monday, rows, sofia

PHONE = "+359888123456"
MONDAY = (2027, 3, 1)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, sofia(2027, 2, 22, 10, 0))


@pytest.fixture
def booking(factory, clock):
    person = factory.beneficiary(
        phone=PHONE, sms_consent=True, language="en", other_languages=["ar"]
    )
    return factory.booking(
        [factory.interpreter("ar")], sofia(*MONDAY, 11, 0), beneficiary_ids=[person.id]
    )


def test_a_bookings_notifications_with_masked_numbers(client, admin, booking):
    response = client.get(f"/api/v1/bookings/{booking.id}/notifications", headers=admin)

    assert response.status_code == 200
    listed = response.get_json()
    assert [(n["kind"], n["status"]) for n in listed] == [
        ("confirmation", "queued"),
        ("reminder", "queued"),
        ("reminder", "queued"),
    ]
    first = listed[0]
    assert set(first) == {
        "id", "kind", "status", "to_masked", "due_at", "sent_at", "encoding", "segments",
        "handled_at",
    }  # fmt: skip
    assert first["to_masked"] == "+359******456"
    assert first["due_at"] == "2027-02-22T10:00:00+02:00"
    assert (first["sent_at"], first["encoding"], first["segments"]) == (None, "GSM-7", 1)


def test_notifications_follow_the_booking_access_rules(client, factory, booking):
    burgas = factory.headers("coordinator", offices=["burgas"])
    response = client.get(f"/api/v1/bookings/{booking.id}/notifications", headers=burgas)
    assert response.status_code == 404
    assert client.get(f"/api/v1/bookings/{booking.id}/notifications").status_code == 401


def test_a_failed_notification_is_resent_once(client, admin, session, booking):
    failed = rows(session, booking.id)[0]
    failed.status, failed.error_code = "failed", "30003"
    session.commit()
    queued = rows(session, booking.id)[1]

    response = client.post(f"/api/v1/notifications/{failed.id}/resend", headers=admin)

    assert response.status_code == 201
    copy = session.get(OutboxMessage, response.get_json()["id"])
    assert (copy.status, copy.kind, copy.to, copy.body) == (
        "queued",
        "confirmation",
        PHONE,
        failed.body,
    )
    assert copy.dedupe_key == f"resend:{failed.id}"
    again = client.post(f"/api/v1/notifications/{failed.id}/resend", headers=admin)
    assert again.status_code == 409
    not_failed = client.post(f"/api/v1/notifications/{queued.id}/resend", headers=admin)
    assert not_failed.status_code == 409
    missing = client.post("/api/v1/notifications/999999/resend", headers=admin)
    assert missing.status_code == 404


def test_a_resend_needs_consent(client, admin, session, booking):
    failed = rows(session, booking.id)[0]
    failed.status = "failed"
    session.commit()
    client.patch(
        f"/api/v1/beneficiaries/{booking.beneficiary_ids[0]}",
        json={"sms_consent": False},
        headers=admin,
    )

    response = client.post(f"/api/v1/notifications/{failed.id}/resend", headers=admin)

    assert response.status_code == 422


def test_retention_forgets_old_bodies_and_numbers_only(session, booking, clock):
    sent = rows(session, booking.id)[0]
    sent.status = "delivered"
    reply = SmsReply(from_phone=PHONE, body="ok", received_at=clock(), beneficiary_id=None)
    session.add(reply)
    session.commit()

    early = purge_old_messages(session, clock() + timedelta(days=89), days=90)
    assert (early.messages, early.replies) == (0, 0)
    purged = purge_old_messages(session, clock() + timedelta(days=91), days=90)
    session.commit()

    assert (purged.messages, purged.replies) == (1, 1)
    for row in rows(session, booking.id):
        if row.id == sent.id:
            assert (row.body, row.to, row.status) == (None, None, "delivered")
            assert row.purged_at is not None
        else:
            assert (row.body is not None, row.to) == (True, PHONE)
    session.refresh(reply)
    assert (reply.body, reply.from_phone) == (None, None)
    again = purge_old_messages(session, clock() + timedelta(days=92), days=90)
    assert (again.messages, again.replies) == (0, 0)


def test_the_daily_purge_job_uses_the_retention_setting(app, session, booking, clock, monkeypatch):
    sent = rows(session, booking.id)[0]
    sent.status = "sent"
    session.commit()
    monkeypatch.setattr("service.notify.jobs.utcnow", lambda: clock() + timedelta(days=3))
    monkeypatch.setitem(app.config, "RETENTION_DAYS", 4)
    assert purge_job(app).messages == 0

    monkeypatch.setitem(app.config, "RETENTION_DAYS", 2)
    assert purge_job(app).messages == 1
    session.refresh(sent)
    assert sent.body is None


def test_the_scheduler_command_sends_what_is_due_once(app, session, factory, monkeypatch):
    monkeypatch.setitem(app.config, "QUIET_HOURS", "00:00-00:00")
    monkeypatch.setitem(app.config, "SMS_SENDER", "console")
    person = factory.beneficiary(phone=PHONE, sms_consent=True)
    booking = factory.booking(
        [factory.interpreter("ar")], at(future_monday(), 11), beneficiary_ids=[person.id]
    )

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["scheduler", "--once"])

    assert result.exit_code == 0, result.output
    assert result.output.strip() == "recovered 0; sent {'sent': 1}"
    confirmation = rows(session, booking.id)[0]
    assert confirmation.status == "sent"
    assert (confirmation.provider_sid or "").startswith("console-")


def test_messages_are_queued_with_the_booking_or_not_at_all(
    client, admin, session, factory, clock, monkeypatch
):
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(phone=PHONE, sms_consent=True)
    payload = {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": sofia(*MONDAY, 11, 0).isoformat(),
        "ends_at": sofia(*MONDAY, 12, 0).isoformat(),
        "resource_ids": [interpreter.id],
        "beneficiary_ids": [person.id],
    }
    real_hook = outbox.on_booking_created

    def queue_then_fail(request_session, *args, **kwargs):
        real_hook(request_session, *args, **kwargs)
        assert len(rows(request_session)) == 3  # queued in the booking's transaction ...
        raise Conflict("the booking failed after its messages were queued")

    monkeypatch.setattr(outbox, "on_booking_created", queue_then_fail)
    failed = client.post("/api/v1/bookings", json=payload, headers=admin)
    assert failed.status_code == 409
    assert rows(session) == []  # ... and rolled back with it

    monkeypatch.setattr(outbox, "on_booking_created", real_hook)
    booked = client.post("/api/v1/bookings", json=payload, headers=admin)
    assert booked.status_code == 201
    assert [m.booking_id for m in rows(session)] == [booked.get_json()["id"]] * 3
