"""Rate limits: failed authentications per address, each feed URL, each Twilio webhook subject.

* A credential is checked first: a valid bearer token, a correct console password or a good
  Twilio signature is never refused because others failed from the same address. Each one
  that fails (a 401, a wrong console password, a bad signature) counts against the client
  address; past FAILED_AUTH_LIMIT such a failure answers 429 instead of 401 or 403.
* Each feed URL (`/calendars/<token>.ics`) has FEED_RATE_LIMIT of its own, keyed by a hash of
  its token, never by address: Google and other calendar services fetch many feeds from few
  addresses, and one feed polled too often must not starve the others.
* Status callbacks are limited per outbox message and inbound SMS per sending number (hashed),
  WEBHOOK_RATE_LIMIT each; only correctly signed requests use up the allowance, so forged
  requests can neither block a real STOP nor a real delivery report.

A 429 carries the usual error body and Retry-After. Counters live in RATELIMIT_STORAGE_URI:
memory:// (the default) counts per process, so with several gunicorn workers or hosts use a
shared store such as redis://host:6379 (needs `redis`). Storage keys and the limiter's log
lines hold only hashes of tokens and numbers. Behind a reverse proxy set PROXY_X_FOR to the
number of proxies that append to X-Forwarded-For, or every client shares the proxy's address.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from typing import Any, NoReturn

from flask import Flask, Response, current_app, g, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from limits import parse
from werkzeug.middleware.proxy_fix import ProxyFix

from service.resources.errors import error_body

FAILED_AUTH_LIMIT = "20 per minute"
FEED_RATE_LIMIT = "30 per minute"
WEBHOOK_RATE_LIMIT = "20 per minute"
FEED_ENDPOINT = "calendars.calendar_feed"
STATUS_ENDPOINT = "webhooks.status_callback"
INBOUND_ENDPOINT = "webhooks.inbound"
FAILED_AUTH_MESSAGE = "Too many failed authentications from your address."
FAILED_AUTH_KEY = "failed-auth"
FEED_MESSAGE = "This calendar is fetched too often."
WEBHOOK_MESSAGE = "Too many webhook requests for this message or number."


def digest(kind: str, value: str) -> str:
    """Return the limiter key for a secret or personal `value`: a tagged, truncated hash."""
    hashed = hashlib.sha256(f"zapis-ratelimit:{kind}:{value}".encode()).hexdigest()
    return f"{kind}:{hashed[:32]}"


def _feed_key() -> str:
    return digest("feed", str((request.view_args or {}).get("token", "")))


def _status_key() -> str:
    return f"outbox:{(request.view_args or {}).get('outbox_id', '')}"


def _inbound_key() -> str:
    sender = request.form.get("From", "")
    return digest("from", sender) if sender else f"address:{get_remote_address()}"


def _signed(response: Response) -> bool:
    return not g.get("failed_authentication", False)


def _remember_retry_after(limit: RequestLimit) -> None:
    g.retry_after = max(1, int(limit.reset_at - time.time()))


def count_failed_authentication() -> int | None:
    """Count a failed credential against the client address.

    Return None while the address is within FAILED_AUTH_LIMIT, else the seconds until it may
    fail again (the caller answers 429). A storage outage counts nothing and refuses nothing.
    """
    g.failed_authentication = True
    limiter: Limiter = current_app.extensions["zapis.limiter"]
    if not limiter.enabled:
        return None
    item = parse(str(current_app.config["FAILED_AUTH_LIMIT"]))
    address = get_remote_address()
    try:
        if limiter.limiter.hit(item, FAILED_AUTH_KEY, address):
            return None
        reset_at = limiter.limiter.get_window_stats(item, FAILED_AUTH_KEY, address).reset_time
    except Exception:
        current_app.logger.warning("failed-authentication counter unavailable", exc_info=True)
        return None
    return max(1, int(reset_at - time.time()))


def refuse_failed_authentication(
    status: int, message: str, headers: dict[str, str] | None = None
) -> NoReturn:
    """Answer `status` (401, 403) for a failed credential, or 429 once its address is over."""
    retry_after = count_failed_authentication()
    if retry_after is not None:
        abort(
            429,
            message=f"{FAILED_AUTH_MESSAGE} Retry in {retry_after} s.",
            headers={"Retry-After": str(retry_after)},
        )
    abort(status, message=message, headers=headers)
    raise AssertionError("abort() raises")  # for the type checker


def _too_many(exc: RateLimitExceeded) -> tuple[dict[str, Any], int, dict[str, str]]:
    retry_after = g.get("retry_after", 60)
    message = f"{exc.description} Retry in {retry_after} s."
    return error_body(429, message), 429, {"Retry-After": str(retry_after)}


def _setting(name: str) -> Callable[[], str]:
    """Read the limit when a request is checked, so the app's config is the one source."""
    return lambda: str(current_app.config[name])


def init_app(app: Flask) -> None:
    for name, default in (
        ("RATELIMIT_STORAGE_URI", "memory://"),
        ("FAILED_AUTH_LIMIT", FAILED_AUTH_LIMIT),
        ("FEED_RATE_LIMIT", FEED_RATE_LIMIT),
        ("WEBHOOK_RATE_LIMIT", WEBHOOK_RATE_LIMIT),
    ):
        app.config.setdefault(name, os.environ.get(name) or default)
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # a store outage must not answer 500
    proxies = int(app.config.get("PROXY_X_FOR") or os.environ.get("PROXY_X_FOR") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    limiter = Limiter(get_remote_address, on_breach=_remember_retry_after)
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["zapis.limiter"] = limiter


def limit_routes(app: Flask) -> None:
    """Put the feed and webhook limits on their views (call once the blueprints are in)."""
    limiter: Limiter = app.extensions["zapis.limiter"]
    routes: list[tuple[str, str, Callable[[], str], str, Callable[[Response], bool] | None]] = [
        (FEED_ENDPOINT, "FEED_RATE_LIMIT", _feed_key, FEED_MESSAGE, None),
        (STATUS_ENDPOINT, "WEBHOOK_RATE_LIMIT", _status_key, WEBHOOK_MESSAGE, _signed),
        (INBOUND_ENDPOINT, "WEBHOOK_RATE_LIMIT", _inbound_key, WEBHOOK_MESSAGE, _signed),
    ]
    for endpoint, setting, key, message, deduct_when in routes:
        limit = limiter.limit(
            _setting(setting), key_func=key, error_message=message, deduct_when=deduct_when
        )
        view: Callable[..., Any] = app.view_functions[endpoint]
        app.view_functions[endpoint] = limit(view)
