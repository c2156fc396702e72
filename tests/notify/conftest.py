from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from service.notify.senders import TwilioSender
from tests.clients.twilio_server import FakeTwilio

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "secret-token-1234567890"
SERVICE_SID = "MG" + "fedcba9876543210" * 2
FROM_NUMBER = "+35924000111"
TO_NUMBER = "+359888123678"


@pytest.fixture(autouse=True)
def _no_proxy_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep requests/urllib from sending 127.0.0.1 traffic to a proxy set in the environment."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def fake() -> Iterator[FakeTwilio]:
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as server:
        yield server


@pytest.fixture
def sender(fake: FakeTwilio) -> Iterator[TwilioSender]:
    with TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        messaging_service_sid=SERVICE_SID,
        api_base_url=fake.base_url,
        timeout=2.0,
    ) as twilio_sender:
        yield twilio_sender


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
