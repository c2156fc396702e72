"""Map domain errors to flask-smorest's JSON error body, naming the field at fault."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from service.plumbing.db import get_session
from service.plumbing.errors import DomainError, Invalid, StaleChange
from service.web import metrics


def error_body(status: int, message: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


def _domain_error(exc: DomainError) -> tuple[dict[str, Any], int]:
    get_session().rollback()
    if exc.status == 409:
        metrics.count_conflict(exc)
    errors = exc.details()
    if isinstance(exc, Invalid):
        location = exc.location or ("query" if request.method in ("GET", "HEAD") else "json")
        errors = {location: {exc.field: [exc.message]}}
    return error_body(exc.status, exc.message, errors), exc.status


def _busy(exc: OperationalError) -> tuple[dict[str, Any], int, dict[str, str]]:
    """A lock or statement deadline passed, or the database is unreachable: nothing was
    written (the transaction is rolled back), so the same request may simply be sent again."""
    get_session().rollback()
    retry_after = str(current_app.config["BUSY_RETRY_AFTER_SECONDS"])
    body = error_body(503, "The database is busy; try again in a moment.")
    return body, 503, {"Retry-After": retry_after}


def _changed_meanwhile(exc: StaleDataError) -> tuple[dict[str, Any], int]:
    """Another request changed (or removed) the row between our read and our write."""
    return _domain_error(StaleChange())


def init_app(app: Flask) -> None:
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(OperationalError, _busy)
    app.register_error_handler(StaleDataError, _changed_meanwhile)
