"""Send failures, classified by what the dispatcher may safely do next."""

from __future__ import annotations

# Twilio error codes that mean this recipient can never get this message.
RECIPIENT_ERROR_CODES: frozenset[int] = frozenset({21211, 21612, 21614, 21635, 63014})
UNSUBSCRIBED_CODE = 21610
RATE_LIMIT_CODE = 20429


class SendError(Exception):
    """Base class: `code` is the provider error code, `status` the HTTP status, if known."""

    def __init__(
        self, code: int | None = None, detail: str = "", status: int | None = None
    ) -> None:
        super().__init__(code, detail, status)
        self.code = code
        self.detail = detail
        self.status = status

    def __str__(self) -> str:
        parts = [self.detail or type(self).__name__]
        if self.code is not None:
            parts.append(f"code={self.code}")
        if self.status is not None:
            parts.append(f"status={self.status}")
        return " ".join(parts)


class PermanentSendError(SendError):
    """The message was not created and must not be retried."""

    @property
    def recipient_problem(self) -> bool:
        """Tell whether the number itself is unusable (as opposed to e.g. bad credentials)."""
        return self.code in RECIPIENT_ERROR_CODES or self.code == UNSUBSCRIBED_CODE


class RecipientUnsubscribed(PermanentSendError):
    """The recipient replied STOP; the provider refuses to message them (Twilio 21610)."""


class RetryableSendError(SendError):
    """The message was certainly not created; sending again later is safe.

    `retry_after` is how many seconds the provider asked us to wait (its Retry-After), if any.
    """

    def __init__(
        self,
        code: int | None = None,
        detail: str = "",
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(code, detail, status)
        self.retry_after = retry_after


class AmbiguousSendError(SendError):
    """The message may have been created; never resend automatically, flag for review."""
