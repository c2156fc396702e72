"""TwilioSender driving the real twilio library against FakeTwilio."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from requests.exceptions import (
    ChunkedEncodingError,
    ConnectTimeout,
    ReadTimeout,
    RequestException,
    SSLError,
)
from requests.exceptions import ConnectionError as RequestsConnectionError
from twilio.base.exceptions import TwilioServiceException
from urllib3.exceptions import MaxRetryError, NewConnectionError, ProtocolError

from service.notify.senders import (
    AmbiguousSendError,
    OutgoingSms,
    PermanentSendError,
    RecipientUnsubscribed,
    RetryableSendError,
    TwilioSender,
    send_with_retries,
)
from service.notify.twilio_sender import (
    classify_transport_error,
    classify_twilio_error,
    parse_retry_after,
)
from tests.clients.twilio_server import FakeTwilio, Reply
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, FROM_NUMBER, TO_NUMBER

CALLBACK = "https://zapis.example.org/sms/status?outbox=17"


def message(body: str = "Reminder: 10:00, B3") -> OutgoingSms:
    return OutgoingSms(to=TO_NUMBER, body=body, status_callback=CALLBACK, outbox_id=17)


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def test_send_records_fields_on_server(fake: FakeTwilio, sender: TwilioSender) -> None:
    result = sender.send(message("Здравейте, 10:00 ч."))

    [stored] = fake.messages
    assert stored["to"] == TO_NUMBER
    assert stored["body"] == "Здравейте, 10:00 ч."
    assert stored["messaging_service_sid"] == sender.messaging_service_sid
    assert stored["from"] is None
    assert stored["status_callback"] == CALLBACK
    assert result.provider_id == stored["sid"]
    assert result.provider_id is not None and result.provider_id.startswith("SM")
    assert result.status == "accepted"


def test_send_with_from_number_and_no_callback(fake: FakeTwilio) -> None:
    with TwilioSender(
        ACCOUNT_SID, AUTH_TOKEN, from_number=FROM_NUMBER, api_base_url=fake.base_url
    ) as sender:
        result = sender.send(OutgoingSms(to=TO_NUMBER, body="Hi"))

    [stored] = fake.messages
    assert stored["from"] == FROM_NUMBER
    assert stored["messaging_service_sid"] is None
    assert stored["status_callback"] is None
    assert result.status == "queued"


def test_wrong_auth_token_is_permanent_and_not_a_recipient_problem(fake: FakeTwilio) -> None:
    with (
        TwilioSender(
            ACCOUNT_SID, "wrong", from_number=FROM_NUMBER, api_base_url=fake.base_url
        ) as sender,
        pytest.raises(PermanentSendError) as caught,
    ):
        sender.send(message())

    assert caught.value.status == 401
    assert caught.value.code == 20003
    assert not caught.value.recipient_problem
    assert fake.messages == []


@pytest.mark.parametrize("code", [21211, 21612, 21614, 21635, 63014])
def test_recipient_error_codes_are_permanent(
    fake: FakeTwilio, sender: TwilioSender, code: int
) -> None:
    fake.script(Reply.error(400, code, f"The 'To' number {TO_NUMBER} is bad."))

    with pytest.raises(PermanentSendError) as caught:
        send_with_retries(sender, message(), sleep=Sleeps())

    assert type(caught.value) is PermanentSendError
    assert caught.value.code == code
    assert caught.value.recipient_problem
    assert TO_NUMBER not in str(caught.value)  # provider text is masked
    assert caught.value.__cause__ is None
    assert fake.attempts == 1


def test_unsubscribed_recipient(fake: FakeTwilio, sender: TwilioSender) -> None:
    fake.script(Reply.error(400, 21610))

    with pytest.raises(RecipientUnsubscribed) as caught:
        send_with_retries(sender, message(), sleep=Sleeps())

    assert caught.value.code == 21610
    assert fake.attempts == 1


def test_rate_limit_is_retried_with_backoff_then_succeeds(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    fake.script(Reply.error(429, 20429), Reply.error(429, 20429))
    sleeps = Sleeps()

    result = send_with_retries(sender, message(), base_delay=0.5, sleep=sleeps, rng=lambda: 1.0)

    assert fake.attempts == 3
    assert sleeps.calls == [0.5, 1.0]
    [stored] = fake.messages
    assert result.provider_id == stored["sid"]


def test_rate_limit_gives_up_after_all_attempts(fake: FakeTwilio, sender: TwilioSender) -> None:
    fake.script(*[Reply.error(429, 20429)] * 5)

    with pytest.raises(RetryableSendError) as caught:
        send_with_retries(sender, message(), attempts=3, sleep=Sleeps())

    assert caught.value.status == 429
    assert fake.attempts == 3
    assert fake.messages == []


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_is_ambiguous_and_not_retried(
    fake: FakeTwilio, sender: TwilioSender, status: int
) -> None:
    fake.script(Reply.error(status, 20500))
    sleeps = Sleeps()

    with pytest.raises(AmbiguousSendError) as caught:
        send_with_retries(sender, message(), sleep=sleeps)

    assert caught.value.status == status
    assert fake.attempts == 1
    assert sleeps.calls == []


def test_read_timeout_is_ambiguous_and_not_retried(fake: FakeTwilio) -> None:
    fake.script(Reply.slow(3.0))
    with (
        TwilioSender(
            ACCOUNT_SID,
            AUTH_TOKEN,
            from_number=FROM_NUMBER,
            api_base_url=fake.base_url,
            timeout=0.3,
        ) as sender,
        pytest.raises(AmbiguousSendError) as caught,
    ):
        send_with_retries(sender, message(), sleep=Sleeps())

    assert "in time" in str(caught.value)
    # The server did create the message: exactly why this must not be resent.
    assert fake.attempts == 1
    assert len(fake.messages) == 1


def test_connection_dropped_after_sending_is_ambiguous(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    fake.script(Reply.dropped())

    with pytest.raises(AmbiguousSendError) as caught:
        send_with_retries(sender, message(), sleep=Sleeps())

    assert "after sending" in str(caught.value)
    assert fake.attempts == 1


def test_connection_refused_is_retryable(closed_port: int) -> None:
    sleeps = Sleeps()
    with (
        TwilioSender(
            ACCOUNT_SID,
            AUTH_TOKEN,
            from_number=FROM_NUMBER,
            api_base_url=f"http://127.0.0.1:{closed_port}",
            timeout=1.0,
        ) as sender,
        pytest.raises(RetryableSendError) as caught,
    ):
        send_with_retries(sender, message(), attempts=3, sleep=sleeps, rng=lambda: 0.5)

    assert "could not connect" in str(caught.value)
    assert sleeps.calls == [0.25, 0.5]


def test_exactly_one_sender_identity_required() -> None:
    with pytest.raises(ValueError):
        TwilioSender(ACCOUNT_SID, AUTH_TOKEN)
    with pytest.raises(ValueError):
        TwilioSender(ACCOUNT_SID, AUTH_TOKEN, from_number=FROM_NUMBER, messaging_service_sid="MG1")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (ConnectTimeout("connect timed out"), RetryableSendError),
        (
            RequestsConnectionError(
                MaxRetryError(None, "/", NewConnectionError(None, "refused"))  # type: ignore[arg-type]
            ),
            RetryableSendError,
        ),
        (RequestsConnectionError(ProtocolError("Connection aborted.")), AmbiguousSendError),
        (ReadTimeout("read timed out"), AmbiguousSendError),
        (ChunkedEncodingError("broken body"), AmbiguousSendError),
        (SSLError("handshake"), AmbiguousSendError),
    ],
)
def test_transport_error_classification(exc: RequestException, expected: type) -> None:
    assert type(classify_transport_error(exc)) is expected


def test_rfc9457_service_errors_are_classified_too() -> None:
    exc = TwilioServiceException(
        "https://www.twilio.com/docs/errors/21610", "Unsubscribed", 400, 21610, detail="STOP"
    )
    error = classify_twilio_error(exc)
    assert type(error) is RecipientUnsubscribed
    assert (error.code, error.status, error.detail) == (21610, 400, "STOP")


def test_a_429_carries_the_wait_twilio_asked_for(fake: FakeTwilio, sender: TwilioSender) -> None:
    fake.script(Reply(status=429, code=20429, retry_after=7))

    with pytest.raises(RetryableSendError) as raised:
        sender.send(message())

    assert raised.value.retry_after == 7.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0", 0.0), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_retry_after_is_read_as_seconds_or_a_date(header: str, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


def test_every_call_has_the_connect_and_read_timeouts_given(fake: FakeTwilio) -> None:
    with TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        from_number=FROM_NUMBER,
        api_base_url=fake.base_url,
        timeout=0.3,
        connect_timeout=1.5,
    ) as sender:
        assert sender._http.timeout == (1.5, 0.3)
        fake.script(Reply.slow(2.0))
        started = time.monotonic()
        with pytest.raises(AmbiguousSendError):
            sender.send(message())
        assert time.monotonic() - started < 1.5


def test_sent_messages_are_found_by_number_body_and_time(
    fake: FakeTwilio, sender: TwilioSender
) -> None:
    began = datetime.now(UTC)
    made = sender.send(message("Reminder: 10:00, B3"))
    sender.send(message("Another text"))

    assert sender.find_sent(TO_NUMBER, "Reminder: 10:00, B3", began, set()) == made.provider_id
    assert made.provider_id is not None
    assert sender.find_sent(TO_NUMBER, "Reminder: 10:00, B3", began, {made.provider_id}) is None
    assert sender.find_sent(TO_NUMBER, "Never sent", began, set()) is None
    assert sender.find_sent("+359888000000", "Reminder: 10:00, B3", began, set()) is None
    later = began + timedelta(hours=1)
    assert sender.find_sent(TO_NUMBER, "Reminder: 10:00, B3", later, set()) is None
    assert fake.lists == 5
