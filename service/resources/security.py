"""Bearer-token authentication for the API, resolved once per request."""

from __future__ import annotations

from flask import current_app, g, request

from service.access.auth import Principal, authenticate
from service.booking.policy import BookingPolicy
from service.plumbing.db import get_session
from service.web import ratelimit


def current_principal() -> Principal:
    """Return the caller, or answer 401 when the bearer token is missing or not valid (429
    once the client's address is over FAILED_AUTH_LIMIT)."""
    if "principal" in g:
        principal: Principal = g.principal
        return principal
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    found = authenticate(get_session(), secret.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        # Only a failed token counts against the address: a valid one always passes.
        ratelimit.refuse_failed_authentication(
            401,
            "A valid bearer token is required.",
            headers={"WWW-Authenticate": 'Bearer realm="zapis"'},
        )
    g.principal = found
    return found


def booking_policy() -> BookingPolicy:
    return BookingPolicy.from_config(current_app.config)
