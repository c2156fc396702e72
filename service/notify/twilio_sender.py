"""Send SMS through the official twilio library, classifying every failure."""

from __future__ import annotations

from typing import Any

from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import ConnectTimeout, ReadTimeout, RequestException, SSLError
from twilio.base.exceptions import TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
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
    ) -> None:
        if (from_number is None) == (messaging_service_sid is None):
            raise ValueError("give exactly one of from_number and messaging_service_sid")
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self._http = TwilioHttpClient(timeout=timeout)
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
            raise classify_twilio_error(exc) from None
        except RequestException as exc:
            raise classify_transport_error(exc) from exc
        sid = created.sid
        return SendResult(
            provider_id=None if sid is None else str(sid), status=str(created.status or "")
        )

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
