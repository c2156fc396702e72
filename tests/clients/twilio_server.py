"""A Twilio-compatible Messages API on 127.0.0.1 for tests, plus signed-webhook helpers.

`FakeTwilio` validates requests the way Twilio does (path, Basic auth, form fields) and
answers with the JSON shapes the twilio library parses: a message resource on 201, and
``{"code", "message", "more_info", "status"}`` on errors, which the library turns into
`TwilioRestException(status, uri, msg, code)`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from twilio.request_validator import RequestValidator

from service.notify.encoding import sms_parts

_MESSAGES_PATH = re.compile(r"/2010-04-01/Accounts/(?P<sid>[^/]+)/Messages\.json")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")

ERROR_MESSAGES = {
    20003: "Authenticate",
    20404: "The requested resource was not found",
    20429: "Too Many Requests",
    20500: "An internal server error has occurred",
    21211: "The 'To' number is not a valid phone number.",
    21602: "Message body is required.",
    21603: "A 'From' phone number is required.",
    21604: "A 'To' phone number is required.",
    21609: "Invalid StatusCallback url",
    21610: "Attempt to send to unsubscribed recipient",
    21612: "The 'To' phone number is not currently reachable via SMS.",
    21614: "'To' number is not a valid mobile number",
    21617: "The concatenated message body exceeds the 1600 character limit.",
    21635: "The 'To' number is a landline and cannot receive SMS.",
    63014: "The message was blocked by the recipient.",
}


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Use `Reply.error`, `Reply.slow` or `Reply.dropped`."""

    status: int = 201
    code: int | None = None
    message: str | None = None
    delay: float = 0.0
    drop: bool = False

    @classmethod
    def error(cls, status: int, code: int | None = None, message: str | None = None) -> Reply:
        return cls(status=status, code=code, message=message)

    @classmethod
    def slow(cls, delay: float) -> Reply:
        """Accept and record the message, then answer only after `delay` seconds."""
        return cls(delay=delay)

    @classmethod
    def dropped(cls) -> Reply:
        """Read the request, then close the connection without any answer."""
        return cls(drop=True)


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins handler threads: no sockets leak
    fake: FakeTwilio


class FakeTwilio:
    """Context manager running the fake API in a thread; see module docstring."""

    def __init__(self, account_sid: str, auth_token: str, latency: float = 0.0) -> None:
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.latency = latency
        self.attempts = 0  # every POST to the Messages endpoint, accepted or not
        self._messages: list[dict[str, Any]] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeTwilio:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "use FakeTwilio as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted messages as Twilio resources, plus `status_callback` (a copy)."""
        with self._lock:
            return [dict(m) for m in self._messages]

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with these replies, in order, then normally again."""
        with self._lock:
            self._script.extend(replies)

    def _next_reply(self) -> Reply:
        with self._lock:
            self.attempts += 1
            return self._script.popleft() if self._script else Reply()

    def _record(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(message)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    error_content_type = "application/json"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        self._send_error(405, 20004, "Method not allowed")

    def do_POST(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        match = _MESSAGES_PATH.fullmatch(urllib.parse.urlsplit(self.path).path)
        if not self._authorised():
            self._send_error(401, 20003)
            return
        if match is None or match["sid"] != fake.account_sid:
            self._send_error(404, 20404)
            return
        reply = fake._next_reply()
        if fake.latency:
            fake._stopping.wait(fake.latency)
        if reply.drop:
            self.close_connection = True
            return
        if reply.status >= 300:
            self._send_error(reply.status, reply.code, reply.message)
            return
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode(), True).items()}
        problem = _validate(form, self.headers.get("Content-Type", ""))
        if problem is not None:
            self._send_error(400, problem)
            return
        resource = _resource(fake.account_sid, form)
        fake._record({**resource, "status_callback": form.get("StatusCallback")})
        if reply.delay:
            fake._stopping.wait(reply.delay)
        self._send_json(201, resource)

    def _authorised(self) -> bool:
        fake = self.server.fake
        scheme, _, encoded = self.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return (user, password) == (fake.account_sid, fake.auth_token)

    def _send_error(self, status: int, code: int | None, message: str | None = None) -> None:
        text = message or ERROR_MESSAGES.get(code or 0, "Error")
        payload: dict[str, Any] = {"code": code, "message": text, "status": status}
        if code is not None:
            payload["more_info"] = f"https://www.twilio.com/docs/errors/{code}"
        self._send_json(status, payload)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (e.g. its read timed out)


def _validate(form: dict[str, str], content_type: str) -> int | None:
    """Return the Twilio error code Twilio would answer for this form, if any."""
    if not content_type.startswith("application/x-www-form-urlencoded"):
        return 21604
    if "To" not in form:
        return 21604
    if not _E164.fullmatch(form["To"]):
        return 21211
    if not form.get("Body"):
        return 21602
    if len(form["Body"]) > 1600:
        return 21617
    if ("From" in form) == ("MessagingServiceSid" in form):
        return 21603
    callback = form.get("StatusCallback")
    if callback is not None and urllib.parse.urlsplit(callback).scheme not in ("http", "https"):
        return 21609
    return None


def _resource(account_sid: str, form: dict[str, str]) -> dict[str, Any]:
    sid = "SM" + uuid.uuid4().hex
    now = format_datetime(datetime.now(UTC))
    service = form.get("MessagingServiceSid")
    base = f"/2010-04-01/Accounts/{account_sid}/Messages/{sid}"
    return {
        "account_sid": account_sid,
        "api_version": "2010-04-01",
        "body": form["Body"],
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": form.get("From"),
        "messaging_service_sid": service,
        "num_media": "0",
        "num_segments": str(sms_parts(form["Body"]).segments),
        "price": None,
        "price_unit": "USD",
        "sid": sid,
        # Real Twilio answers "accepted" when a messaging service still has to pick a number.
        "status": "queued" if "From" in form else "accepted",
        "subresource_uris": {"media": f"{base}/Media.json"},
        "to": form["To"],
        "uri": f"{base}.json",
    }


def status_callback_params(
    message_sid: str, status: str, account_sid: str, to: str, from_: str, error_code: int | None
) -> dict[str, str]:
    """Form fields Twilio posts to a StatusCallback URL."""
    params = {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "From": from_,
        "MessageSid": message_sid,
        "MessageStatus": status,
        "SmsSid": message_sid,
        "SmsStatus": status,
        "To": to,
    }
    if error_code is not None:
        params["ErrorCode"] = str(error_code)
    return params


def inbound_sms_params(from_: str, to: str, body: str, account_sid: str) -> dict[str, str]:
    """Form fields Twilio posts to an incoming-message webhook."""
    sid = "SM" + uuid.uuid4().hex
    return {
        "AccountSid": account_sid,
        "ApiVersion": "2010-04-01",
        "Body": body,
        "From": from_,
        "MessageSid": sid,
        "NumMedia": "0",
        "NumSegments": str(sms_parts(body).segments),
        "SmsMessageSid": sid,
        "SmsSid": sid,
        "SmsStatus": "received",
        "To": to,
    }


def sign(url: str, params: dict[str, str], auth_token: str) -> str:
    """X-Twilio-Signature for a form POST to `url`."""
    return str(RequestValidator(auth_token).compute_signature(url, params))


def post_signed(
    url: str, params: dict[str, str], auth_token: str, timeout: float = 5.0
) -> tuple[int, bytes]:
    """POST `params` to `url` signed as Twilio would; return (HTTP status, body)."""
    request = urllib.request.Request(
        url,
        data=urllib.parse.urlencode(params).encode(),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": sign(url, params, auth_token),
            "User-Agent": "TwilioProxy/1.1",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()
