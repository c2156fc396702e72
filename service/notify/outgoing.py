"""Plain values exchanged with senders, and the Sender protocol."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from service.notify.phone import is_e164, mask_phone


@dataclass(frozen=True)
class OutgoingSms:
    to: str
    body: str
    status_callback: str | None = None
    outbox_id: int | None = None

    def __post_init__(self) -> None:
        if not is_e164(self.to):
            raise ValueError(f"recipient is not an E.164 number: {mask_phone(self.to)}")
        if not self.body:
            raise ValueError("SMS body is empty")

    def __repr__(self) -> str:
        return (
            f"OutgoingSms(to={mask_phone(self.to)!r}, body=<{len(self.body)} chars>, "
            f"status_callback={self.status_callback!r}, outbox_id={self.outbox_id!r})"
        )


@dataclass(frozen=True)
class SendResult:
    provider_id: str | None
    status: str


@runtime_checkable
class Reconciler(Protocol):
    def find_sent(self, to: str, body: str, since: datetime, exclude: set[str]) -> str | None:
        """Return the SID of a message to `to` with `body` created since `since`, if any.

        Raise a `service.notify.errors.SendError` when the provider cannot be asked now.
        """
        ...


class Sender(Protocol):
    def send(self, message: OutgoingSms) -> SendResult:
        """Hand one message to the provider or raise a `service.notify.errors.SendError`."""
        ...
