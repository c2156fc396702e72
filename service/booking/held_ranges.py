"""The SQL condition for the active holds that meet a window, as each back end runs it fastest.

The window is two bound parameters, HELD_FROM and HELD_UNTIL, so that a query using it can be
built once per back end and run with new values (building one costs a search more than
running it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, ColumnElement, bindparam, func
from sqlalchemy.orm import Session

from service.models import Hold
from service.plumbing.columns import UTCDateTime

HELD_FROM, HELD_UNTIL = "held_from", "held_until"


def window_start() -> BindParameter[Any]:
    return bindparam(HELD_FROM, type_=UTCDateTime())


def window_end() -> BindParameter[Any]:
    return bindparam(HELD_UNTIL, type_=UTCDateTime())


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def held_between(dialect: str) -> list[ColumnElement[Any]]:
    """Conditions for the active holds whose [starts_at, blocked_until) meets the window.

    On PostgreSQL this is the exclusion constraint's own expression and predicate (`active`,
    not `active IS true`, which the planner cannot match to the partial index), so that one
    GiST scan finds the holds of all the resources asked for; the plain comparisons beside it
    would make the planner read every past hold of them by (resource_id, starts_at) instead.
    """
    start, end = window_start(), window_end()
    if dialect != "postgresql":
        return [Hold.active.is_(True), Hold.starts_at < end, Hold.blocked_until > start]
    held = func.tstzrange(Hold.starts_at, Hold.blocked_until, "[)")
    return [Hold.active.expression, held.op("&&")(func.tstzrange(start, end, "[)"))]
