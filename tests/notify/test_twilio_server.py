"""The fake Twilio server itself: request checks and signed webhook helpers."""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from tests.clients.twilio_server import (
    FakeTwilio,
    Reply,
    inbound_sms_params,
    post_signed,
    status_callback_params,
)
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, SERVICE_SID, TO_NUMBER


def raw_post(
    fake: FakeTwilio, form: dict[str, str], sid: str = ACCOUNT_SID, token: str = AUTH_TOKEN
) -> tuple[int, dict[str, Any]]:
    url = f"{fake.base_url}/2010-04-01/Accounts/{sid}/Messages.json"
    credentials = base64.b64encode(f"{ACCOUNT_SID}:{token}".encode()).decode()
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(form).encode(),
        headers={"Authorization": f"Basic {credentials}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


GOOD = {"To": TO_NUMBER, "Body": "hi", "From": FROM_NUMBER}


def test_accepts_valid_message(fake: FakeTwilio) -> None:
    status, body = raw_post(fake, GOOD)
    assert status == 201
    assert re.fullmatch(r"SM[0-9a-f]{32}", body["sid"])
    assert (body["to"], body["from"], body["status"]) == (TO_NUMBER, FROM_NUMBER, "queued")
    assert body["num_segments"] == "1"
    assert fake.messages[0]["sid"] == body["sid"]


@pytest.mark.parametrize(
    ("form", "status", "code"),
    [
        ({"Body": "hi", "From": FROM_NUMBER}, 400, 21604),
        ({**GOOD, "To": "0888123456"}, 400, 21211),
        ({"To": TO_NUMBER, "From": FROM_NUMBER}, 400, 21602),
        ({"To": TO_NUMBER, "Body": "hi"}, 400, 21603),
        ({**GOOD, "MessagingServiceSid": SERVICE_SID}, 400, 21603),
        ({**GOOD, "StatusCallback": "ftp://example.org/x"}, 400, 21609),
        ({**GOOD, "Body": "x" * 1601}, 400, 21617),
    ],
)
def test_rejects_invalid_forms_like_twilio(
    fake: FakeTwilio, form: dict[str, str], status: int, code: int
) -> None:
    got_status, body = raw_post(fake, form)
    assert (got_status, body["code"], body["status"]) == (status, code, status)
    assert body["more_info"].endswith(str(code))
    assert fake.messages == []


def test_rejects_bad_credentials_and_foreign_account(fake: FakeTwilio) -> None:
    assert raw_post(fake, GOOD, token="nope")[1]["code"] == 20003
    other = "AC" + "9" * 32
    assert raw_post(fake, GOOD, sid=other)[0] == 404
    assert fake.messages == []


def test_twilio_library_parses_error_answers(fake: FakeTwilio) -> None:
    fake.script(Reply.error(400, 21211))
    http = TwilioHttpClient(timeout=5)
    client = Client(ACCOUNT_SID, AUTH_TOKEN, http_client=http)
    client.api.base_url = fake.base_url
    try:
        with pytest.raises(TwilioRestException) as caught:
            client.api.v2010.account.messages.create(to=TO_NUMBER, from_=FROM_NUMBER, body="x")
    finally:
        assert http.session is not None
        http.session.close()
    assert (caught.value.status, caught.value.code) == (400, 21211)
    assert "not a valid phone number" in caught.value.msg


def test_latency_delays_every_answer() -> None:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.3) as fake:
        started = time.monotonic()
        assert raw_post(fake, GOOD)[0] == 201
        assert time.monotonic() - started >= 0.3


class _Capture(BaseHTTPRequestHandler):
    captured: list[tuple[str, dict[str, str], str]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
        self.captured.append((self.path, form, self.headers["X-Twilio-Signature"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[str, dict[str, str], str]]]]:
    _Capture.captured = []
    server = HTTPServer(("127.0.0.1", 0), _Capture)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Capture.captured
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("kind", ["status", "inbound"])
def test_signed_webhooks_validate_with_twilio(
    webhook: tuple[str, list[tuple[str, dict[str, str], str]]], kind: str
) -> None:
    base, captured = webhook
    url = f"{base}/sms/{kind}?outbox=17"
    if kind == "status":
        params = status_callback_params(
            "SM" + "a" * 32, "undelivered", ACCOUNT_SID, TO_NUMBER, FROM_NUMBER, 30003
        )
    else:
        params = inbound_sms_params(TO_NUMBER, FROM_NUMBER, "СТОП", ACCOUNT_SID)

    status, _ = post_signed(url, params, AUTH_TOKEN)

    assert status == 204
    [(path, form, signature)] = captured
    assert path == "/sms/" + kind + "?outbox=17"
    assert form == params
    validator = RequestValidator(AUTH_TOKEN)
    assert validator.validate(url, form, signature)
    assert not validator.validate(url, {**form, "To": "+359000000000"}, signature)
    assert not RequestValidator("other-token").validate(url, form, signature)
