"""zapis: bookings of interpreters, counsellors, classes and rooms for three offices."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

# Every session, in every process, writes a new reference generation with each change to the
# data that the processes cache (service/directory/reference_cache.py).
from service.directory import reference_changes  # noqa: F401


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings, database, API blueprints, error handlers, CLI commands."""
    app = Flask(__name__, instance_relative_config=True)
    from service.plumbing.config import load_config

    app.config.from_mapping(load_config(app.instance_path))
    if overrides:
        app.config.from_mapping(overrides)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    from service import cli, console, resources
    from service.booking.policy import check_interpreter_limits

    check_interpreter_limits(app.config)  # a bad setting stops the start, not a booking
    from service.notify import monitoring
    from service.plumbing import db
    from service.web import compression, metrics, observability, ratelimit

    observability.init_app(app)
    metrics.init_app(app)
    ratelimit.init_app(app)
    compression.init_app(app)
    db.init_app(app)
    monitoring.init_app(app)
    resources.init_app(app)
    ratelimit.limit_routes(app)
    cli.init_app(app)
    console.init_app(app)
    return app
