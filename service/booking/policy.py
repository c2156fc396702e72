"""The tunable rules of booking: buffers, travel times and limits, read once from settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from service.booking.time_rules import DEFAULT_GRACE
from service.models.booking import BOOKING_TYPES
from service.plumbing.config import (
    DEFAULT_INTERPRETER_HOURS_DAY,
    DEFAULT_INTERPRETER_HOURS_WEEK,
    DEFAULT_INTERPRETER_LIMITED_TYPES,
    DEFAULT_TRAVEL_MINUTES,
)


@dataclass(frozen=True)
class BookingPolicy:
    buffer: timedelta = timedelta(minutes=15)
    max_duration: timedelta = timedelta(hours=12)
    past_grace: timedelta = DEFAULT_GRACE  # how far before now a new or moved time may start
    travel_minutes: Mapping[tuple[str, str], int] = field(
        default_factory=lambda: dict(DEFAULT_TRAVEL_MINUTES)
    )
    # How many hours of sessions of these types an interpreter may do in a day and in a week,
    # unless the interpreter has limits of their own (trauma interpreting wears people out).
    interpreter_hours_day: int = DEFAULT_INTERPRETER_HOURS_DAY
    interpreter_hours_week: int = DEFAULT_INTERPRETER_HOURS_WEEK
    interpreter_limited_types: frozenset[str] = DEFAULT_INTERPRETER_LIMITED_TYPES

    def travel(self, from_office: str, to_office: str) -> timedelta:
        """Return the driving time between two offices (zero within one office)."""
        if from_office == to_office:
            return timedelta(0)
        key = tuple(sorted((from_office, to_office)))
        return timedelta(minutes=self.travel_minutes.get(key, 0))  # type: ignore[arg-type]

    @property
    def longest_travel(self) -> timedelta:
        return timedelta(minutes=max(self.travel_minutes.values(), default=0))

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> BookingPolicy:
        """Read the policy from settings, refusing values that would silently change a rule."""
        check_interpreter_limits(config)
        return cls(
            buffer=timedelta(minutes=config["BOOKING_BUFFER_MINUTES"]),
            max_duration=timedelta(minutes=config["MAX_BOOKING_MINUTES"]),
            past_grace=timedelta(minutes=config["PAST_GRACE_MINUTES"]),
            travel_minutes=config["TRAVEL_MINUTES"],
            interpreter_hours_day=config["INTERPRETER_MAX_HOURS_DAY"],
            interpreter_hours_week=config["INTERPRETER_MAX_HOURS_WEEK"],
            interpreter_limited_types=frozenset(config["INTERPRETER_LIMITED_TYPES"]),
        )


def check_interpreter_limits(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming the setting when the interpreters' limits cannot be meant.

    A misspelt type ("counseling") would otherwise leave those sessions without any limit.
    """
    unknown = sorted(set(config["INTERPRETER_LIMITED_TYPES"]) - set(BOOKING_TYPES))
    if unknown:
        raise ValueError(
            f"INTERPRETER_LIMITED_TYPES names unknown booking types {', '.join(unknown)}; "
            f"the types are {', '.join(BOOKING_TYPES)}"
        )
    for name in ("INTERPRETER_MAX_HOURS_DAY", "INTERPRETER_MAX_HOURS_WEEK"):
        if config[name] <= 0:
            raise ValueError(f"{name} must be a positive number of hours, not {config[name]}")
