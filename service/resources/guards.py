"""Checks every request passes before any view or argument parser sees it.

* The API's operations need a bearer token, checked before flask-smorest parses the arguments,
  so an anonymous caller gets 401 and never a 422 describing the schema. Public by design:
  `/health`, `/ready`, `/docs`, `/openapi.json`, the Twilio webhooks (signed) and the feeds
  (`/calendars/<token>.ics`, a secret URL); none of them is in an API blueprint.
* Path parameters, query parameters and the console's form fields may not hold a NUL character
  or an unpaired surrogate (see `service.plumbing.text_input`): the API and the feeds answer 422 naming
  the parameter, the console a 422 page. JSON bodies are checked field by field by the schemas'
  `Text` fields. The Twilio webhooks are left to their own checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, jsonify, request

from service.plumbing.errors import Invalid
from service.plumbing.text_input import UNSTORABLE, unstorable
from service.resources.errors import error_body
from service.resources.security import current_principal

API_PREFIX = "/api/"
NOT_CHECKED = frozenset({"webhooks"})
CONSOLE = "console"
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def _first_unstorable(location: str) -> str | None:
    """The name of the first path, query or form value in `location` no column can hold."""
    pairs: Iterable[tuple[str, Any]]
    if location == "path":
        pairs = (request.view_args or {}).items()
    elif location == "query":
        pairs = request.args.items(multi=True)
    else:
        pairs = request.form.items(multi=True) if request.mimetype in FORM_TYPES else ()
    for name, value in pairs:
        if unstorable(name):
            return repr(name)[1:-1]
        if isinstance(value, str) and unstorable(value):
            return name
    return None


def check_text() -> Response | None:
    if request.blueprint in NOT_CHECKED:
        return None
    for location in ("path", "query", "form"):
        name = _first_unstorable(location)
        if name is None:
            continue
        if request.blueprint == CONSOLE:
            raise Invalid(name, f"{name}: {UNSTORABLE}")
        answer = jsonify(error_body(422, UNSTORABLE, {location: {name: [UNSTORABLE]}}))
        answer.status_code = 422
        return answer
    return None


def api_guard(api_blueprints: frozenset[str]) -> Any:
    def authenticate_first() -> None:
        # Also before a 404 or 405 of an unknown path or method: anonymous callers learn nothing.
        if request.blueprint in api_blueprints or request.path.startswith(API_PREFIX):
            current_principal()  # 401 before any argument is parsed

    return authenticate_first


def init_app(app: Flask, api_blueprints: Iterable[str]) -> None:
    app.before_request(api_guard(frozenset(api_blueprints)))
    app.before_request(check_text)
