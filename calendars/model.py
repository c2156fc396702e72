"""Plain values the renderer turns into iCalendar data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import vRecur

STATUSES = ("TENTATIVE", "CONFIRMED")


def require_aware(name: str, value: object) -> None:
    """Raise ValueError unless value is a timezone-aware datetime."""
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")


def _check_rrule(rrule: str) -> None:
    """Reject RRULE values that are unparsable or have a floating UNTIL."""
    try:
        recur = vRecur.from_ical(rrule)
    except ValueError as exc:
        raise ValueError(f"invalid rrule {rrule!r}: {exc}") from exc
    if "FREQ" not in recur:
        raise ValueError(f"rrule {rrule!r} has no FREQ")
    for until in recur.get("UNTIL", []):
        # RFC 5545 3.3.10: with a TZID-qualified DTSTART, UNTIL must be in UTC.
        if isinstance(until, datetime) and until.tzinfo is None:
            raise ValueError(f"rrule {rrule!r}: UNTIL must be a UTC time ending in Z")


@dataclass(frozen=True, slots=True)
class FeedEvent:
    """One VEVENT: a single event, a series master (rrule) or a moved occurrence."""

    uid: str
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str | None = None
    location: str | None = None
    categories: tuple[str, ...] = ()
    status: str = "CONFIRMED"
    sequence: int = 0
    url: str | None = None
    rrule: str | None = None
    exdates: tuple[datetime, ...] = ()
    recurrence_id: datetime | None = None
    created: datetime = field(kw_only=True)
    last_modified: datetime = field(kw_only=True)

    def __post_init__(self) -> None:
        if not self.uid or any(c in self.uid for c in "\r\n"):
            raise ValueError("uid must be a non-empty single-line string")
        for name in ("starts_at", "ends_at", "created", "last_modified"):
            require_aware(name, getattr(self, name))
        for exdate in self.exdates:
            require_aware("exdates[]", exdate)
        if self.recurrence_id is not None:
            require_aware("recurrence_id", self.recurrence_id)
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.sequence < 0:
            raise ValueError("sequence must not be negative")
        if self.rrule is not None:
            if self.recurrence_id is not None:
                raise ValueError("an override (recurrence_id) cannot carry its own rrule")
            _check_rrule(self.rrule)
        elif self.exdates:
            raise ValueError("exdates need an rrule")


@dataclass(frozen=True, slots=True)
class FeedCalendar:
    """Calendar-level metadata for a feed or a download."""

    name: str
    description: str | None = None
    timezone: str = "Europe/Sofia"
    refresh_interval: timedelta = field(default=timedelta(hours=1))
    prodid: str = "-//zapis//zapis scheduling//EN"
    language: str | None = None

    def __post_init__(self) -> None:
        ZoneInfo(self.timezone)  # raises ZoneInfoNotFoundError (a KeyError) if unknown
        if self.refresh_interval <= timedelta(0):
            raise ValueError("refresh_interval must be positive")


@dataclass(frozen=True, slots=True)
class BusyPeriod:
    """A span of time in which someone is busy."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        require_aware("starts_at", self.starts_at)
        require_aware("ends_at", self.ends_at)
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must be after starts_at")
