"""`Idempotency-Key` on the API's changes: a retried request gets the first one's answer.

`@idempotent(blp)` goes above the operation's other decorators. With the header, the view's
commits are held (they flush), and its answer is kept with the key in the same transaction,
then committed; without it, nothing changes. See `service.idempotency`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_smorest import Blueprint

from service import idempotency
from service.request_once import owner_of, run_once
from service.resources.security import current_principal

PARAMETER = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    "description": (
        "A key of your choosing (a UUID) to make retries safe: the same key with the same "
        "request gets the first answer again (with `Idempotent-Replayed: true`) and changes "
        "nothing more; with a different request it gets 422. Keys are kept for "
        "IDEMPOTENCY_KEY_HOURS."
    ),
}


def idempotent(blp: Blueprint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make an API operation honour `Idempotency-Key`, and document the header."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = request.headers.get(idempotency.HEADER)
            if key is None:
                return view(*args, **kwargs)
            idempotency.check_key(key)
            digest = idempotency.digest_request(
                request.method, request.full_path, request.get_data()
            )
            owner = owner_of(current_principal())
            return run_once(owner, key, digest, lambda: view(*args, **kwargs))

        documented: Callable[..., Any] = blp.doc(parameters=[PARAMETER])(wrapper)
        return documented

    return decorate
