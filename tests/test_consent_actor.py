"""Who changed SMS consent is kept beside how: the API token's name, never for a STOP reply."""

from __future__ import annotations

from sqlalchemy import select

from service.models import ApiToken, ConsentEvent
from service.notify.inbound import handle_inbound


def _events(session, beneficiary_id):
    rows = session.query(ConsentEvent).filter_by(beneficiary_id=beneficiary_id)
    return [(e.consent, e.source, e.actor) for e in rows.order_by(ConsentEvent.id)]


def test_the_api_records_the_token_that_gave_or_withdrew_consent(client, factory, session):
    headers = factory.headers("coordinator", offices=["sofia"])
    created = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "A-1",
            "language": "ar",
            "phone": "0888123456",
            "sms_consent": True,
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    person = created.json["id"]
    changed = client.patch(
        f"/api/v1/beneficiaries/{person}", json={"sms_consent": False}, headers=headers
    )
    assert changed.status_code == 200
    name = session.scalar(select(ApiToken.name))
    assert _events(session, person) == [(True, "api", name), (False, "api", name)]


def test_a_stop_reply_has_no_actor(factory, session):
    person = factory.beneficiary(phone="0888123456", sms_consent=True)
    handle_inbound(
        session, phone="+359888123456", body="STOP", message_sid=None, now=person.created_at
    )
    assert _events(session, person.id)[-1] == (False, "sms_stop", None)
