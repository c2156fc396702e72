"""Console accounts: Argon2 hashes, scopes like API tokens, lockout after five failures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from service.access import accounts
from service.plumbing.clock import utcnow
from service.plumbing.errors import Forbidden, Invalid
from tests.console.conftest import PASSWORD


def test_a_user_is_stored_with_an_argon2_hash_and_a_lowercase_email(make_user):
    user = make_user("coordinator", email="  Ana.Petrova@Example.org ", offices=["burgas"])
    assert user.email == "ana.petrova@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert user.active and user.failed_logins == 0 and user.locked_until is None


def test_an_email_is_unique_regardless_of_case(make_user):
    make_user("admin", email="boss@example.org")
    with pytest.raises(Invalid) as raised:
        make_user("admin", email="BOSS@example.org")
    assert raised.value.field == "email"


@pytest.mark.parametrize(
    ("role", "kwargs", "field"),
    [
        ("coordinator", {"offices": []}, "offices"),
        ("coordinator", {"offices": ["varna"]}, "offices"),
        ("staff", {}, "resource_id"),
        ("wizard", {}, "role"),
        ("admin", {"locale": "fr"}, "locale"),
        ("admin", {"email": "not-an-email"}, "email"),
    ],
)
def test_scopes_and_values_are_checked_like_api_tokens(session, factory, role, kwargs, field):
    factory.offices()
    values = {"email": "x@example.org", "password": PASSWORD, "role": role} | kwargs
    with pytest.raises(Invalid) as raised:
        accounts.create_user(session, **values)
    assert raised.value.field == field


def test_a_short_password_is_refused(session, factory):
    with pytest.raises(Invalid) as raised:
        accounts.create_user(session, email="a@example.org", password="short", role="admin")
    assert raised.value.field == "password"


def test_the_principal_has_the_role_offices_and_person_of_the_account(make_user, factory):
    person = factory.interpreter(offices=("burgas",))
    staff = make_user("staff", resource_id=person.id)
    principal = accounts.principal_of(staff)
    assert (principal.role, principal.resource_id, principal.name) == (
        "staff",
        person.id,
        staff.email,
    )
    coordinator = accounts.principal_of(make_user("coordinator", offices=["burgas", "sofia"]))
    assert coordinator.offices == frozenset({"burgas", "sofia"})


def test_the_right_password_signs_in_and_a_wrong_one_does_not(session, make_user):
    user = make_user("admin")
    assert accounts.authenticate_user(session, user.email.upper(), PASSWORD) is user
    assert accounts.authenticate_user(session, user.email, PASSWORD + "x") is None
    assert accounts.authenticate_user(session, "nobody@example.org", PASSWORD) is None
    assert user.failed_logins == 1


def test_five_failures_lock_the_account_for_fifteen_minutes(session, make_user, monkeypatch):
    user = make_user("admin")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert accounts.authenticate_user(session, user.email, "wrong password!") is None
    assert user.locked_until is not None
    assert accounts.authenticate_user(session, user.email, PASSWORD) is None  # even the right one
    later = utcnow() + accounts.LOCKOUT + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert accounts.authenticate_user(session, user.email, PASSWORD) is user
    assert user.locked_until is None and user.failed_logins == 0


def test_a_success_resets_the_count_of_failures(session, make_user):
    user = make_user("admin")
    for _ in range(accounts.MAX_FAILED_LOGINS - 1):
        accounts.authenticate_user(session, user.email, "wrong password!")
    assert accounts.authenticate_user(session, user.email, PASSWORD) is user
    accounts.authenticate_user(session, user.email, "wrong password!")
    assert user.locked_until is None and user.failed_logins == 1


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(session, make_user):
    user = make_user("admin")
    stamp = accounts.session_stamp(user)
    with pytest.raises(Invalid):
        accounts.change_password(session, user, "not the password", "a brand new password")
    accounts.change_password(session, user, PASSWORD, "a brand new password")
    assert accounts.signed_in_user(session, user.id, stamp) is None
    assert accounts.authenticate_user(session, user.email, "a brand new password") is user


def test_an_admin_resets_a_password_and_lifts_the_lock(session, make_user):
    admin = accounts.principal_of(make_user("admin"))
    user = make_user("coordinator")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        accounts.authenticate_user(session, user.email, "wrong password!")
    accounts.reset_password(session, admin, user.id, "given by the admin")
    assert accounts.authenticate_user(session, user.email, "given by the admin") is user


def test_only_an_admin_resets_or_deactivates(session, make_user):
    coordinator = accounts.principal_of(make_user("coordinator"))
    other = make_user("coordinator")
    with pytest.raises(Forbidden):
        accounts.reset_password(session, coordinator, other.id, "given by a peer!!")
    with pytest.raises(Forbidden):
        accounts.deactivate_user(session, coordinator, other.id)


def test_a_deactivated_account_cannot_sign_in_and_its_sessions_end(session, make_user):
    admin = accounts.principal_of(make_user("admin"))
    user = make_user("coordinator")
    stamp = accounts.session_stamp(user)
    accounts.deactivate_user(session, admin, user.id)
    assert accounts.authenticate_user(session, user.email, PASSWORD) is None
    assert accounts.signed_in_user(session, user.id, stamp) is None
