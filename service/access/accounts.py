"""Console accounts: create, sign in with lockout, change or reset a password, (de)activate.

A signed-in user acts as a `service.access.auth.Principal`, with the same roles and office scopes as
an API token; `token_id` is 0 for a console user and `name` is the email.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.auth import Principal
from service.feeds.subscriptions import revoke_feeds_of_user
from service.models import Office, Resource, User
from service.models.access import ROLES
from service.models.user import LOCALES
from service.plumbing.clock import utcnow
from service.plumbing.errors import Forbidden, Invalid, NotFound

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    local, _, domain = value.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in value):
        raise Invalid("email", "Give an email address such as name@example.org.").coded(
            "email_format"
        )
    return value


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            "password", f"A password has at least {MIN_PASSWORD_LENGTH} characters."
        ).coded("password_short", count=MIN_PASSWORD_LENGTH)


def _check_scope(session: Session, role: str, offices: list[str], resource_id: int | None) -> None:
    if role not in ROLES:
        raise Invalid("role", f"Unknown role; one of {', '.join(ROLES)}.").coded("role_unknown")
    known = set(session.scalars(select(Office.code)))
    for code in offices:
        if code not in known:
            raise Invalid("offices", f"No office with code {code!r}.").coded(
                "office_unknown", office=code
            )
    if role == "coordinator" and not offices:
        raise Invalid("offices", "A coordinator is scoped to at least one office.").coded(
            "coordinator_needs_office"
        )
    if role == "staff" and (resource_id is None or session.get(Resource, resource_id) is None):
        raise Invalid("resource_id", "A staff account is linked to an existing person.").coded(
            "staff_needs_person"
        )


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    role: str,
    offices: Iterable[str] = (),
    resource_id: int | None = None,
    locale: str | None = None,
) -> User:
    """Add a console account; the email is unique regardless of case."""
    address = normalise_email(email)
    codes = sorted(set(offices))
    _check_scope(session, role, codes, resource_id)
    if locale is not None and locale not in LOCALES:
        raise Invalid("locale", f"Unknown locale; one of {', '.join(LOCALES)}.").coded(
            "locale_unknown"
        )
    _check_password(password)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Invalid("email", f"An account for {address} exists already.").coded("email_taken")
    user = User(
        email=address,
        password_hash=_hasher.hash(password),
        role=role,
        offices=codes,
        resource_id=resource_id if role == "staff" else None,
        active=True,
        failed_logins=0,
        locale=locale,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def principal_of(user: User) -> Principal:
    return Principal(0, user.email, user.role, frozenset(user.offices), user.resource_id)


def session_stamp(user: User) -> str:
    """The value a session cookie carries and must match on every request.

    It changes with the account's session version and its password, so moving the version
    (`end_sessions`) or setting a password ends every session signed in before.
    """
    password = hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
    return f"{user.session_version}:{password}"


def end_sessions(session: Session, user: User) -> User:
    """End every console session of `user` on the server: their cookies are refused from now."""
    user.session_version = User.session_version + 1  # in SQL: two at once both count
    session.flush()
    return user


def authenticate_user(session: Session, email: str, password: str) -> User | None:
    """Return the user when the password is right and the account active and not locked.

    Each wrong password counts; the fifth in a row locks the account for 15 minutes, during
    which even the right password is refused. Every call runs exactly one Argon2 verification
    (against a dummy hash for an unknown email or a locked account). The caller commits
    either way.
    """
    try:
        address = normalise_email(email)
    except Invalid:
        address = ""
    user = session.scalar(select(User).where(User.email == address)) if address else None
    now = utcnow()
    if user is None or (user.locked_until is not None and user.locked_until > now):
        # One hash either way, so an unknown email and a locked account take as long as a
        # wrong password and cannot be told apart by timing.
        _verify(_DUMMY_HASH, password)
        return None
    if not _verify(user.password_hash, password):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.flush()
        return None
    if not user.active:
        return None
    user.failed_logins = 0
    user.locked_until = None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    session.flush()
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def signed_in_user(session: Session, user_id: int, stamp: str) -> User | None:
    """Return the user behind a session cookie, or None once deactivated or re-passworded."""
    user = session.get(User, user_id)
    if user is None or not user.active or session_stamp(user) != stamp:
        return None
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No user with id {user_id}.").coded("user_unknown")
    return user


def change_password(session: Session, user: User, current: str, new: str) -> User:
    """Let a user replace their own password, given the current one."""
    if not _verify(user.password_hash, current):
        raise Invalid("current_password", "The current password is not right.").coded(
            "password_wrong"
        )
    _check_password(new)
    user.password_hash = _hasher.hash(new)
    return end_sessions(session, user)


def _require_admin(admin: Principal) -> None:
    if not admin.is_admin:
        raise Forbidden("Only an admin manages accounts.").coded("accounts_admin_only")


def reset_password(session: Session, admin: Principal, user_id: int, new: str) -> User:
    """Set a new password for someone (admin only) and lift any lockout."""
    _require_admin(admin)
    user = get_user(session, user_id)
    _check_password(new)
    user.password_hash = _hasher.hash(new)
    user.failed_logins = 0
    user.locked_until = None
    return end_sessions(session, user)


def set_locale(session: Session, user: User, locale: str | None) -> User:
    """Set the language of a user's pages (None: follow the browser)."""
    if locale is not None and locale not in LOCALES:
        raise Invalid("locale", f"Unknown locale; one of {', '.join(LOCALES)}.").coded(
            "locale_unknown"
        )
    user.locale = locale
    session.flush()
    return user


def list_users(session: Session, admin: Principal) -> list[User]:
    """Every console account, by email (admin only)."""
    _require_admin(admin)
    return list(session.scalars(select(User).order_by(User.email)))


def deactivate_user(session: Session, admin: Principal, user_id: int) -> User:
    """Stop an account from signing in and revoke its calendar feeds.

    Its sessions end on the server at once. An admin cannot close their own account
    (so that the last admin cannot lock everyone out by mistake).
    """
    _require_admin(admin)
    user = get_user(session, user_id)
    if user.email == admin.name and admin.token_id == 0:
        raise Invalid("user_id", "You cannot deactivate your own account.").coded("deactivate_self")
    user.active = False
    revoke_feeds_of_user(session, user.email)
    return end_sessions(session, user)


def reactivate_user(session: Session, admin: Principal, user_id: int, new: str) -> User:
    """Let a deactivated account sign in again, with a new password (admin only).

    Sessions from before the deactivation stay ended.
    """
    _require_admin(admin)
    user = get_user(session, user_id)
    _check_password(new)
    user.password_hash = _hasher.hash(new)
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    return end_sessions(session, user)
