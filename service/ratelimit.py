"""Slow down token guessing: too many failed authentications from one address answer 429.

Each 401 answer counts against the client address; once FAILED_AUTH_LIMIT is reached, every
request from that address answers 429 with Retry-After until the window has passed.
Counters live in RATELIMIT_STORAGE_URI: memory:// (the default) counts per process, so with
several gunicorn workers use a shared store such as redis://host:6379 (needs `redis`).
Behind a reverse proxy set PROXY_X_FOR to the number of proxies that append to
X-Forwarded-For, or every client shares the proxy's address.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded, RequestLimit
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from service.resources.errors import error_body

FAILED_AUTH_LIMIT = "20 per minute"
NOT_LIMITED = frozenset({"health.health", "health.ready", "metrics"})


def _failed_authentication(response: Response) -> bool:
    return response.status_code == 401


def _not_limited() -> bool:
    return request.endpoint in NOT_LIMITED


def _remember_retry_after(limit: RequestLimit) -> None:
    g.retry_after = max(1, int(limit.reset_at - time.time()))


def _too_many(_exc: RateLimitExceeded) -> tuple[dict[str, Any], int, dict[str, str]]:
    retry_after = g.get("retry_after", 60)
    message = f"Too many failed authentications from your address; retry in {retry_after} s."
    return error_body(429, message), 429, {"Retry-After": str(retry_after)}


def init_app(app: Flask) -> None:
    app.config.setdefault(
        "RATELIMIT_STORAGE_URI", os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    )
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)  # a store outage must not answer 500
    app.config.setdefault(
        "FAILED_AUTH_LIMIT", os.environ.get("FAILED_AUTH_LIMIT", FAILED_AUTH_LIMIT)
    )
    proxies = int(app.config.get("PROXY_X_FOR") or os.environ.get("PROXY_X_FOR") or 0)
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)  # type: ignore[method-assign]
    limiter = Limiter(
        get_remote_address,
        application_limits=[app.config["FAILED_AUTH_LIMIT"]],
        application_limits_deduct_when=_failed_authentication,
        application_limits_exempt_when=_not_limited,
        on_breach=_remember_retry_after,
    )
    limiter.init_app(app)
    app.register_error_handler(RateLimitExceeded, _too_many)
    app.extensions["zapis.limiter"] = limiter
