"""Logs: one JSON access line per request with a request id, and no secret in any line."""

from __future__ import annotations

import json
import logging

import pytest

from service.web.observability import REQUEST_ID_HEADER, JsonFormatter, scrub

SECRET = "zap_s3cr3tT0kenValue-xyz"
FEED_TOKEN = "f33dT0kenThatMustNotLeak"


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    """Format every captured record as production would."""
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def _access(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [line for line in _lines(caplog) if line["logger"] == "zapis.access"]


def test_one_access_line_per_request_with_the_given_request_id(client, admin, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    answer = client.get(
        "/api/v1/offices?page=1", headers={**admin, REQUEST_ID_HEADER: "req-42.abc"}
    )
    assert answer.status_code == 200
    assert answer.headers[REQUEST_ID_HEADER] == "req-42.abc"
    [line] = _access(caplog)
    assert line["method"] == "GET"
    assert line["path"] == "/api/v1/offices"
    assert line["status"] == 200
    assert line["request_id"] == "req-42.abc"
    assert isinstance(line["duration_ms"], float)


@pytest.mark.parametrize("given", ["", "has space", "x" * 65, "semi;colon", "<script>"])
def test_an_unsafe_request_id_is_replaced(client, caplog, given: str) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO)
    answer = client.get("/health", headers={REQUEST_ID_HEADER: given} if given else {})
    made = answer.headers[REQUEST_ID_HEADER]
    assert made != given
    assert len(made) == 32
    assert int(made, 16) >= 0
    assert _access(caplog)[0]["request_id"] == made


def test_tokens_and_authorization_never_reach_the_logs(client, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    client.get(
        f"/calendars/{FEED_TOKEN}.ics?download=1", headers={"Authorization": f"Bearer {SECRET}"}
    )
    client.get("/api/v1/offices", headers={"Authorization": f"Bearer {SECRET}"})
    paths = [line["path"] for line in _access(caplog)]
    assert paths == ["/calendars/<redacted>.ics", "/api/v1/offices"]
    written = caplog.text + "\n".join(json.dumps(line) for line in _lines(caplog))
    assert FEED_TOKEN not in written
    assert SECRET not in written
    assert "download" not in written


def test_secrets_and_phone_numbers_in_messages_are_redacted() -> None:
    logger = logging.getLogger("zapis.test")
    record = logger.makeRecord(
        "zapis.test",
        logging.WARNING,
        __file__,
        1,
        "SMS to %s failed; header was Bearer %s; feed /calendars/%s.ics",
        ("+359 888 123 456", SECRET, FEED_TOKEN),
        None,
    )
    line = json.loads(JsonFormatter().format(record))
    assert "888" not in line["message"]
    assert SECRET not in line["message"]
    assert FEED_TOKEN not in line["message"]
    assert "<phone>" in line["message"]


def test_bodies_and_phone_numbers_of_requests_are_not_logged(
    client, factory, admin, caplog
) -> None:  # type: ignore[no-untyped-def]
    factory.office("sofia")
    caplog.set_level(logging.DEBUG)
    registered = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "LOG-77",
            "language": "ar",
            "phone": "+359 888 765 432",
            "offices": ["sofia"],
        },
        headers=admin,
    )
    refused = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "LOG-78",
            "language": "ar",
            "phone": "+359 88 123",
            "offices": ["sofia"],
        },
        headers=admin,
    )
    assert (registered.status_code, refused.status_code) == (201, 422)
    written = caplog.text + "\n".join(json.dumps(line) for line in _lines(caplog))
    for private in ("LOG-77", "LOG-78", "888 765 432", "888765432", "+359 88 123", "Bearer"):
        assert private not in written
    assert [line["status"] for line in _access(caplog)] == [201, 422]


@pytest.mark.parametrize(
    "text",
    [
        'Running job "dispatch_job" (scheduled at 2026-12-05 00:00:05.123456+00:00)',
        "next run at: 2026-12-05 00:07:05 UTC",
        "moved to 2027-03-28T03:30:00+03:00",
    ],
)
def test_dates_and_times_are_never_taken_for_phone_numbers(text: str) -> None:
    assert scrub(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "+359888123456 2026-12-05 18:40:05",
        "2026-12-05 0888123456",
        "(0887) 123456 at 18:40",
        "0887-123-456 on 2027-03-01T10:00:00+02:00",
    ],
)
def test_a_number_beside_a_date_or_time_is_still_redacted(text: str) -> None:
    redacted = scrub(text)
    assert "<phone>" in redacted and "888" not in redacted and "887" not in redacted
