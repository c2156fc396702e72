"""Marking a failed or unclear SMS handled, through the API: who may, and what it refuses."""

from __future__ import annotations

from datetime import time

import pytest

from service.models import OutboxMessage
from service.plumbing.clock import sofia_instant
from tests.console.conftest import work_day
from tests.outbox_support import rows

PHONE = "+359888123456"


@pytest.fixture
def booking(factory):
    someone = factory.beneficiary(phone=PHONE, sms_consent=True, offices=("burgas",))
    person = factory.interpreter(offices=("burgas",))
    return factory.booking(
        [person], sofia_instant(work_day(), time(10)), office="burgas", beneficiary_ids=[someone.id]
    )


def in_review(session, booking):
    row = rows(session, booking.id)[0]
    row.status, row.error_code = "review", "lease_expired"
    session.commit()
    return row


def test_a_coordinator_of_the_office_marks_a_message_in_review_handled(
    client, factory, session, booking
):
    row = in_review(session, booking)
    burgas = factory.headers("coordinator", offices=["burgas"])

    response = client.post(f"/api/v1/notifications/{row.id}/handled", headers=burgas)

    assert response.status_code == 200, response.text
    assert response.get_json()["handled_at"] is not None
    session.expire_all()
    handled = session.get(OutboxMessage, row.id)
    assert handled.handled_by.startswith("coordinator") and handled.status == "review"
    again = client.post(f"/api/v1/notifications/{row.id}/handled", headers=burgas)
    assert again.status_code == 409 and "already" in again.get_json()["message"]


def test_only_a_message_needing_attention_can_be_marked_handled(client, admin, session, booking):
    queued = rows(session, booking.id)[0]
    response = client.post(f"/api/v1/notifications/{queued.id}/handled", headers=admin)
    assert response.status_code == 409
    assert "queued" in response.get_json()["message"]
    assert client.post("/api/v1/notifications/999999/handled", headers=admin).status_code == 404


@pytest.mark.parametrize(
    ("scope", "status"),
    [
        ({"role": "coordinator", "offices": ["sofia"]}, 404),
        ({"role": "read_only"}, 403),
    ],
)
def test_others_may_not_mark_a_message_handled(client, factory, session, booking, scope, status):
    row = in_review(session, booking)
    headers = factory.headers(**scope)
    response = client.post(f"/api/v1/notifications/{row.id}/handled", headers=headers)
    assert response.status_code == status
    session.expire_all()
    assert session.get(OutboxMessage, row.id).handled_at is None
