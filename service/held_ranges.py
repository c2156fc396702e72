"""The SQL condition for the active holds that meet a window, as each back end runs it fastest."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal
from sqlalchemy.orm import Session

from service.columns import UTCDateTime
from service.models import Hold


def held_between(session: Session, start: datetime, end: datetime) -> list[ColumnElement[Any]]:
    """Conditions for the active holds whose [starts_at, blocked_until) meets [start, end).

    On PostgreSQL this is the exclusion constraint's own expression and predicate (`active`,
    not `active IS true`, which the planner cannot match to the partial index), so that one
    GiST scan finds the holds of all the resources asked for; the plain comparisons beside it
    would make the planner read every past hold of them by (resource_id, starts_at) instead.
    """
    if session.get_bind().dialect.name != "postgresql":
        return [Hold.active.is_(True), Hold.starts_at < end, Hold.blocked_until > start]
    window = func.tstzrange(literal(start, UTCDateTime()), literal(end, UTCDateTime()), "[)")
    held = func.tstzrange(Hold.starts_at, Hold.blocked_until, "[)")
    return [Hold.active.expression, held.op("&&")(window)]
