"""Console and memory senders, the config factory and the retry helper."""

from __future__ import annotations

import logging

import pytest

from service.notify.senders import (
    AmbiguousSendError,
    ConsoleSender,
    MemorySender,
    OutgoingSms,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
    SendError,
    TwilioSender,
    send_with_retries,
    sender_from_config,
)
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID, TO_NUMBER


def test_console_sender_masks_number_and_hides_body_above_debug(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="zapis.sms")

    result = ConsoleSender().send(OutgoingSms(to=TO_NUMBER, body="secret body", outbox_id=9))

    assert result.status == "sent"
    assert result.provider_id is not None and result.provider_id.startswith("console-")
    assert "+359******678" in caplog.text
    assert TO_NUMBER not in caplog.text
    assert "secret body" not in caplog.text
    assert all(r.name == "zapis.sms" for r in caplog.records)


def test_console_sender_logs_body_only_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="zapis.sms")

    ConsoleSender().send(OutgoingSms(to=TO_NUMBER, body="secret body"))

    [debug] = [r for r in caplog.records if "secret body" in r.getMessage()]
    assert debug.levelno == logging.DEBUG
    assert TO_NUMBER not in caplog.text


def test_console_provider_ids_are_unique() -> None:
    sender = ConsoleSender()
    sms = OutgoingSms(to=TO_NUMBER, body="x")
    assert sender.send(sms).provider_id != sender.send(sms).provider_id


def test_outgoing_sms_rejects_non_e164_and_hides_number_in_repr() -> None:
    with pytest.raises(ValueError):
        OutgoingSms(to="0888123456", body="x")
    with pytest.raises(ValueError):
        OutgoingSms(to=TO_NUMBER, body="")
    assert TO_NUMBER not in repr(OutgoingSms(to=TO_NUMBER, body="x"))


def test_memory_sender_fails_next_n_then_records() -> None:
    sender = MemorySender()
    sender.fail_next(RetryableSendError(20429, "busy", 429), times=2)
    sms = OutgoingSms(to=TO_NUMBER, body="hello")

    for _ in range(2):
        with pytest.raises(RetryableSendError):
            sender.send(sms)
    result = sender.send(sms)

    assert sender.sent == [sms]
    assert sender.attempts == 3
    assert result.provider_id == "memory-1"


def test_retries_use_capped_exponential_full_jitter() -> None:
    sender = MemorySender()
    sender.fail_next(RetryableSendError(20429), times=6)
    sleeps: list[float] = []

    with pytest.raises(RetryableSendError):
        send_with_retries(
            sender,
            OutgoingSms(to=TO_NUMBER, body="x"),
            attempts=6,
            base_delay=1,
            max_delay=5,
            sleep=sleeps.append,
            rng=lambda: 0.5,
        )

    # 1, 2, 4, 8->5, 16->5, each times the jitter factor; no sleep after the last attempt.
    assert sleeps == [0.5, 1.0, 2.0, 2.5, 2.5]
    assert sender.attempts == 6


def test_retries_succeed_after_transient_failures() -> None:
    sender = MemorySender()
    sender.fail_next(RetryableSendError(20429), times=3)
    sleeps: list[float] = []

    result = send_with_retries(sender, OutgoingSms(to=TO_NUMBER, body="x"), sleep=sleeps.append)

    assert result.provider_id == "memory-1"
    assert len(sleeps) == 3
    assert all(0 <= s <= 8 for s in sleeps)


@pytest.mark.parametrize("error", [PermanentSendError(21211), AmbiguousSendError(None, "?", 500)])
def test_other_errors_are_not_retried(error: SendError) -> None:
    sender = MemorySender()
    sender.fail_next(error, times=1)
    sleeps: list[float] = []

    with pytest.raises(type(error)):
        send_with_retries(sender, OutgoingSms(to=TO_NUMBER, body="x"), sleep=sleeps.append)

    assert sender.attempts == 1
    assert sleeps == []


def test_factory_picks_twilio_when_fully_configured() -> None:
    sender = sender_from_config(
        {
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_MESSAGING_SERVICE_SID": SERVICE_SID,
            "TWILIO_API_BASE_URL": "http://127.0.0.1:9",
            "SMS_SENDER": "memory",
        }
    )
    assert isinstance(sender, TwilioSender)
    assert sender.messaging_service_sid == SERVICE_SID
    sender.close()


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": AUTH_TOKEN}, ConsoleSender),
        ({"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "SMS_SENDER": "memory"}, MemorySender),
        ({"SMS_SENDER": "memory"}, MemorySender),
        ({"SMS_SENDER": "console"}, ConsoleSender),
        ({}, ConsoleSender),
    ],
)
def test_factory_falls_back(config: dict[str, str], expected: type) -> None:
    assert type(sender_from_config(config)) is expected


def test_errors_print_without_detail() -> None:
    assert str(PermanentSendError(21211)) == "PermanentSendError code=21211"
    assert str(RecipientUnsubscribed(21610, "unsubscribed", 400)) == (
        "unsubscribed code=21610 status=400"
    )
    assert RecipientUnsubscribed(21610).recipient_problem
    assert not PermanentSendError(20003).recipient_problem
