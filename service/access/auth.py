"""API tokens: issue, authenticate and revoke; who may do what is service/access/access_policy.py."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.directory import reference_cache
from service.models import ApiToken, Office, Resource
from service.models.access import ROLES
from service.plumbing.clock import utcnow
from service.plumbing.errors import Invalid, NotFound


@dataclass(frozen=True)
class Principal:
    token_id: int
    name: str
    role: str
    offices: frozenset[str]
    resource_id: int | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session,
    *,
    name: str,
    role: str,
    offices: Iterable[str] = (),
    resource_id: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never stored or shown again."""
    if role not in ROLES:
        raise Invalid("role", f"Unknown role; one of {', '.join(ROLES)}.")
    codes = sorted(set(offices))
    known = set(session.scalars(select(Office.code)))
    for code in codes:
        if code not in known:
            raise Invalid("offices", f"No office with code {code!r}.")
    if role == "coordinator" and not codes:
        raise Invalid("offices", "A coordinator is scoped to at least one office.")
    if role == "staff" and resource_id is None:
        raise Invalid("resource_id", "A staff token is linked to an existing person.")
    resource = session.get(Resource, resource_id) if resource_id is not None else None
    if resource_id is not None and resource is None:
        raise Invalid("resource_id", f"No person with id {resource_id}.")
    if role == "staff" and resource is not None and not resource.is_person:
        raise Invalid("resource_id", f"Resource {resource_id} is a {resource.kind}, not a person.")
    secret = "zap_" + secrets.token_urlsafe(32)
    token = ApiToken(
        name=name,
        token_hash=hash_token(secret),
        role=role,
        offices=codes,
        resource_id=resource_id,
        created_at=utcnow(),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, secret


def authenticate(session: Session, secret: str) -> Principal | None:
    """Return who holds `secret`, or None when it is unknown, revoked or expired."""
    digest = hash_token(secret)
    token = reference_cache.token(session, digest)
    if token is None or not hmac.compare_digest(token.token_hash, digest):
        return None
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    return Principal(token.id, token.name, token.role, frozenset(token.offices), token.resource_id)


def revoke_token(session: Session, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token with id {token_id}.")
    token.revoked_at = token.revoked_at or utcnow()
    return token
