"""Twilio webhooks are idempotent, and malformed fields answer 4xx naming the field, not 500.

Twilio retries a webhook whose answer it did not get, and a signed request carries no date, so
the same MessageSid can come twice: the second copy changes and stores nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote

import pytest
import werkzeug.formparser  # noqa: F401 - registers the "werkzeug.url_quote" error handler
from sqlalchemy import func, select

from service.models import ConsentEvent, FlaggedNumber, InboundReceipt, SmsReply
from tests.clients.twilio_server import inbound_sms_params, sign, status_callback_params
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.outbox_support import rows, sofia

BASE = "https://zapis.example.org"
PHONE = "+359888123456"
OUR_NUMBER = "+35924000111"
INBOUND = "/webhooks/twilio/inbound"
SID = "SM" + "c" * 32


@pytest.fixture(autouse=True)
def twilio_config(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    app.extensions["zapis.limiter"].reset()


def post(client, path, params):
    signature = sign(BASE + path, params, AUTH_TOKEN)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def post_raw(client, path, body: bytes, signed_params):
    """POST `body` as it is, signed over `signed_params` (what the server will decode)."""
    signature = sign(BASE + path, signed_params, AUTH_TOKEN)
    return client.post(
        path,
        data=body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def inbound(body, sid=SID, phone=PHONE):
    params = inbound_sms_params(phone, OUR_NUMBER, body, ACCOUNT_SID)
    params["MessageSid"] = params["SmsSid"] = params["SmsMessageSid"] = sid
    return params


def count(session, model, *where):
    return session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def person(factory):
    return factory.beneficiary(phone=PHONE, sms_consent=True, language="bg", other_languages=["ar"])


@pytest.fixture
def confirmation(session, factory, person):
    booking = factory.booking(
        [factory.interpreter("ar")], sofia(2027, 3, 1, 11, 0), beneficiary_ids=[person.id]
    )
    row = rows(session, booking.id)[0]
    row.status, row.provider_sid = "sent", "SM" + "a" * 32
    session.commit()
    return row


def test_a_replayed_reply_is_stored_once_and_answered_200(client, session, person):
    first = post(client, INBOUND, inbound("Ще дойда"))
    again = post(client, INBOUND, inbound("Ще дойда"))

    assert (first.status_code, again.status_code) == (200, 200)
    assert "<Message>" not in again.get_data(as_text=True)
    assert count(session, SmsReply, SmsReply.provider_sid == SID) == 1
    assert count(session, InboundReceipt, InboundReceipt.message_sid == SID) == 1


def test_a_replayed_stop_after_start_does_not_withdraw_consent_again(client, session, person):
    stop = inbound("STOP", sid="SM" + "1" * 32)
    assert "<Message>" in post(client, INBOUND, stop).get_data(as_text=True)
    assert post(client, INBOUND, inbound("START", sid="SM" + "2" * 32)).status_code == 200
    session.refresh(person)
    assert person.sms_consent is True

    replay = post(client, INBOUND, stop)

    assert replay.status_code == 200
    assert "<Message>" not in replay.get_data(as_text=True)  # no second confirmation SMS
    session.refresh(person)
    assert person.sms_consent is True
    events = session.scalars(
        select(ConsentEvent.source).where(ConsentEvent.beneficiary_id == person.id)
    ).all()
    assert sorted(events) == sorted(["api", "sms_stop", "sms_start"])


def test_a_replayed_start_does_not_restore_consent_withdrawn_again(client, session, person):
    post(client, INBOUND, inbound("STOP", sid="SM" + "3" * 32))
    start = inbound("START", sid="SM" + "4" * 32)
    post(client, INBOUND, start)
    post(client, INBOUND, inbound("STOP", sid="SM" + "5" * 32))

    assert post(client, INBOUND, start).status_code == 200
    session.refresh(person)
    assert person.sms_consent is False


def test_the_same_status_twice_is_a_no_op(client, session, confirmation):
    path = f"/webhooks/twilio/status/{confirmation.id}"
    params = status_callback_params(
        confirmation.provider_sid, "delivered", ACCOUNT_SID, PHONE, OUR_NUMBER, None
    )
    assert post(client, path, params).status_code == 204
    session.refresh(confirmation)
    settled = confirmation.updated_at

    assert post(client, path, params).status_code == 204
    session.refresh(confirmation)
    assert (confirmation.status, confirmation.updated_at) == ("delivered", settled)


def test_a_late_status_does_not_move_a_message_backwards(client, session, confirmation):
    path = f"/webhooks/twilio/status/{confirmation.id}"

    def status(value, code=None):
        params = status_callback_params(
            confirmation.provider_sid, value, ACCOUNT_SID, PHONE, OUR_NUMBER, code
        )
        assert post(client, path, params).status_code == 204
        session.refresh(confirmation)
        return confirmation.status

    assert status("delivered") == "delivered"
    assert [status("sent"), status("sending"), status("queued")] == ["delivered"] * 3
    assert status("undelivered", 30003) == "delivered"
    assert confirmation.error_code is None


def test_a_replayed_21610_does_not_withdraw_consent_given_again(
    client, session, person, confirmation
):
    path = f"/webhooks/twilio/status/{confirmation.id}"
    params = status_callback_params(
        confirmation.provider_sid, "undelivered", ACCOUNT_SID, PHONE, OUR_NUMBER, 21610
    )
    assert post(client, path, params).status_code == 204
    session.refresh(person)
    assert person.sms_consent is False
    assert post(client, INBOUND, inbound("START", sid="SM" + "6" * 32)).status_code == 200

    assert post(client, path, params).status_code == 204
    session.refresh(person)
    assert person.sms_consent is True


def _error(response, field):
    assert response.status_code == 422, response.get_data(as_text=True)
    body = response.get_json()
    assert field in body["errors"]["form"], body
    return body


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("ErrorCode", "²"),  # str.isdigit() says yes, int() says no
        ("ErrorCode", "3000x"),
        ("MessageSid", "SM" + "a" * 9998),
        ("MessageSid", "SM\x00" + "a" * 31),
        ("MessageStatus", "deliv\x00ered"),
        ("From", "+3598\x0088123"),
    ],
)
def test_a_malformed_status_callback_field_is_named_in_a_422(
    client, session, confirmation, field, value
):
    params = status_callback_params(
        confirmation.provider_sid, "undelivered", ACCOUNT_SID, PHONE, OUR_NUMBER, 30003
    )
    params[field] = value
    if field == "MessageSid":
        params["SmsSid"] = value
    _error(post(client, f"/webhooks/twilio/status/{confirmation.id}", params), field)
    session.refresh(confirmation)
    assert (confirmation.status, confirmation.error_code) == ("sent", None)
    assert count(session, FlaggedNumber) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("MessageSid", "SM" + "b" * 9998),
        ("From", "+359888\x00123456"),
        ("From", "+359888123456" + "7" * 30),
        ("From", "not a number"),
        ("Body", "STOP\x00"),
        ("Body", "hello \x00 there"),
        ("MessageSid", ""),
    ],
)
def test_a_malformed_inbound_field_is_named_in_a_422(client, session, person, field, value):
    params = inbound("STOP")
    params[field] = value
    if field == "MessageSid":
        params["SmsSid"] = params["SmsMessageSid"] = value
    _error(post(client, INBOUND, params), field)
    session.refresh(person)
    assert person.sms_consent is True
    assert count(session, SmsReply) == 0
    assert count(session, InboundReceipt) == 0


@pytest.mark.parametrize("field", ["Body", "From", "MessageSid"])
def test_a_lone_surrogate_is_named_in_a_422(client, session, person, field):
    """A lone surrogate encoded as UTF-8 (ED A0 80) is not UTF-8; werkzeug would keep it
    percent-encoded in the text, where it would pass for the sender's own words."""
    params = inbound("hello")
    encoded = {name: quote(value) for name, value in params.items()}
    encoded[field] = "%ED%A0%80" + encoded[field]
    body = "&".join(f"{name}={value}" for name, value in encoded.items()).encode()
    # Signed as werkzeug decodes it, so that only the encoding is at fault.
    as_decoded = dict(parse_qsl(body.decode(), errors="werkzeug.url_quote"))

    _error(post_raw(client, INBOUND, body, as_decoded), field)
    assert count(session, SmsReply) == 0


def test_an_unsigned_malformed_request_is_403_not_422(client, person):
    params = inbound("hello \x00")
    response = client.post(INBOUND, data=params, headers={"X-Twilio-Signature": "forged"})
    assert response.status_code == 403


def test_the_database_refuses_a_second_reply_with_one_message_sid(session):
    from sqlalchemy.exc import IntegrityError

    from service.plumbing.clock import utcnow

    session.add(SmsReply(from_phone=PHONE, body="a", provider_sid=SID, received_at=utcnow()))
    session.flush()
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(SmsReply(from_phone=PHONE, body="b", provider_sid=SID, received_at=utcnow()))
    session.add(SmsReply(from_phone=PHONE, body="c", provider_sid=None, received_at=utcnow()))
    session.add(SmsReply(from_phone=PHONE, body="d", provider_sid=None, received_at=utcnow()))
    session.flush()  # replies without a SID (older rows, internal callers) are not constrained
