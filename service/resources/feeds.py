"""iCalendar: feed subscriptions (API), the secret feed URLs, .ics downloads and free/busy."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import Response, current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.http import http_date

from service import feeds
from service.access.access_loaders import load_booking
from service.access.access_policy import Action, Facts, Kind, require, sees_details
from service.directory import catalogue
from service.models import Feed, Resource
from service.plumbing.clock import utcnow
from service.plumbing.db import get_session
from service.resources.errors import error_body
from service.resources.schemas import (
    BookingIcsQuerySchema,
    FeedCreateSchema,
    FeedSchema,
    FeedUrlSchema,
    FreeBusyQuerySchema,
)
from service.resources.security import current_principal
from service.web.compression import compressed

blp = Blueprint("feeds", __name__, url_prefix="/api/v1", description="iCalendar feeds")
calendars_bp = FlaskBlueprint("calendars", __name__)

ICS = "text/calendar; charset=utf-8"
# Secret-URL feeds may hold personal data: no shared cache may keep them, and a client must
# revalidate every time (a cheap 304), so a revoked URL stops at once.
FEED_HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
ICS_DOC = {
    "200": {
        "description": "An iCalendar (RFC 5545) file.",
        "content": {"text/calendar": {"schema": {"type": "string"}}},
    }
}


def _urls(token: str) -> dict[str, str]:
    url, webcal_url = feeds.subscription_urls(
        current_app.config.get("PUBLIC_BASE_URL") or request.host_url, token
    )
    return {"url": url, "webcal_url": webcal_url}


def _shown(feed: Feed, token: str) -> dict[str, Any]:
    fields = ("id", "kind", "office_code", "resource_id", "privacy", "locale", "title")
    return {name: getattr(feed, name) for name in fields} | {
        "created_at": feed.created_at,
        "rotated_at": feed.rotated_at,
        **_urls(token),
    }


@blp.route("/feeds")
class Feeds(MethodView):
    @blp.response(200, FeedSchema(many=True))
    def get(self) -> Any:
        """List the live feeds you may revoke or rotate (their URLs are never shown again)."""
        principal = current_principal()
        require(principal, Action.LIST, Kind.FEED)
        return feeds.list_feeds(get_session(), principal)

    @blp.arguments(FeedCreateSchema)
    @blp.response(201, FeedUrlSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a secret subscription URL; this answer is the only place it ever appears.

        Calendar apps subscribe to `url` (or `webcal_url`): `GET /calendars/<token>.ics`,
        optionally with `?past_days=` (0-730, default 90) and `?future_days=` (1-1095,
        default 365).  It answers with ETag and Last-Modified, and 304 when unchanged.
        """
        principal = current_principal()
        session = get_session()
        feed, token = feeds.create_feed(session, principal, feeds.FeedRequest(**data))
        session.commit()
        return _shown(feed, token)


@blp.route("/feeds/<int:feed_id>")
class FeedById(MethodView):
    @blp.response(204)
    def delete(self, feed_id: int) -> None:
        """Revoke a feed: its URL answers 404 from now on."""
        principal = current_principal()
        session = get_session()
        feeds.revoke_feed(session, principal, feed_id)
        session.commit()


@blp.route("/feeds/<int:feed_id>/rotate")
class RotateFeed(MethodView):
    @blp.response(200, FeedUrlSchema)
    def post(self, feed_id: int) -> Any:
        """Give the feed a new secret URL; the old one answers 404 at once."""
        principal = current_principal()
        session = get_session()
        feed, token = feeds.rotate_feed(session, principal, feed_id)
        session.commit()
        return _shown(feed, token)


def _ics(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = ICS
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.route("/bookings/<int:booking_id>.ics")
class BookingIcs(MethodView):
    @blp.arguments(BookingIcsQuerySchema, location="query")
    @blp.doc(responses=ICS_DOC)
    @compressed
    def get(self, args: dict[str, Any], booking_id: int) -> Response:
        """Download one booking as an .ics file (full details for coordinators and admins)."""
        principal = current_principal()
        session = get_session()
        booking = load_booking(session, principal, booking_id, Action.READ)
        details = sees_details(principal, Facts.of(offices=[booking.office_code]))
        privacy = "full" if details else "limited"
        person = session.get(Resource, principal.resource_id) if principal.resource_id else None
        locale = args.get("locale") or (person.locale if person else None) or "bg"
        body = feeds.render_booking_ics(session, booking, privacy, locale)
        return _ics(body, f"booking-{booking.id}.ics")


@blp.route("/resources/<int:resource_id>/freebusy")
class FreeBusy(MethodView):
    @blp.arguments(FreeBusyQuerySchema, location="query")
    @blp.doc(responses=ICS_DOC)
    @compressed
    def get(self, args: dict[str, Any], resource_id: int) -> Response:
        """When a person or room is busy (bookings and time off), as a VFREEBUSY."""
        require(current_principal(), Action.READ, Kind.RESOURCE)
        session = get_session()
        resource = catalogue.get_resource(session, resource_id)
        body = feeds.render_resource_freebusy(session, resource, args["start"], args["end"])
        return _ics(body, f"freebusy-{resource.id}.ics")


def _not_modified(validators: feeds.Validators) -> bool:
    """Apply If-None-Match, or else If-Modified-Since (RFC 9110 section 13.2.2)."""
    if "If-None-Match" in request.headers:
        return request.if_none_match.contains_weak(validators.etag.strip('"'))
    since = request.if_modified_since
    return since is not None and not validators.modified_since(since)


@calendars_bp.route("/calendars/<token>.ics", methods=["GET"])
@compressed
def calendar_feed(token: str) -> Response:
    """Serve a subscription feed; unknown and revoked tokens answer the same 404."""
    session = get_session()
    window = feeds.parse_window(request.args)
    today = feeds.today_in_sofia()
    feed = feeds.open_feed(session, token, window, today)
    if feed is None:
        return Response(
            json.dumps(error_body(404, "No such calendar.")),
            status=404,
            mimetype="application/json",
        )
    validators = feed.validators
    headers = FEED_HEADERS | {
        # Weak: the gzip and identity bodies are equivalent and share it (service/web/compression.py).
        "ETag": f"W/{validators.etag}",
        "Last-Modified": http_date(validators.last_modified_at(utcnow())),
    }
    if _not_modified(validators):
        return Response(status=304, headers=headers)
    # The body is read after the validators, so it is never older than its ETag says.
    body = feeds.feed_body(session, feed.spec, window, today)
    response = Response(body, headers=headers)
    response.headers["Content-Type"] = ICS
    return response
