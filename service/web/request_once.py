"""Run a request that changes something once per idempotency key, for the API and the console.

The view's commits are held while it runs (`RequestSession.held`), so its changes and the
answer kept with the key commit together; see `service.web.idempotency`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Response, current_app
from sqlalchemy.exc import IntegrityError

from service.access.auth import Principal
from service.plumbing.clock import utcnow
from service.plumbing.db import get_session
from service.plumbing.errors import Conflict
from service.web import idempotency

KEPT_HEADERS = ("Location", "ETag", "Content-Type")
REPLAYED = "Idempotent-Replayed"


def owner_of(principal: Principal) -> str:
    """Keys are per caller: an API token, or a console user."""
    return f"token:{principal.token_id}" if principal.token_id else f"user:{principal.name}"


def run_once(
    owner: str,
    key: str,
    request_digest: str,
    view: Callable[[], Any],
    *,
    keep_redirects: bool = False,
) -> Response:
    """Answer as the first request with (owner, key) was answered, or run `view` and keep
    its answer with its changes, in one transaction (2xx answers, and 3xx ones when
    `keep_redirects`: a console form answers a success with a redirect)."""
    session = get_session()
    ttl = timedelta(hours=int(current_app.config["IDEMPOTENCY_KEY_HOURS"]))
    try:
        kept = idempotency.claim(session, owner, key, request_digest, utcnow(), ttl)
    except IntegrityError:  # a copy of this request claimed it first and has committed
        session.rollback()
        try:
            kept = idempotency.claim(session, owner, key, request_digest, utcnow(), ttl)
        except IntegrityError as again:  # yet another copy won the key meanwhile
            session.rollback()
            raise Conflict("A request with this Idempotency-Key is under way; retry.") from again
    if kept is not None:
        session.rollback()
        replay = Response(kept.body, kept.status, kept.headers)
        replay.headers[REPLAYED] = "true"
        return replay
    session.held = True
    try:
        response = current_app.make_response(view())
    except BaseException:
        session.held = False
        session.rollback()
        raise
    session.held = False
    if not 200 <= response.status_code < (400 if keep_redirects else 300):
        session.rollback()
        return response
    headers = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    answer = idempotency.Answer(response.status_code, response.get_data(as_text=True), headers)
    idempotency.record_answer(session, owner, key, answer)
    session.commit()
    return response
