"""`Idempotency-Key` on the API's changes: a retried request gets the first one's answer.

`@idempotent(blp)` goes above the operation's other decorators. It documents and parses the
header; with it, the view's commits are held (they flush), and its answer is kept with the
key in the same transaction, then committed; without it, nothing changes. See
`service.web.idempotency`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, validate

from service.plumbing.errors import Invalid
from service.resources.fields import Text
from service.resources.security import current_principal
from service.web import idempotency
from service.web.request_once import owner_of, run_once


def _printable_ascii(key: str) -> None:
    try:
        idempotency.check_key(key)
    except Invalid as exc:
        raise ValidationError(exc.message) from exc


class IdempotencyHeaderSchema(Schema):
    idempotency_key = Text(
        data_key=idempotency.HEADER,
        validate=[validate.Length(1, idempotency.MAX_KEY_LENGTH), _printable_ascii],
        metadata={
            "description": (
                "A key of your choosing (a UUID) to make retries safe: the same key with the "
                "same request gets the first answer again (with `Idempotent-Replayed: true`) "
                "and changes nothing more; with a different request it gets 422. Keys are "
                "kept for IDEMPOTENCY_KEY_HOURS."
            )
        },
    )


def idempotent(blp: Blueprint) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Make an API operation honour `Idempotency-Key`, and document the header."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, idempotency_key: str | None = None, **kwargs: Any) -> Any:
            if idempotency_key is None:
                return view(*args, **kwargs)
            digest = idempotency.digest_request(
                request.method, request.full_path, request.get_data()
            )
            owner = owner_of(current_principal())
            return run_once(owner, idempotency_key, digest, lambda: view(*args, **kwargs))

        parsed: Callable[..., Any] = blp.arguments(
            IdempotencyHeaderSchema, location="headers", as_kwargs=True
        )(wrapper)
        return parsed

    return decorate
