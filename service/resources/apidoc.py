"""Document the error answers every API operation can give, once, instead of per route."""

from __future__ import annotations

import json
from typing import Any

import marshmallow as ma
from apispec import BasePlugin
from flask import Flask, Request
from flask_smorest import Api, Blueprint, pagination
from webargs.flaskparser import FlaskParser
from werkzeug.routing import IntegerConverter, Map

from service.resources.fields import ROW_ID_MAX

# Named after flask-smorest's lazily registered responses (http.HTTPStatus names).
EVERY_OPERATION = {
    "401": "UNAUTHORIZED",  # missing, unknown, revoked or expired bearer token
    "403": "FORBIDDEN",  # role or office scope does not allow it
    "429": "TOO_MANY_REQUESTS",  # too many failed authentications from one address
    "503": "SERVICE_UNAVAILABLE",  # the database is busy
}
WITH_INPUT = {"422": "UNPROCESSABLE_ENTITY"}  # a value breaks a rule; the field is named
WITH_PATH_ID = {"404": "NOT_FOUND"}
WITH_BODY = {
    "400": "BAD_REQUEST",  # the body is not JSON
    "413": "REQUEST_ENTITY_TOO_LARGE",  # larger than MAX_CONTENT_LENGTH
}
WRITES = {"409": "CONFLICT"}  # a clash, a stale version or a transition not allowed
WRITE_METHODS = {"post", "put", "patch", "delete"}


class ErrorResponses(BasePlugin):
    """Add the documented error responses to each operation, keeping any route's own."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **_: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            extra = dict(EVERY_OPERATION)
            if operation.get("parameters") or "requestBody" in operation:
                extra |= WITH_INPUT
            if path and "{" in path:
                extra |= WITH_PATH_ID
            if "requestBody" in operation:
                extra |= WITH_BODY
            if method in WRITE_METHODS:
                extra |= WRITES
            for status, name in extra.items():
                responses.setdefault(status, name)


class DocumentedApi(Api):
    """flask-smorest's Api without the catch-all `default` response: every code is named."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def __init__(self, app: Any) -> None:
        super().__init__(app, spec_kwargs={"extra_plugins": [ErrorResponses()]})


class RowIdConverter(IntegerConverter):
    """`<int:...>` in routes: an unsigned row id no larger than a PostgreSQL integer."""

    def __init__(
        self,
        url_map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = ROW_ID_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def bound_row_ids(app: Flask) -> None:
    """Make every `<int:...>` route parameter a row id: larger values answer 404, documented."""
    app.url_map.converters["int"] = RowIdConverter


_page_schema = pagination._pagination_parameters_schema_factory


def _bounded_page_schema(def_page: int, def_page_size: int, def_max_page_size: int) -> Any:
    """flask-smorest's pagination arguments, with `page` bounded so the offset cannot overflow.

    Patched in before any blueprint module is imported (this module is imported first by
    `service.resources`); `test_openapi_snapshot` fails if a `page` goes unbounded.
    """

    class PaginationParametersSchema(_page_schema(def_page, def_page_size, def_max_page_size)):  # type: ignore[misc]
        page = ma.fields.Integer(load_default=def_page, validate=ma.validate.Range(1, ROW_ID_MAX))

    return PaginationParametersSchema


pagination._pagination_parameters_schema_factory = _bounded_page_schema


class BodyParser(FlaskParser):
    """webargs' Flask parser, answering 400 to JSON nested beyond Python's recursion limit.

    `[[[[…` five thousand deep makes `json.loads` raise RecursionError, which webargs does not
    catch; as a JSONDecodeError it gets flask-smorest's usual 400 "Invalid JSON body.".
    """

    def _raw_load_json(self, req: Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            raise json.JSONDecodeError("The JSON body is nested too deeply.", "[", 0) from None


Blueprint.ARGUMENTS_PARSER = BodyParser()
