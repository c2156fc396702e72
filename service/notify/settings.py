"""SMS settings read once from the app config: reminder offsets, quiet hours, retention."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal
from typing import Any

DEFAULT_OFFSETS_HOURS: tuple[float, ...] = (24, 2)
DEFAULT_QUIET_HOURS = "21:00-08:00"
# A short-notice change (created, moved or cancelled within this window) is texted to staff.
SHORT_NOTICE = timedelta(hours=48)
# A reminder pushed out of quiet hours is due this long before they start.
QUIET_MARGIN = timedelta(minutes=1)


@dataclass(frozen=True)
class NotifySettings:
    offsets: Mapping[str, tuple[timedelta, ...]] = field(default_factory=dict)
    default_offsets: tuple[timedelta, ...] = tuple(
        timedelta(hours=h) for h in DEFAULT_OFFSETS_HOURS
    )
    quiet_start: time = time(21)
    quiet_end: time = time(8)
    price_per_segment: Decimal = Decimal("0.0750")
    public_base_url: str = "http://127.0.0.1:8000"
    retention_days: int = 90

    def reminder_offsets(self, booking_type: str) -> tuple[timedelta, ...]:
        return self.offsets.get(booking_type, self.default_offsets)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> NotifySettings:
        quiet_start, quiet_end = parse_quiet_hours(config.get("QUIET_HOURS") or DEFAULT_QUIET_HOURS)
        default, per_type = parse_offsets(config.get("REMINDER_OFFSETS"))
        return cls(
            offsets=per_type,
            default_offsets=default,
            quiet_start=quiet_start,
            quiet_end=quiet_end,
            price_per_segment=Decimal(str(config.get("SMS_PRICE_PER_SEGMENT") or "0.0750")),
            public_base_url=str(config.get("PUBLIC_BASE_URL") or cls.public_base_url),
            retention_days=int(_given(config.get("RETENTION_DAYS"), 90)),
        )


def _given(value: Any, default: Any) -> Any:
    return default if value is None or value == "" else value


def parse_quiet_hours(value: str) -> tuple[time, time]:
    """Read "21:00-08:00" (Europe/Sofia wall time; the span may cross midnight)."""
    start, sep, end = value.partition("-")
    if not sep:
        raise ValueError(f"QUIET_HOURS must look like 21:00-08:00, not {value!r}")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _hours(text: str) -> tuple[timedelta, ...]:
    return tuple(timedelta(hours=float(h)) for h in text.split(",") if h.strip())


def parse_offsets(
    value: str | Mapping[str, Any] | None,
) -> tuple[tuple[timedelta, ...], dict[str, tuple[timedelta, ...]]]:
    """Read hours before the start: "24,2", "interpretation=24,2;training=48" or a mapping."""
    default = tuple(timedelta(hours=h) for h in DEFAULT_OFFSETS_HOURS)
    if not value:
        return default, {}
    if isinstance(value, Mapping):
        items = [(str(k), ",".join(str(h) for h in v)) for k, v in value.items()]
    else:
        items = [
            (kind.strip(), hours) if sep else ("*", kind)
            for kind, sep, hours in (part.partition("=") for part in value.split(";"))
        ]
    per_type: dict[str, tuple[timedelta, ...]] = {}
    for kind, hours in items:
        if kind == "*":
            default = _hours(hours)
        else:
            per_type[kind] = _hours(hours)
    return default, per_type
