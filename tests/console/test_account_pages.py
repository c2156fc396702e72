"""My account (password, language) and, for admins, the users page: reset, (de)activate."""

from __future__ import annotations

import re

import pytest

from service.access import accounts
from service.access.auth import Principal
from service.feeds import FeedRequest, create_feed
from service.models import Feed, User
from tests.console.conftest import PASSWORD, csrf_token, sign_in

NEW = "a much better passphrase"


def _post(client, page, path, **data):
    return client.post(path, data=data | {"csrf_token": csrf_token(client.get(page).text)})


def _change(client, current=PASSWORD, new=NEW, again=NEW):
    return _post(
        client,
        "/console/account",
        "/console/account/password",
        current=current,
        new=new,
        again=again,
    )


def test_changing_the_password_keeps_this_session_and_ends_the_others(client, app, signed_in):
    user = signed_in("coordinator")
    other = app.test_client()
    assert sign_in(other, user.email).status_code == 302
    response = _change(client)
    assert response.status_code == 302
    assert client.get("/console/account").status_code == 200
    assert other.get("/console/account").status_code == 302  # sent to sign in again
    fresh = app.test_client()
    assert sign_in(fresh, user.email, PASSWORD).status_code == 200  # the old one is refused
    assert sign_in(fresh, user.email, NEW).status_code == 302


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"current": "not my password"}, "current", "not right"),
        ({"new": "short", "again": "short"}, "new", "at least 12 characters"),
        ({"again": "something else entirely"}, "again", "differ"),
    ],
)
def test_a_bad_password_change_is_a_form_error(client, signed_in, session, values, field, words):
    user = signed_in("coordinator")
    before = user.password_hash
    response = _change(client, **values)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text and words in response.text
    session.refresh(user)
    assert user.password_hash == before


def test_the_language_of_the_pages_is_saved(client, signed_in, session):
    user = signed_in("coordinator", locale="en")
    response = _post(client, "/console/account", "/console/account/locale", locale="bg")
    assert response.status_code == 302
    session.refresh(user)
    assert user.locale == "bg"
    assert "Смяна на паролата" in client.get("/console/account").text
    _post(client, "/console/account", "/console/account/locale", locale="")
    session.refresh(user)
    assert user.locale is None
    refused = _post(client, "/console/account", "/console/account/locale", locale="fr")
    assert refused.status_code == 422


def test_the_users_page_lists_accounts_for_admins_only(client, signed_in, make_user, session):
    locked = make_user("coordinator", email="locked@example.org")
    for _ in range(accounts.MAX_FAILED_LOGINS):
        accounts.authenticate_user(session, locked.email, "wrong password!!")
    session.commit()
    signed_in("admin")
    html = client.get("/console/users").text
    row = re.search(rf'<tr id="user-{locked.id}">.*?</tr>', html, re.S).group(0)
    assert (
        "locked@example.org" in row and "coordinator" in row and "Burgas" in row
    )  # the office by name
    assert "locked until" in row


@pytest.mark.parametrize("role", ["coordinator", "staff", "read_only"])
def test_others_get_403_on_the_users_page(client, signed_in, factory, role):
    extra = {"resource_id": factory.interpreter().id} if role == "staff" else {}
    signed_in(role, **extra)
    assert client.get("/console/users").status_code == 403
    assert 'href="/console/users"' not in client.get("/console/account").text


def test_an_admin_resets_a_password_and_the_user_signs_in_with_it(
    client, app, signed_in, make_user
):
    user = make_user("coordinator")
    signed_in("admin")
    page = client.get(f"/console/users/{user.id}/reset")
    assert page.status_code == 200 and 'name="password"' in page.text
    response = _post(client, "/console/users", f"/console/users/{user.id}/reset", password=NEW)
    assert response.status_code == 302
    other = app.test_client()
    assert sign_in(other, user.email, PASSWORD).status_code == 200
    assert sign_in(other, user.email, NEW).status_code == 302


def test_a_made_password_is_shown_once_and_works(client, app, signed_in, make_user):
    user = make_user("coordinator")
    signed_in("admin")
    path = f"/console/users/{user.id}/reset"
    response = _post(client, path, path, password="", how="made")
    assert response.status_code == 200
    made = re.search(r"<code>([^<]+)</code>", response.text).group(1)
    assert len(made) >= accounts.MIN_PASSWORD_LENGTH
    assert made not in client.get("/console/users").text
    assert sign_in(app.test_client(), user.email, made).status_code == 302


def test_a_short_reset_password_is_a_form_error(client, signed_in, make_user):
    user = make_user("coordinator")
    signed_in("admin")
    response = _post(client, "/console/users", f"/console/users/{user.id}/reset", password="short")
    assert response.status_code == 422
    assert 'id="password-error"' in response.text


def test_deactivating_ends_the_session_and_the_calendar_links(
    client, app, signed_in, make_user, session, factory
):
    person = factory.interpreter(offices=("burgas",))
    user = make_user("staff", resource_id=person.id)
    create_feed(
        session,
        accounts.principal_of(user),
        FeedRequest(scope="resource", privacy="limited", resource_id=person.id),
    )
    session.commit()
    theirs = app.test_client()
    assert sign_in(theirs, user.email).status_code == 302
    signed_in("admin")
    asked = client.get(f"/console/users/{user.id}/deactivate")
    assert asked.status_code == 200 and "Deactivate " in asked.text
    assert theirs.get("/console/calendar").status_code == 200  # asking changes nothing
    response = _post(client, "/console/users", f"/console/users/{user.id}/deactivate")
    assert response.status_code == 302
    assert theirs.get("/console/calendar").status_code == 302
    assert sign_in(app.test_client(), user.email).status_code == 200
    assert session.query(Feed).filter(Feed.revoked_at.is_(None)).count() == 0
    assert "deactivated" in client.get("/console/users").text


def test_reactivating_needs_a_new_password_and_old_sessions_stay_ended(
    client, app, signed_in, make_user, session
):
    user = make_user("coordinator")
    theirs = app.test_client()
    assert sign_in(theirs, user.email).status_code == 302
    signed_in("admin")
    _post(client, "/console/users", f"/console/users/{user.id}/deactivate")
    response = _post(client, "/console/users", f"/console/users/{user.id}/reactivate", password=NEW)
    assert response.status_code == 302
    session.refresh(user)
    assert user.active
    assert theirs.get("/console/board").status_code == 302
    assert sign_in(app.test_client(), user.email, NEW).status_code == 302


def test_an_admin_cannot_deactivate_their_own_account(client, signed_in, session):
    admin = signed_in("admin")
    response = _post(client, "/console/users", f"/console/users/{admin.id}/deactivate")
    assert response.status_code == 422
    session.refresh(admin)
    assert admin.active


def test_reactivate_user_checks_the_admin_and_the_password(session, make_user):
    admin = accounts.principal_of(make_user("admin"))
    user = make_user("coordinator")
    stamp = accounts.session_stamp(user)
    accounts.deactivate_user(session, admin, user.id)
    peer = Principal(0, "peer@example.org", "coordinator", frozenset({"burgas"}), None)
    with pytest.raises(accounts.Forbidden):
        accounts.reactivate_user(session, peer, user.id, NEW)
    with pytest.raises(accounts.Invalid):
        accounts.reactivate_user(session, admin, user.id, "short")
    assert not session.get(User, user.id).active
    accounts.reactivate_user(session, admin, user.id, NEW)
    assert accounts.signed_in_user(session, user.id, stamp) is None
    assert accounts.authenticate_user(session, user.email, NEW) is user


def test_set_locale_accepts_bg_en_or_none(session, make_user):
    user = make_user("coordinator")
    assert accounts.set_locale(session, user, "bg").locale == "bg"
    assert accounts.set_locale(session, user, None).locale is None
    with pytest.raises(accounts.Invalid) as raised:
        accounts.set_locale(session, user, "fr")
    assert raised.value.field == "locale"


def test_the_users_page_acts_on_nothing_itself_and_links_to_the_confirmations(
    client, signed_in, make_user
):
    user = make_user("coordinator")
    signed_in("admin")
    html = client.get("/console/users").text
    assert 'method="post"' not in html.split("<main")[1]
    for action in ("reset", "deactivate"):
        assert f'href="/console/users/{user.id}/{action}"' in html


def test_an_empty_password_field_sets_nothing(client, app, signed_in, make_user, session):
    user = make_user("coordinator")
    signed_in("admin")
    before = user.password_hash
    path = f"/console/users/{user.id}/reset"
    for how in ("typed", ""):
        response = _post(client, path, path, password="", how=how)
        assert response.status_code == 422
        assert 'id="password-error"' in response.text and "Type the new password" in response.text
    session.refresh(user)
    assert user.password_hash == before
    assert sign_in(app.test_client(), user.email, PASSWORD).status_code == 302


def test_an_admin_adds_a_user_whose_made_password_works_once_shown(
    client, app, signed_in, session, factory
):
    factory.office("burgas")
    factory.office("harmanli")
    signed_in("admin")
    assert 'href="/console/users/new"' in client.get("/console/users").text

    response = _post(
        client,
        "/console/users/new",
        "/console/users/new",
        email="New.Coordinator@Example.org",
        role="coordinator",
        offices=["burgas", "harmanli"],
        locale="bg",
    )

    assert response.status_code == 201
    made = re.search(r"<code>([^<]+)</code>", response.text).group(1)
    user = session.query(User).filter_by(email="new.coordinator@example.org").one()
    assert (user.role, user.offices, user.locale) == ("coordinator", ["burgas", "harmanli"], "bg")
    assert made not in client.get("/console/users").text
    assert sign_in(app.test_client(), user.email, made).status_code == 302


def test_a_staff_account_is_linked_to_the_person_chosen(client, signed_in, session, factory):
    person = factory.interpreter(offices=("burgas",))
    signed_in("admin")
    assert f'<option value="{person.id}">' in client.get("/console/users/new").text
    response = _post(
        client, "/console/users/new", "/console/users/new",
        email="staff.new@example.org", role="staff", resource=str(person.id), offices=["burgas"],
    )  # fmt: skip
    assert response.status_code == 201
    user = session.query(User).filter_by(email="staff.new@example.org").one()
    assert (user.resource_id, user.offices) == (person.id, [])


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"email": "not an address"}, "email"),
        ({"email": ""}, "email"),
        ({"role": "superuser"}, "role"),
        ({"role": "coordinator", "offices": []}, "offices"),
        ({"role": "coordinator", "offices": ["atlantis"]}, "offices"),
        ({"role": "staff", "resource": ""}, "resource"),
        ({"role": "staff", "resource": "999999"}, "resource"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_a_bad_new_user_is_a_form_error_and_adds_nobody(
    client, signed_in, session, factory, values, field
):
    factory.office("burgas")
    admin = signed_in("admin")
    good = {"email": "someone@example.org", "role": "coordinator", "offices": ["burgas"]}
    response = _post(client, "/console/users/new", "/console/users/new", **(good | values))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert session.query(User).filter(User.id != admin.id).count() == 0


def test_an_existing_email_is_refused(client, signed_in, make_user, session):
    user = make_user("coordinator")
    signed_in("admin")
    response = _post(
        client, "/console/users/new", "/console/users/new",
        email=user.email.upper(), role="read_only",
    )  # fmt: skip
    assert response.status_code == 422
    assert 'id="email-error"' in response.text and "exists already" in response.text


@pytest.mark.parametrize("path", ["/console/users/new", "/console/users/1/deactivate"])
def test_only_admins_open_the_user_pages(client, signed_in, path):
    signed_in("coordinator")
    assert client.get(path).status_code == 403


def test_adding_a_user_needs_the_csrf_token(client, signed_in, session):
    admin = signed_in("admin")
    response = client.post(
        "/console/users/new", data={"email": "x@example.org", "role": "read_only"}
    )
    assert response.status_code == 400
    assert session.query(User).filter(User.id != admin.id).count() == 0
