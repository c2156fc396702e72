"""Feed subscriptions: secret tokens, who may create which feed, revoking and rotating."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from service.access.access_facts import feed_facts
from service.access.access_policy import Action, Kind, require, sees_details
from service.access.auth import Principal, hash_token
from service.booking.audit import record_change
from service.feeds.mapping import office_name
from service.feeds.pieces import PUBLIC_SCOPE, office_scope, resource_scope
from service.feeds.text import word
from service.models import ApiToken, Feed, Office, Resource
from service.models.feed import FEED_KINDS, FEED_LOCALES, PRIVACY_LEVELS
from service.plumbing.clock import utcnow
from service.plumbing.errors import Forbidden, Invalid, InvalidTransition, NotFound

DEFAULT_LOCALE = "bg"


@dataclass(frozen=True)
class FeedRequest:
    scope: str
    privacy: str
    office: str | None = None
    resource_id: int | None = None
    locale: str | None = None


def new_token() -> str:
    """Return a subscription token with 256 bits of randomness, safe in a URL path."""
    return secrets.token_urlsafe(32)


def authorize_feed(session: Session, principal: Principal, feed: Feed) -> None:
    """Refuse unless the access policy lets principal create (so revoke or rotate) this feed.

    Full details (notes, case references) only for who may see them: admins and the
    coordinators of the feed's offices.
    """
    facts = feed_facts(session, feed)
    missing = f"No feed with id {feed.id}." if feed.id is not None else None
    require(principal, Action.CHANGE, Kind.FEED, facts, missing=missing)
    if feed.privacy == "full" and not sees_details(principal, facts):
        raise Forbidden(
            "Only coordinators of its offices and admins may subscribe to full details."
        ).coded("feed_full_forbidden")


def _check_privacy(kind: str, privacy: str) -> None:
    if privacy not in PRIVACY_LEVELS:
        raise Invalid("privacy", f"Unknown privacy; one of {', '.join(PRIVACY_LEVELS)}.").coded(
            "feed_privacy_unknown"
        )
    if (kind == "public") != (privacy == "public"):
        raise Invalid("privacy", "The public feed has privacy 'public', and only it has.").coded(
            "feed_public_privacy"
        )


def _build_feed(session: Session, request: FeedRequest) -> Feed:
    """Return an unsaved Feed for request, checking its fields (not yet who asks)."""
    if request.scope not in FEED_KINDS:
        raise Invalid("scope", f"Unknown scope; one of {', '.join(FEED_KINDS)}.").coded(
            "feed_scope_unknown"
        )
    _check_privacy(request.scope, request.privacy)
    if request.locale is not None and request.locale not in FEED_LOCALES:
        raise Invalid("locale", f"Unknown locale; one of {', '.join(FEED_LOCALES)}.").coded(
            "locale_unknown"
        )
    feed = Feed(kind=request.scope, privacy=request.privacy)
    if request.scope == "office":
        if not request.office:
            raise Invalid("office", "An office feed needs an office.").coded("feed_office_required")
        office = session.scalar(select(Office).where(Office.code == request.office))
        if office is None:
            raise Invalid("office", f"No office with code {request.office!r}.").coded(
                "office_unknown", office=request.office
            )
        feed.locale = request.locale or DEFAULT_LOCALE
        feed.office_id, feed.scope = office.id, office_scope(office.id)
        feed.title = word(feed.locale, "office_feed").format(name=office_name(office, feed.locale))
    elif request.scope == "resource":
        if request.resource_id is None:
            raise Invalid("resource_id", "A resource feed needs a resource_id.").coded(
                "feed_resource_required"
            )
        resource = session.get(Resource, request.resource_id)
        if resource is None:
            raise Invalid("resource_id", f"No resource with id {request.resource_id}.").coded(
                "resource_unknown"
            )
        feed.locale = request.locale or resource.locale or DEFAULT_LOCALE
        feed.resource_id, feed.scope = resource.id, resource_scope(resource.id)
        feed.title = word(feed.locale, "resource_feed").format(name=resource.name)
    else:
        feed.locale = request.locale or DEFAULT_LOCALE
        feed.scope, feed.title = PUBLIC_SCOPE, word(feed.locale, "public_feed")
    return feed


def create_feed(
    session: Session,
    principal: Principal,
    request: FeedRequest,
) -> tuple[Feed, str]:
    """Create a subscription and return it with its token, which is never shown again.

    A coordinator's feed shows the bookings of their own offices at its privacy and those of
    any other office as busy only; an admin's feed and a staff member's own schedule show
    every office.
    """
    feed = _build_feed(session, request)
    authorize_feed(session, principal, feed)
    feed.scope_offices = sorted(principal.offices) if principal.role == "coordinator" else None
    token = new_token()
    feed.token_hash = hash_token(token)
    feed.created_by = principal.name
    feed.api_token_id = principal.token_id or None  # 0: a console user, not an API token
    feed.created_at = utcnow()
    session.add(feed)
    session.flush()
    _audit(session, principal, "create", feed)
    return feed, token


def get_feed(session: Session, feed_id: int) -> Feed:
    """Return a live (not revoked) feed by id, or raise NotFound."""
    feed = session.get(Feed, feed_id)
    if feed is None or feed.revoked_at is not None:
        raise NotFound(f"No feed with id {feed_id}.").coded("feed_unknown")
    return feed


def list_feeds(session: Session, principal: Principal) -> list[Feed]:
    """Return the live feeds principal may manage (revoke or rotate), oldest first."""
    found = []
    for feed in session.scalars(select(Feed).where(Feed.revoked_at.is_(None)).order_by(Feed.id)):
        try:
            authorize_feed(session, principal, feed)
        except (Forbidden, NotFound):
            continue
        found.append(feed)
    return found


def own_feeds(session: Session, principal: Principal) -> list[Feed]:
    """Return the live feeds principal made themselves (an API token's, or a console user's)."""
    query = select(Feed).where(Feed.revoked_at.is_(None))
    if principal.token_id:
        query = query.where(Feed.api_token_id == principal.token_id)
    else:
        query = query.where(Feed.api_token_id.is_(None), Feed.created_by == principal.name)
    return list(session.scalars(query.order_by(Feed.id)))


def revoke_feeds_of_user(session: Session, email: str) -> int:
    """Revoke every live feed a console user made (their account was closed); return how many."""
    feeds = own_feeds(session, Principal(0, email, "staff", frozenset(), None))
    now = utcnow()
    for feed in feeds:
        feed.revoked_at = now
    session.flush()
    return len(feeds)


def subscription_urls(base_url: str, token: str) -> tuple[str, str]:
    """Return a token's feed URL under `base_url` and its webcal:// form."""
    url = f"{base_url.rstrip('/')}/calendars/{token}.ics"
    return url, "webcal://" + url.split("://", 1)[1]


def _change_if_unchanged(session: Session, feed: Feed, **values: Any) -> None:
    """Write `values` only if the feed still has the token and liveness read with it.

    One conditional UPDATE (`WHERE id AND token_hash AND revoked_at IS NULL`): of two
    rotations, or a rotation and a revocation, racing for one feed, the database lets exactly
    one match; the other changes no row and answers 409, so no one is given a URL that does
    not work, and a revoked feed never gets a new one.
    """
    changed = session.execute(
        update(Feed)
        .where(
            Feed.id == feed.id,
            Feed.token_hash == feed.token_hash,
            Feed.revoked_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidTransition(
            "This feed was rotated or revoked meanwhile; reload it before changing it again."
        ).coded("feed_changed")
    for name, value in values.items():
        set_committed_value(feed, name, value)


def revoke_feed(session: Session, principal: Principal, feed_id: int) -> Feed:
    feed = get_feed(session, feed_id)
    authorize_feed(session, principal, feed)
    _change_if_unchanged(session, feed, revoked_at=utcnow())
    _audit(session, principal, "revoke", feed)
    return feed


def rotate_feed(session: Session, principal: Principal, feed_id: int) -> tuple[Feed, str]:
    """Give a feed a new token; the old URL stops working at once."""
    feed = get_feed(session, feed_id)
    authorize_feed(session, principal, feed)
    token = new_token()
    _change_if_unchanged(session, feed, token_hash=hash_token(token), rotated_at=utcnow())
    _audit(session, principal, "rotate", feed)
    return feed, token


def is_live(
    revoked_at: datetime | None,
    creator_revoked_at: datetime | None,
    creator_expires_at: datetime | None,
) -> bool:
    """Tell whether a feed still serves: neither it nor the API token that made it is over."""
    creator_expired = creator_expires_at is not None and creator_expires_at <= utcnow()
    return revoked_at is None and creator_revoked_at is None and not creator_expired


def find_feed(session: Session, token: str) -> Feed | None:
    """Return the live feed of a subscription token, or None (unknown and revoked alike)."""
    digest = hash_token(token)
    row = session.execute(
        select(Feed, ApiToken.revoked_at, ApiToken.expires_at)
        .outerjoin(ApiToken, ApiToken.id == Feed.api_token_id)
        .where(Feed.token_hash == digest)
    ).one_or_none()
    if row is None or not hmac.compare_digest(row.Feed.token_hash, digest):
        return None
    feed: Feed = row.Feed
    return feed if is_live(feed.revoked_at, row.revoked_at, row.expires_at) else None


def _audit(session: Session, principal: Principal, action: str, feed: Feed) -> None:
    image = {
        "scope": feed.scope,
        "privacy": feed.privacy,
        "scope_offices": feed.scope_offices,
        "locale": feed.locale,
        "title": feed.title,
    }
    record_change(
        session,
        actor=principal.name,
        action=f"{action}_feed",
        entity="feed",
        entity_id=feed.id,
        before=None,
        after=image,
    )
