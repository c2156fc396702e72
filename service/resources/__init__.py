"""HTTP layer: flask-smorest blueprints that parse, call one operation and map errors.

App layer: may import `service.web`, the operation packages, `service.models` and
`service.plumbing`; nothing below imports it.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Flask, Response, request, send_from_directory
from flask.typing import ResponseReturnValue

from service.resources import (
    apidoc,  # first: it bounds flask-smorest page numbers before the blueprints are built
    availability,
    beneficiaries,
    bookings,
    catalogue,
    enrolments,
    errors,
    feeds,
    guards,
    health,
    interpreter_month,
    interpreter_needs,
    notifications,
    offices,
    series,
    statistics,
    tokens,
    webhooks,
)
from service.resources.converters import (
    IsoDateConverter,
    iso_date_schema,
)

SWAGGER_ASSETS = "/docs/assets/"
# The interactive docs run the API with the caller's token: no other site may frame them.
DOCS_ENDPOINTS = frozenset({"api-docs.openapi_swagger_ui", "swagger_asset"})
NO_FRAMING = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}


def _swagger_asset(filename: str) -> ResponseReturnValue:
    return send_from_directory(Path(swagger_ui_bundle.swagger_ui_path), filename)


def _not_framed(response: Response) -> Response:
    if request.endpoint in DOCS_ENDPOINTS:
        for name, value in NO_FRAMING.items():
            response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", SWAGGER_ASSETS)
    app.url_map.converters["isodate"] = IsoDateConverter
    apidoc.bound_row_ids(app)
    api = apidoc.DocumentedApi(app)
    api.register_converter(IsoDateConverter, iso_date_schema)
    api_modules = (
        offices,
        catalogue,
        beneficiaries,
        interpreter_needs,
        bookings,
        availability,
        tokens,
        series,
        enrolments,
        feeds,
        notifications,
        statistics,
        interpreter_month,
    )
    for module in api_modules:
        api.register_blueprint(module.blp)
    guards.init_app(app, api_blueprints=[module.blp.name for module in api_modules])
    app.register_blueprint(health.bp)
    app.register_blueprint(feeds.calendars_bp)
    app.register_blueprint(webhooks.bp)
    app.add_url_rule(f"{SWAGGER_ASSETS}<path:filename>", "swagger_asset", _swagger_asset)
    app.after_request(_not_framed)
    app.extensions["zapis.api"] = api
    errors.init_app(app)
