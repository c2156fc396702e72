"""Twilio webhooks: signatures, delivery status, STOP/START/HELP and replies."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.directory.beneficiaries import set_sms_consent
from service.models import ConsentEvent, FlaggedNumber
from service.notify.dispatch import Dispatcher, dispatch_due
from service.notify.senders import TwilioSender
from tests.clients.twilio_server import (
    FakeTwilio,
    Reply,
    inbound_sms_params,
    sign,
    status_callback_params,
)
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.outbox_support import Clock, rows, sofia

BASE = "https://zapis.example.org"
PHONE = "+359888123456"
OTHER_PHONE = "+359888654321"
OUR_NUMBER = "+35924000111"
MONDAY = (2027, 3, 1)


@pytest.fixture(autouse=True)
def twilio_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, sofia(2027, 2, 22, 10, 0))


@pytest.fixture
def booking(factory, clock):
    person = factory.beneficiary(
        phone=PHONE, sms_consent=True, language="bg", other_languages=["ar"]
    )
    return factory.booking(
        [factory.interpreter("ar")], sofia(*MONDAY, 11, 0), beneficiary_ids=[person.id]
    )


def post(client, path, params, url=None, headers=None):
    signature = sign(url or BASE + path, params, AUTH_TOKEN)
    return client.post(
        path, data=params, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )


def sent_confirmation(session, booking, sid="SM" + "a" * 32):
    row = rows(session, booking.id)[0]
    row.status, row.provider_sid = "sent", sid
    session.commit()
    return row


def callback(row, status, sid=None, error_code=None):
    return status_callback_params(
        sid or row.provider_sid, status, ACCOUNT_SID, PHONE, OUR_NUMBER, error_code
    )


def test_a_signed_status_callback_settles_the_message(client, session, booking):
    row = sent_confirmation(session, booking)

    response = post(client, f"/webhooks/twilio/status/{row.id}", callback(row, "delivered"))

    assert response.status_code == 204
    session.refresh(row)
    assert row.status == "delivered"


@pytest.mark.parametrize(
    ("url", "headers"),
    [
        ("{base}/webhooks/twilio/status/{id}?x=1", {}),  # signed for another URL
        (
            "https://attacker.example/webhooks/twilio/status/{id}",
            {"X-Forwarded-Host": "attacker.example", "X-Forwarded-Proto": "https"},
        ),
        ("http://localhost/webhooks/twilio/status/{id}", {}),  # the URL the test client uses
    ],
)
def test_a_status_callback_with_a_wrong_signature_is_refused(
    client, session, booking, url, headers
):
    row = sent_confirmation(session, booking)
    path = f"/webhooks/twilio/status/{row.id}"

    response = post(
        client, path, callback(row, "delivered"), url.format(base=BASE, id=row.id), headers
    )
    unsigned = client.post(path, data=callback(row, "delivered"))

    assert (response.status_code, unsigned.status_code) == (403, 403)
    session.refresh(row)
    assert row.status == "sent"


def test_a_row_whose_answer_was_lost_is_settled_by_the_callback(client, session, booking):
    row = rows(session, booking.id)[0]
    row.status, row.error_code = "review", "lease_expired"
    session.commit()
    sid = "SM" + "b" * 32

    response = post(client, f"/webhooks/twilio/status/{row.id}", callback(row, "sent", sid))
    assert response.status_code == 204
    response = post(client, f"/webhooks/twilio/status/{row.id}", callback(row, "delivered", sid))
    assert response.status_code == 204

    session.refresh(row)
    assert (row.status, row.provider_sid) == ("delivered", sid)


def test_a_callback_for_another_message_sid_is_refused(client, session, booking):
    row = sent_confirmation(session, booking)

    response = post(
        client, f"/webhooks/twilio/status/{row.id}", callback(row, "failed", "SM" + "c" * 32)
    )

    assert response.status_code == 422
    session.refresh(row)
    assert row.status == "sent"


def test_undelivered_with_21610_withdraws_consent_and_63014_flags_the_number(
    client, session, booking, factory
):
    row = sent_confirmation(session, booking)
    response = post(
        client, f"/webhooks/twilio/status/{row.id}", callback(row, "undelivered", error_code=21610)
    )
    assert response.status_code == 204
    session.refresh(row)
    assert (row.status, row.error_code) == ("undelivered", "21610")
    person = session.get(type(factory.beneficiary()), booking.beneficiary_ids[0])
    session.refresh(person)
    assert person.sms_consent is False
    assert {m.status for m in rows(session, booking.id) if m.kind == "reminder"} == {"cancelled"}

    other = factory.beneficiary(
        phone=OTHER_PHONE, sms_consent=True, language="bg", other_languages=["ar"]
    )
    second = factory.booking(
        [factory.interpreter("ar")], sofia(*MONDAY, 14, 0), beneficiary_ids=[other.id]
    )
    row = sent_confirmation(session, second, sid="SM" + "b" * 32)
    response = post(
        client, f"/webhooks/twilio/status/{row.id}", callback(row, "failed", error_code=63014)
    )
    assert response.status_code == 204
    assert session.get(FlaggedNumber, OTHER_PHONE).error_code == "63014"


def inbound(client, body, phone=PHONE):
    return post(
        client, "/webhooks/twilio/inbound", inbound_sms_params(phone, OUR_NUMBER, body, ACCOUNT_SID)
    )


def test_inbound_with_a_wrong_signature_is_refused(client, session, booking):
    params = inbound_sms_params(PHONE, OUR_NUMBER, "STOP", ACCOUNT_SID)
    response = client.post(
        "/webhooks/twilio/inbound",
        data=params,
        headers={"X-Twilio-Signature": sign(BASE + "/webhooks/twilio/inbound", params, "wrong")},
    )

    assert response.status_code == 403
    person_id = booking.beneficiary_ids[0]
    assert session.scalars(
        select(ConsentEvent.consent).where(ConsentEvent.beneficiary_id == person_id)
    ).all() == [True]


def test_stop_from_a_shared_number_withdraws_everyone_and_start_restores_them(
    client, session, factory, clock
):
    adult = factory.beneficiary(
        phone=PHONE, sms_consent=True, language="bg", other_languages=["ar"]
    )
    child = factory.beneficiary(
        is_minor=True, guardian_phone=PHONE, sms_consent=True, language="bg", other_languages=["ar"]
    )
    other = factory.beneficiary(phone="+359888999000", sms_consent=True)
    chose = factory.beneficiary(phone=PHONE, sms_consent=True)
    set_sms_consent(session, chose, False)  # withdrawn by a coordinator: START must not undo it
    session.commit()
    booking = factory.booking(
        [factory.interpreter("ar")], sofia(*MONDAY, 11, 0), beneficiary_ids=[adult.id, child.id]
    )

    response = inbound(client, "Стоп")

    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    assert "START" in response.get_data(as_text=True)
    for person, consent in ((adult, False), (child, False), (other, True), (chose, False)):
        session.refresh(person)
        assert person.sms_consent is consent
    assert {m.status for m in rows(session, booking.id)} == {"cancelled"}

    assert inbound(client, "start").status_code == 200
    for person, consent in ((adult, True), (child, True), (other, True), (chose, False)):
        session.refresh(person)
        assert person.sms_consent is consent
    history = client.get(
        f"/api/v1/beneficiaries/{child.id}/consent", headers=factory.headers("admin")
    ).get_json()
    assert [(e["consent"], e["source"]) for e in history] == [
        (True, "api"),
        (False, "sms_stop"),
        (True, "sms_start"),
    ]


def test_help_is_answered_in_the_senders_language(client, factory):
    factory.beneficiary(phone=PHONE, sms_consent=True, language="bg", other_languages=["ar"])

    response = inbound(client, "help")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<Message>" in body and "Напомняния" in body


def test_other_text_is_kept_for_coordinators_on_the_next_booking(client, session, factory, booking):
    response = inbound(client, "Can I come at 12 instead?")

    assert response.status_code == 200
    assert "<Message>" not in response.get_data(as_text=True)
    sofia_coordinator = factory.headers("coordinator", offices=["sofia"])
    replies = client.get("/api/v1/replies", headers=sofia_coordinator).get_json()
    assert replies == [
        {
            "id": replies[0]["id"],
            "received_at": replies[0]["received_at"],
            "from_masked": "+359******456",
            "body": "Can I come at 12 instead?",
            "beneficiary_id": booking.beneficiary_ids[0],
            "booking_id": booking.id,
        }
    ]
    factory.office("burgas")
    burgas = factory.headers("coordinator", offices=["burgas"])
    assert client.get("/api/v1/replies", headers=burgas).get_json() == []
    staff = factory.headers("read_only")
    assert client.get("/api/v1/replies", headers=staff).status_code == 403


def test_a_send_that_timed_out_is_unclear_then_settled_by_its_callback(
    client, session, booking, app, monkeypatch
):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    with (
        FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake,
        TwilioSender(
            ACCOUNT_SID,
            AUTH_TOKEN,
            messaging_service_sid=SERVICE_SID,
            api_base_url=fake.base_url,
            timeout=0.3,
        ) as sender,
    ):
        fake.script(Reply.slow(3))
        dispatcher = Dispatcher("w", sender, concurrency=1, sleep=lambda _s: None)
        assert dispatch_due(app.extensions["zapis.sessionmaker"], dispatcher) == {"unclear": 1}
        [created] = fake.messages
    row = rows(session, booking.id)[0]
    assert (row.status, row.provider_sid) == ("unclear", None)

    path = f"/webhooks/twilio/status/{row.id}"
    assert created["status_callback"].endswith(path)
    response = post(client, path, callback(row, "delivered", created["sid"]))

    assert response.status_code == 204
    session.refresh(row)
    assert (row.status, row.provider_sid) == ("delivered", created["sid"])
