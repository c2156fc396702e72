"""Europe/Sofia and UTC: the few conversions the service needs, on top of zoneinfo."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

SOFIA = ZoneInfo("Europe/Sofia")


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_sofia(instant: datetime) -> datetime:
    return instant.astimezone(SOFIA)


def sofia_iso(instant: datetime) -> str:
    """Write an instant as ISO 8601 in Europe/Sofia with its offset, as the API shows times."""
    return to_sofia(instant).isoformat()


def sofia_instant(day: date, wall_time: time) -> datetime:
    """Return the UTC instant of a Europe/Sofia wall-clock time on `day`."""
    return datetime.combine(day, wall_time, tzinfo=SOFIA).astimezone(UTC)
