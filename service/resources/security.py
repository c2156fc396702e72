"""Bearer-token authentication for the API, resolved once per request."""

from __future__ import annotations

from flask import current_app, g, request
from flask_smorest import abort

from service.auth import Principal, authenticate
from service.db import get_session
from service.policy import BookingPolicy


def current_principal() -> Principal:
    """Return the caller, or answer 401 when the bearer token is missing or not valid."""
    if "principal" in g:
        principal: Principal = g.principal
        return principal
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    found = authenticate(get_session(), secret.strip()) if scheme.lower() == "bearer" else None
    if found is None:
        abort(
            401,
            message="A valid bearer token is required.",
            headers={"WWW-Authenticate": 'Bearer realm="zapis"'},
        )
    g.principal = found
    assert found is not None  # abort() raised otherwise
    return found


def booking_policy() -> BookingPolicy:
    return BookingPolicy.from_config(current_app.config)
