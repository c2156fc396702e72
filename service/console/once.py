"""The console's forms that create something carry an idempotency key (a hidden field made
when the form is drawn), so a double click or a resent form creates it once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import request

from service.console.web import bp, principal
from service.plumbing.errors import Invalid
from service.web import idempotency
from service.web.request_once import owner_of, run_once

FIELD = "idempotency_key"
NOT_HASHED = frozenset({FIELD, "csrf_token"})


@bp.app_template_global()
def new_idempotency_key() -> str:
    return uuid.uuid4().hex


def _form_digest() -> str:
    fields = sorted(
        (name, value) for name, value in request.form.items(multi=True) if name not in NOT_HASHED
    )
    encoded = "\n".join(f"{name}={value}" for name, value in fields).encode()
    return idempotency.digest_request(request.method, request.path, encoded)


def once_per_form(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a form's POST once per key; a resend gets the first answer (its redirect)."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        key = request.form.get(FIELD)
        if not key:
            return view(*args, **kwargs)
        try:
            idempotency.check_key(key)
        except Invalid as exc:
            raise Invalid(FIELD, exc.message) from exc
        return run_once(
            owner_of(principal()),
            key,
            _form_digest(),
            lambda: view(*args, **kwargs),
            keep_redirects=True,
        )

    return wrapper
