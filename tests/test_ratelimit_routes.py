"""Feed URLs are limited per feed, Twilio webhooks per message or sending number."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.clients.twilio_server import inbound_sms_params, sign, status_callback_params
from tests.feed_helpers import path_of, subscribe
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.outbox_support import rows, sofia

BASE = "https://zapis.example.org"
GOOGLE = {"REMOTE_ADDR": "66.249.90.1"}  # one calendar service fetching many feeds


@pytest.fixture(autouse=True)
def low_limits(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.config, "FEED_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "WEBHOOK_RATE_LIMIT", "2 per minute")
    monkeypatch.setitem(app.config, "TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", BASE)
    app.extensions["zapis.limiter"].reset()  # ids repeat across rolled-back tests


def _fetch(client: FlaskClient, feed: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get(path_of(feed["url"]), environ_base=GOOGLE)


def _token(feed: dict[str, str]) -> str:
    return urlsplit(feed["url"]).path.rsplit("/", 1)[1].removesuffix(".ics")


def test_one_feed_fetched_too_often_answers_429_while_another_from_the_same_address_answers(
    client, factory, admin
) -> None:  # type: ignore[no-untyped-def]
    factory.offices()
    hammered = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    other = subscribe(client, admin, scope="office", office="burgas", privacy="busy")

    assert [_fetch(client, hammered).status_code for _ in range(3)] == [200] * 3
    blocked = _fetch(client, hammered)

    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert blocked.get_json()["code"] == 429
    assert blocked.get_json()["status"] == "Too Many Requests"
    assert "calendar is fetched too often" in blocked.get_json()["message"]
    assert _fetch(client, other).status_code == 200
    assert client.get("/api/v1/offices", headers=admin, environ_base=GOOGLE).status_code == 200


def test_a_limited_feed_leaves_its_token_out_of_logs_and_limiter_keys(
    app, client, factory, admin, caplog
) -> None:  # type: ignore[no-untyped-def]
    factory.offices()
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    token = _token(feed)
    caplog.set_level(logging.DEBUG)

    answers = [_fetch(client, feed).status_code for _ in range(5)]

    assert answers == [200, 200, 200, 429, 429]
    assert any("exceeded" in r.getMessage() for r in caplog.records)  # the limiter did log
    assert any("<redacted>" in r.getMessage() for r in caplog.records)  # and so did access
    for record in caplog.records:
        assert token not in record.getMessage()
        assert token not in repr(record.__dict__)
    keys = list(app.extensions["zapis.limiter"].storage.storage)
    assert keys and not any(token in key for key in keys)


def test_unknown_feed_tokens_are_limited_per_token_not_per_address(client) -> None:  # type: ignore[no-untyped-def]
    answers = {
        client.get(f"/calendars/guess{n}.ics", environ_base=GOOGLE).status_code for n in range(8)
    }
    assert answers == {404}


def _signed_post(client: FlaskClient, path: str, params: dict[str, str], address: str):  # type: ignore[no-untyped-def]
    signature = sign(BASE + path, params, AUTH_TOKEN)
    return client.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": signature},
        environ_base={"REMOTE_ADDR": address},
    )


def _forged_post(client: FlaskClient, path: str, params: dict[str, str], address: str):  # type: ignore[no-untyped-def]
    return client.post(
        path,
        data=params,
        headers={"X-Twilio-Signature": "forged"},
        environ_base={"REMOTE_ADDR": address},
    )


def _confirmations(session, factory) -> list[int]:  # type: ignore[no-untyped-def]
    ids = []
    for n in range(2):
        person = factory.beneficiary(
            phone=f"+35988812345{n}", sms_consent=True, language="bg", other_languages=["ar"]
        )
        booking = factory.booking(
            [factory.interpreter("ar")],
            sofia(2027, 3, 1, 10 + 2 * n, 0),
            beneficiary_ids=[person.id],
        )
        ids.append(rows(session, booking.id)[0].id)
    return ids


def test_status_callbacks_are_limited_per_message(client, session, factory) -> None:  # type: ignore[no-untyped-def]
    first, second = _confirmations(session, factory)
    params = status_callback_params(
        "SM" + "a" * 32, "delivered", ACCOUNT_SID, "+359888", "+3592", None
    )

    def post(outbox_id: int) -> int:
        path = f"/webhooks/twilio/status/{outbox_id}"
        return _signed_post(client, path, params, "54.172.60.1").status_code

    assert [post(first) for _ in range(3)] == [204, 204, 429]
    blocked = _signed_post(client, f"/webhooks/twilio/status/{first}", params, "54.172.60.2")
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "webhook" in blocked.get_json()["message"]
    assert post(second) == 204


def test_forged_webhooks_do_not_use_up_a_numbers_allowance(app, client, session, factory) -> None:  # type: ignore[no-untyped-def]
    path = "/webhooks/twilio/inbound"
    number = "+359888765432"
    forged = inbound_sms_params(number, "+35924000111", "START", ACCOUNT_SID)

    assert {_forged_post(client, path, forged, "198.51.100.7").status_code for _ in range(4)} == {
        403
    }

    def inbound(sender: str) -> int:
        params = inbound_sms_params(sender, "+35924000111", "hello", ACCOUNT_SID)
        return _signed_post(client, path, params, "54.172.60.1").status_code

    assert [inbound(number) for _ in range(3)] == [200, 200, 429]
    assert inbound("+359888000111") == 200
    keys = list(app.extensions["zapis.limiter"].storage.storage)
    assert any(key.startswith("LIMITER/from:") for key in keys)
    assert not any(number.lstrip("+") in key for key in keys)  # numbers only hashed


def test_forged_webhook_signatures_count_as_failed_authentications(
    app, client, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "FAILED_AUTH_LIMIT", "3 per minute")
    params = inbound_sms_params("+359888765432", "+35924000111", "hi", ACCOUNT_SID)
    path = "/webhooks/twilio/inbound"

    answers = [_forged_post(client, path, params, "203.0.113.9").status_code for _ in range(4)]

    assert answers == [403, 403, 403, 429]
    assert (
        "failed authentications"
        in _forged_post(client, path, params, "203.0.113.9").get_json()["message"]
    )
    assert _signed_post(client, path, params, "54.172.60.1").status_code == 200
