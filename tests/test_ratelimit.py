"""Failed authentications are limited per client address; a valid token always passes."""

from __future__ import annotations

from flask.testing import FlaskClient

from service import create_app
from service.web.ratelimit import FAILED_AUTH_LIMIT

BAD = {"Authorization": "Bearer zap_not-a-real-token"}
ALLOWED = int(FAILED_AUTH_LIMIT.split()[0])


def _get(client: FlaskClient, address: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.get("/api/v1/offices", headers=headers, environ_base={"REMOTE_ADDR": address})


def test_repeated_bad_tokens_answer_429_with_retry_after(client, admin) -> None:  # type: ignore[no-untyped-def]
    answers = {_get(client, "203.0.113.7", BAD).status_code for _ in range(ALLOWED)}
    assert answers == {401}

    blocked = _get(client, "203.0.113.7", BAD)
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert blocked.get_json()["code"] == 429
    assert "failed authentications" in blocked.get_json()["message"]

    assert _get(client, "198.51.100.9", BAD).status_code == 401  # other addresses are not held


def test_a_valid_token_passes_after_others_failed_from_the_same_address(client, admin) -> None:  # type: ignore[no-untyped-def]
    """One stale script behind an office's NAT must not lock the whole office out."""
    answers = [_get(client, "203.0.113.8", BAD).status_code for _ in range(ALLOWED + 5)]
    assert answers == [401] * ALLOWED + [429] * 5

    assert _get(client, "203.0.113.8", admin).status_code == 200
    assert _get(client, "203.0.113.8", BAD).status_code == 429
    assert _get(client, "203.0.113.8", admin).status_code == 200
    probe = client.get("/ready", environ_base={"REMOTE_ADDR": "203.0.113.8"})
    assert probe.status_code == 200


def test_good_tokens_never_use_up_the_allowance(client, admin) -> None:  # type: ignore[no-untyped-def]
    answers = {_get(client, "192.0.2.1", admin).status_code for _ in range(ALLOWED + 5)}
    assert answers == {200}
    assert _get(client, "192.0.2.1", BAD).status_code == 401


def test_behind_a_proxy_the_forwarded_address_is_limited(database_url: str) -> None:
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "FAILED_AUTH_LIMIT": "2 per minute",
            "PROXY_X_FOR": 1,
        }
    )
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    client = app.test_client()

    def get(forwarded_for: str) -> int:
        headers = {**BAD, "X-Forwarded-For": forwarded_for}
        return client.get("/api/v1/offices", headers=headers, environ_base=proxy).status_code

    try:
        assert [get("203.0.113.50") for _ in range(3)] == [401, 401, 429]
        assert get("198.51.100.50") == 401
    finally:
        app.extensions["zapis.engine"].dispose()
