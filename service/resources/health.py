"""Liveness (/health: the process answers) and readiness (/ready: it can serve requests)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from service.plumbing.db import get_session
from service.plumbing.migrate import is_current

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@bp.get("/ready")
def ready() -> tuple[dict[str, Any], int]:
    """Answer 200 once the database is reachable and fully migrated, 503 otherwise."""
    try:
        migrated = is_current(get_session().connection())
    except SQLAlchemyError:
        current_app.logger.warning("Not ready: the database is unreachable.", exc_info=True)
        return _unavailable("The database is unreachable.")
    if not migrated:
        return _unavailable("The database schema is not at the newest migration; run migrate.")
    return {"status": "ready"}, 200


def _unavailable(reason: str) -> tuple[dict[str, Any], int]:
    return {"status": "unavailable", "code": 503, "message": reason}, 503
