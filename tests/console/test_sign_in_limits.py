"""Sign-in limits that protect without locking out, and sessions that end on the server."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from service.access import accounts
from service.plumbing.clock import utcnow
from service.web.ratelimit import FAILED_AUTH_LIMIT
from tests.console.conftest import PASSWORD, csrf_token, sign_in

ALLOWED = int(FAILED_AUTH_LIMIT.split()[0])
OFFICE_NAT = {"REMOTE_ADDR": "203.0.113.40"}
NEW = "a much better passphrase"
COOKIE = "zapis_console"


@pytest.fixture(autouse=True)
def fresh_counters(app):
    app.extensions["zapis.limiter"].reset()


def _sign_in(client, email, password, environ=OFFICE_NAT):
    page = client.get("/console/login", environ_base=environ)
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
        environ_base=environ,
    )


def test_failed_sign_ins_from_one_address_are_throttled_but_a_right_password_passes(app, make_user):
    guessed, colleague = make_user("coordinator"), make_user("coordinator")
    script = app.test_client()
    answers = [
        _sign_in(script, f"nobody{n}@example.org", "wrong password!").status_code
        for n in range(ALLOWED)
    ]
    assert answers == [200] * ALLOWED
    blocked = _sign_in(script, guessed.email, "wrong password!")
    assert blocked.status_code == 429
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert "Твърде много неуспешни опити за вход" in blocked.text  # pages are in Bulgarian

    # Another account behind the same office address signs in at once.
    assert _sign_in(app.test_client(), colleague.email, PASSWORD).status_code == 302
    # So does the account the script was guessing at: its own lockout is not reached.
    assert _sign_in(app.test_client(), guessed.email, PASSWORD).status_code == 302
    # Another address is not held back.
    other = {"REMOTE_ADDR": "198.51.100.40"}
    assert _sign_in(app.test_client(), guessed.email, "wrong!", other).status_code == 200


class _CountingHasher(PasswordHasher):
    verified = 0

    def verify(self, hash, password):  # type: ignore[no-untyped-def]
        type(self).verified += 1
        return super().verify(hash, password)


@pytest.fixture
def counting(monkeypatch):
    hasher = _CountingHasher()
    _CountingHasher.verified = 0
    monkeypatch.setattr(accounts, "_hasher", hasher)
    return _CountingHasher


def test_unknown_email_and_locked_account_both_run_exactly_one_hash(
    session, make_user, counting, monkeypatch
):
    user = make_user("coordinator")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        accounts.authenticate_user(session, user.email, "wrong password!")
    assert user.locked_until is not None and user.locked_until > utcnow()

    for email, password in [
        ("nobody@example.org", PASSWORD),
        ("not an email", PASSWORD),
        (user.email, PASSWORD),  # locked: even the right password is refused
        (user.email, "wrong password!"),
    ]:
        counting.verified = 0
        assert accounts.authenticate_user(session, email, password) is None
        assert counting.verified == 1, email

    deactivated = make_user("coordinator")
    deactivated.active = False
    counting.verified = 0
    assert accounts.authenticate_user(session, deactivated.email, PASSWORD) is None
    assert counting.verified == 1


def _replayed(app, client, path="/console/account"):
    """Send `client`'s session cookie from a fresh client, as a thief who copied it would."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief.get(path)


def _post(client, page, path, **data):
    return client.post(path, data=data | {"csrf_token": csrf_token(client.get(page).text)})


def _is_sign_in(response):
    return response.status_code == 302 and "/console/login" in response.headers["Location"]


def test_a_copied_cookie_works_until_sign_out_and_never_after(app, client, signed_in):
    signed_in("coordinator")
    assert _replayed(app, client).status_code == 200
    copy = client.get_cookie(COOKIE).value

    response = _post(client, "/console/account", "/console/logout")
    assert _is_sign_in(response)

    thief = app.test_client()
    thief.set_cookie(COOKIE, copy)
    assert _is_sign_in(thief.get("/console/account"))
    assert _is_sign_in(thief.get("/console/board"))


def test_a_password_change_ends_a_copied_cookie_but_keeps_this_session(app, client, signed_in):
    signed_in("coordinator")
    copy = client.get_cookie(COOKIE).value
    response = _post(
        client,
        "/console/account",
        "/console/account/password",
        current=PASSWORD,
        new=NEW,
        again=NEW,
    )
    assert response.status_code == 302
    assert client.get("/console/account").status_code == 200
    thief = app.test_client()
    thief.set_cookie(COOKIE, copy)
    assert _is_sign_in(thief.get("/console/account"))


@pytest.mark.parametrize("action", ["reset", "deactivate"])
def test_an_admin_reset_or_deactivation_ends_a_copied_cookie(app, client, signed_in, action):
    theirs = app.test_client()
    user = signed_in("coordinator")  # signs `client` in; copy its cookie, then sign in admin
    copy = client.get_cookie(COOKIE).value
    assert sign_in(theirs, user.email).status_code == 302
    client.delete_cookie(COOKIE)
    signed_in("admin")
    data = {"password": NEW} if action == "reset" else {}
    response = _post(client, "/console/users", f"/console/users/{user.id}/{action}", **data)
    assert response.status_code == 302
    for cookie in (copy, theirs.get_cookie(COOKIE).value):
        thief = app.test_client()
        thief.set_cookie(COOKIE, cookie)
        assert _is_sign_in(thief.get("/console/account"))


def test_sign_out_moves_the_session_version(session, client, signed_in):
    user = signed_in("coordinator")
    before = user.session_version
    _post(client, "/console/account", "/console/logout")
    session.refresh(user)
    assert user.session_version == before + 1
