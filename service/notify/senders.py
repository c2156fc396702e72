"""SMS senders (Twilio, console, in-memory), the config factory and the retry helper."""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from service.notify.encoding import sms_parts
from service.notify.errors import (
    AmbiguousSendError,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
    SendError,
)
from service.notify.outgoing import OutgoingSms, Sender, SendResult
from service.notify.phone import mask_phone
from service.notify.twilio_sender import DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, TwilioSender

__all__ = [
    "AmbiguousSendError",
    "ConsoleSender",
    "MemorySender",
    "OutgoingSms",
    "PermanentSendError",
    "RecipientUnsubscribed",
    "RetryableSendError",
    "SendError",
    "SendResult",
    "Sender",
    "TwilioSender",
    "send_with_retries",
    "sender_from_config",
]

log = logging.getLogger("zapis.sms")
DEFAULT_CONCURRENCY = 8


class ConsoleSender:
    """Log instead of sending; the number is masked and the body appears only at DEBUG."""

    def send(self, message: OutgoingSms) -> SendResult:
        parts = sms_parts(message.body)
        log.info(
            "SMS to %s: %d %s segment(s), outbox_id=%s",
            mask_phone(message.to),
            parts.segments,
            parts.encoding,
            message.outbox_id,
        )
        log.debug("SMS body for %s: %s", mask_phone(message.to), message.body)
        return SendResult(provider_id=f"console-{uuid.uuid4()}", status="sent")


class MemorySender:
    """Keep messages in `sent`; `fail_next(error, times)` makes the next sends raise.

    With `after_sending=True` the message is kept (as if the provider made it) before the
    error is raised: an answer lost on its way back.
    """

    def __init__(self) -> None:
        self.sent: list[OutgoingSms] = []
        self.attempts = 0
        self._failures: list[tuple[SendError, bool]] = []
        self._lock = threading.Lock()

    def fail_next(self, error: SendError, times: int = 1, *, after_sending: bool = False) -> None:
        with self._lock:
            self._failures.extend([(error, after_sending)] * times)

    def send(self, message: OutgoingSms) -> SendResult:
        with self._lock:
            self.attempts += 1
            if self._failures:
                error, after_sending = self._failures.pop(0)
                if after_sending:
                    self.sent.append(message)
                raise error
            self.sent.append(message)
            return SendResult(provider_id=f"memory-{len(self.sent)}", status="queued")

    def find_sent(self, to: str, body: str, since: datetime, exclude: set[str]) -> str | None:
        with self._lock:
            for number, message in enumerate(self.sent, start=1):
                sid = f"memory-{number}"
                if (message.to, message.body) == (to, body) and sid not in exclude:
                    return sid
        return None


def sender_from_config(config: Mapping[str, Any]) -> Sender:
    """Twilio when its credentials and a sender identity are set, else memory or console."""
    sid = config.get("TWILIO_ACCOUNT_SID")
    token = config.get("TWILIO_AUTH_TOKEN")
    service_sid = config.get("TWILIO_MESSAGING_SERVICE_SID") or None
    from_number = config.get("TWILIO_FROM_NUMBER") or None
    if sid and token and (service_sid or from_number):
        return TwilioSender(
            str(sid),
            str(token),
            # A messaging service picks its own number, so it wins when both are set.
            from_number=None if service_sid else str(from_number),
            messaging_service_sid=str(service_sid) if service_sid else None,
            api_base_url=config.get("TWILIO_API_BASE_URL") or None,
            timeout=float(config.get("TWILIO_READ_TIMEOUT") or DEFAULT_TIMEOUT),
            connect_timeout=float(config.get("TWILIO_CONNECT_TIMEOUT") or DEFAULT_CONNECT_TIMEOUT),
            pool=int(config.get("DISPATCH_CONCURRENCY") or DEFAULT_CONCURRENCY),
        )
    if config.get("SMS_SENDER") == "memory":
        return MemorySender()
    return ConsoleSender()


def send_with_retries(
    sender: Sender,
    message: OutgoingSms,
    attempts: int = 4,
    base_delay: float = 0.5,
    max_delay: float = 8,
    sleep: Callable[[float], None] = time.sleep,
    rng: Callable[[], float] = random.random,
) -> SendResult:
    """Retry only `RetryableSendError`, sleeping with capped exponential full jitter."""
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    for attempt in range(attempts):
        try:
            return sender.send(message)
        except RetryableSendError:
            if attempt == attempts - 1:
                raise
            sleep(min(max_delay, base_delay * 2**attempt) * rng())
    raise AssertionError("unreachable")
