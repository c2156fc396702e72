"""A Twilio-compatible Messages API on 127.0.0.1 for tests, plus signed-webhook helpers.

`FakeTwilio` validates requests the way Twilio does (path, Basic auth, form fields) and
answers with the JSON shapes the twilio library parses: a message resource on 201, and
``{"code", "message", "more_info", "status"}`` on errors, which the library turns into
`TwilioRestException(status, uri, msg, code)`. It lists messages too (`GET Messages.json`
with `To` and `DateSent>`, as `client.messages.list(to=..., date_sent_after=...)` asks).

Faults come scripted (`script(Reply...)`) or drawn at random from a `FaultMix`; every send
attempt is logged (`attempts_log`) with when it came, its outbox id and what it got, and
`max_in_flight` is the most sends it was handling at once.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
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
    retry_after: int | None = None

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


@dataclass(frozen=True)
class FaultMix:
    """Shares of sends that fail as Twilio sometimes does; the rest are accepted.

    500: answered 500, no message made. 429: answered 429 with `Retry-After`, no message.
    hang: the message is made, the answer comes only after `hang_seconds` (past the client's
    read timeout). drop: the request is read, then the connection closed, no message made.
    """

    error_500: float = 0.0
    rate_limited: float = 0.0
    hang: float = 0.0
    drop: float = 0.0
    retry_after: int = 2
    hang_seconds: float = 5.0
    seed: int = 18
    _rng: random.Random = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_rng", random.Random(self.seed))  # not crypto

    def draw(self) -> Reply:
        r = self._rng.random()
        for share, reply in (
            (self.error_500, Reply.error(500, 20500)),
            (self.rate_limited, Reply(status=429, code=20429, retry_after=self.retry_after)),
            (self.hang, Reply.slow(self.hang_seconds)),
            (self.drop, Reply.dropped()),
        ):
            if r < share:
                return reply
            r -= share
        return Reply()


@dataclass(frozen=True)
class Attempt:
    """One POST to the Messages endpoint: when (monotonic), for which outbox row, its fate."""

    at: float
    outbox_id: int | None
    outcome: str  # "created", "slow", "dropped" or the HTTP status answered
    retry_after: int | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = False
    block_on_close = True  # server_close() joins handler threads: no sockets leak
    request_queue_size = 1024  # the listen backlog: take bursts of new connections
    fake: FakeTwilio


class FakeTwilio:
    """Context manager running the fake API in a thread; see module docstring."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        latency: float = 0.0,
        faults: FaultMix | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.clock = clock  # when a message is made, as Twilio's list reports it
        self.account_sid = account_sid
        self.auth_token = auth_token
        self.latency = latency
        self.faults = faults
        self.attempts = 0  # every POST to the Messages endpoint, accepted or not
        self.attempts_log: list[Attempt] = []
        self.lists = 0  # GET requests listing messages
        self.in_flight = 0
        self.max_in_flight = 0
        self._messages: list[dict[str, Any]] = []
        self._created: list[datetime] = []
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
            if self._script:
                return self._script.popleft()
            return self.faults.draw() if self.faults is not None else Reply()

    def _record(self, message: dict[str, Any]) -> None:
        with self._lock:
            self._messages.append(message)
            self._created.append(self.clock())

    def _log(self, outbox_id: int | None, outcome: str, retry_after: int | None = None) -> None:
        with self._lock:
            self.attempts_log.append(Attempt(time.monotonic(), outbox_id, outcome, retry_after))

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _list(self, to: str | None, since: datetime | None) -> list[dict[str, Any]]:
        """Messages to `to` sent since `since`, newest first, as Twilio lists them."""
        with self._lock:
            found = [
                {k: v for k, v in m.items() if k != "status_callback"}
                | {"status": "sent", "date_sent": format_datetime(at)}
                for m, at in zip(self._messages, self._created, strict=True)
                if (to is None or m["to"] == to) and (since is None or at >= since)
            ]
        return found[::-1]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    error_content_type = "application/json"

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""

    def do_GET(self) -> None:
        fake = self.server.fake
        url = urllib.parse.urlsplit(self.path)
        match = _MESSAGES_PATH.fullmatch(url.path)
        if not self._authorised():
            self._send_error(401, 20003)
            return
        if match is None or match["sid"] != fake.account_sid:
            self._send_error(404, 20404)
            return
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query).items()}
        since = query.get("DateSent>")
        with fake._lock:
            fake.lists += 1
        found = fake._list(
            query.get("To"), datetime.fromisoformat(since.replace("Z", "+00:00")) if since else None
        )
        uri = url.path + ("?" + url.query if url.query else "")
        self._send_json(
            200,
            {
                "messages": found,
                "end": max(len(found) - 1, 0),
                "first_page_uri": uri,
                "next_page_uri": None,
                "page": 0,
                "page_size": max(len(found), 50),
                "previous_page_uri": None,
                "start": 0,
                "uri": uri,
            },
        )

    def do_POST(self) -> None:
        fake = self.server.fake
        fake._enter()
        try:
            self._post(fake)
        finally:
            fake._leave()

    def _post(self, fake: FakeTwilio) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        match = _MESSAGES_PATH.fullmatch(urllib.parse.urlsplit(self.path).path)
        if not self._authorised():
            self._send_error(401, 20003)
            return
        if match is None or match["sid"] != fake.account_sid:
            self._send_error(404, 20404)
            return
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode(), True).items()}
        outbox_id = _outbox_id(form.get("StatusCallback"))
        reply = fake._next_reply()
        if fake.latency:
            fake._stopping.wait(fake.latency)
        if reply.drop:
            fake._log(outbox_id, "dropped")
            self.close_connection = True
            return
        if reply.status >= 300:
            fake._log(outbox_id, str(reply.status), reply.retry_after)
            self._send_error(reply.status, reply.code, reply.message, reply.retry_after)
            return
        problem = _validate(form, self.headers.get("Content-Type", ""))
        if problem is not None:
            fake._log(outbox_id, "400")
            self._send_error(400, problem)
            return
        resource = _resource(fake.account_sid, form, fake.clock())
        fake._record({**resource, "status_callback": form.get("StatusCallback")})
        fake._log(outbox_id, "slow" if reply.delay else "created")
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

    def _send_error(
        self,
        status: int,
        code: int | None,
        message: str | None = None,
        retry_after: int | None = None,
    ) -> None:
        text = message or ERROR_MESSAGES.get(code or 0, "Error")
        payload: dict[str, Any] = {"code": code, "message": text, "status": status}
        if code is not None:
            payload["more_info"] = f"https://www.twilio.com/docs/errors/{code}"
        self._send_json(status, payload, retry_after)

    def _send_json(
        self, status: int, payload: dict[str, Any], retry_after: int | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            if status == 401:
                self.send_header("WWW-Authenticate", 'Basic realm="Twilio API"')
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True  # the client gave up (e.g. its read timed out)


def _outbox_id(callback: str | None) -> int | None:
    tail = (callback or "").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


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


def _resource(account_sid: str, form: dict[str, str], made: datetime) -> dict[str, Any]:
    sid = "SM" + uuid.uuid4().hex
    now = format_datetime(made)
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
