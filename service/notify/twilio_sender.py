"""Send SMS through the official twilio library, classifying every failure."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from requests.adapters import HTTPAdapter
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException, SSLError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError

from service.notify.errors import (
    RATE_LIMIT_CODE,
    UNSUBSCRIBED_CODE,
    AmbiguousSendError,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
    SendError,
)
from service.notify.outgoing import OutgoingSms, SendResult
from service.notify.phone import mask_numbers_in

DEFAULT_TIMEOUT = 10.0
DEFAULT_CONNECT_TIMEOUT = 3.05
# Clocks differ: a message Twilio created is looked for from this long before the send began.
CLOCK_SKEW = timedelta(minutes=2)


class _HttpClient(TwilioHttpClient):
    """Twilio's client on one kept-alive session shared by `pool` threads.

    It keeps each thread's last answer, since Twilio's exceptions drop the Retry-After header.
    """

    def __init__(self, timeout: tuple[float, float], pool: int) -> None:
        super().__init__()
        self.timeout = timeout  # requests takes (connect, read)
        self._local = threading.local()
        assert self.session is not None
        for prefix in ("https://", "http://"):
            self.session.mount(prefix, HTTPAdapter(pool_connections=1, pool_maxsize=pool))

    def request(self, *args: Any, **kwargs: Any) -> Response:
        self._local.headers = None
        response = super().request(*args, **kwargs)
        self._local.headers = response.headers
        return response

    def retry_after(self) -> float | None:
        """Seconds this thread's last answer asked to wait (Retry-After), if it said."""
        headers = getattr(self._local, "headers", None)
        value = None if headers is None else headers.get("Retry-After")
        return None if value is None else parse_retry_after(value)


def parse_retry_after(value: str) -> float | None:
    """Read Retry-After as seconds or an HTTP date; None when it is neither."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(when.tzinfo)).total_seconds(), 0.0)


class TwilioSender:
    """Sender backed by `twilio.rest.Client`; call `close()` (or use `with`) when done."""

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
        pool: int = 10,
    ) -> None:
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one of from_number and messaging_service_sid")
        if timeout <= 0 or connect_timeout <= 0:
            raise ValueError("timeout must be positive")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self._http = _HttpClient((connect_timeout, timeout), max(pool, 1))
        self._client = Client(account_sid, auth_token, http_client=self._http)
        if api_base_url:
            # Domain.absolute_url() joins every request path onto `api.base_url`; edge/region
            # (possibly read from TWILIO_EDGE / TWILIO_REGION) would rewrite that host.
            self._client.api.base_url = api_base_url.rstrip("/")
            self._client.edge = None
            self._client.region = None

    def send(self, message: OutgoingSms) -> SendResult:
        kwargs: dict[str, Any] = {"to": message.to, "body": message.body}
        if self.messaging_service_sid is not None:
            kwargs["messaging_service_sid"] = self.messaging_service_sid
        else:
            kwargs["from_"] = self.from_number
        if message.status_callback is not None:
            kwargs["status_callback"] = message.status_callback
        try:
            created = self._client.api.v2010.account.messages.create(**kwargs)
        except (TwilioRestException, TwilioServiceException) as exc:
            error = classify_twilio_error(exc)
            if isinstance(error, RetryableSendError):
                error.retry_after = self._http.retry_after()
            raise error from None
        except RequestException as exc:
            raise classify_transport_error(exc) from exc
        sid = created.sid
        return SendResult(
            provider_id=None if sid is None else str(sid), status=str(created.status or "")
        )

    def find_sent(self, to: str, body: str, since: datetime, exclude: set[str]) -> str | None:
        """Ask Twilio's Messages API for a message to `to` with `body` created since `since`."""
        earliest = since - CLOCK_SKEW
        try:
            found = self._client.api.v2010.account.messages.list(
                to=to, date_sent_after=earliest, page_size=100, limit=1000
            )
        except (TwilioRestException, TwilioServiceException) as exc:
            raise classify_twilio_error(exc) from None
        except RequestException as exc:
            raise classify_transport_error(exc) from exc
        for message in found:
            created = message.date_created
            if (
                message.body == body
                and message.sid not in exclude
                and (created is None or created >= earliest)
            ):
                return str(message.sid)
        return None

    def close(self) -> None:
        if self._http.session is not None:
            self._http.session.close()

    def __enter__(self) -> TwilioSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def classify_twilio_error(exc: TwilioRestException | TwilioServiceException) -> SendError:
    """Map an HTTP error answer from Twilio to the dispatcher's error classes."""
    status = int(exc.status)
    code = None if exc.code is None else int(exc.code)
    raw = exc.msg if isinstance(exc, TwilioRestException) else exc.detail or exc.title
    detail = mask_numbers_in(str(raw))
    if code == UNSUBSCRIBED_CODE:
        return RecipientUnsubscribed(code, detail, status)
    if status == 429 or code == RATE_LIMIT_CODE:
        return RetryableSendError(code, detail, status)
    if status >= 500:
        return AmbiguousSendError(code, detail, status)
    # Any other 4xx: Twilio refused the request, so no message exists; resending won't help.
    return PermanentSendError(code, detail, status)


def classify_transport_error(exc: RequestException) -> SendError:
    """Tell failures before the request left us (retryable) from later ones (ambiguous)."""
    name = type(exc).__name__
    if isinstance(exc, ConnectTimeout) or _failed_to_connect(exc):
        return RetryableSendError(None, f"could not connect to Twilio ({name})")
    if isinstance(exc, ReadTimeout):
        return AmbiguousSendError(None, f"no answer from Twilio in time ({name})")
    return AmbiguousSendError(None, f"connection to Twilio failed after sending ({name})")


def _failed_to_connect(exc: RequestException) -> bool:
    if not isinstance(exc, RequestsConnectionError) or isinstance(exc, SSLError):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # urllib3's NewConnectionError (refused, unreachable, DNS) subclasses ConnectTimeoutError.
    return isinstance(reason, ConnectTimeoutError)
