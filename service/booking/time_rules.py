"""When a booking, occurrence or series may be: the one rule the API and the console share.

A new or moved time must lie within FIRST_YEAR..LAST_YEAR and start no earlier than now less a
short grace (a form filled in at 10:00 for 10:00 still books). Only an admin recording a booking
after the fact (`record_past`, with a reason) may give a start in the past.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from service.plumbing.errors import Invalid
from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR

DEFAULT_GRACE = timedelta(minutes=5)
REASON_MAX = 500  # the column's length
PAST_MESSAGE = "This time has already passed; give a time from now on."
YEARS_MESSAGE = f"Give a date between {FIRST_YEAR} and {LAST_YEAR}."


def check_year_range(**instants: datetime | None) -> None:
    """Refuse instants outside FIRST_YEAR..LAST_YEAR, naming the first such keyword."""
    for name, value in instants.items():
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise Invalid(name, YEARS_MESSAGE).coded(
                "years_out_of_range", first=FIRST_YEAR, last=LAST_YEAR
            )


def check_not_past(
    field: str, instant: datetime, now: datetime, grace: timedelta = DEFAULT_GRACE
) -> None:
    """Refuse an `instant` earlier than `now` less `grace`, naming `field`."""
    if instant < now - grace:
        raise Invalid(field, PAST_MESSAGE).coded("time_passed")


def check_new_time(
    starts_at: datetime,
    ends_at: datetime,
    now: datetime,
    grace: timedelta = DEFAULT_GRACE,
    field: str = "starts_at",
) -> None:
    """Check the years and that the time is still to come (the start field is `field`)."""
    check_year_range(**{field: starts_at, "ends_at": ends_at})
    check_not_past(field, starts_at, now, grace)


def check_record_past(
    record_past: bool, reason: str | None, starts_at: datetime, now: datetime, *, allowed: bool
) -> str | None:
    """Return the stripped reason for a booking recorded after the fact, or None for a new one.

    Only who is `allowed` (an admin) may record one; it needs a reason and a start already past.
    """
    if not record_past:
        if reason:
            raise Invalid("record_past_reason", "A reason is given only with record_past.").coded(
                "record_past_reason_alone"
            )
        return None
    if not allowed:
        raise Invalid("record_past", "Only an admin may record a booking after the fact.").coded(
            "record_past_admin_only"
        )
    text = (reason or "").strip()
    if not text:
        raise Invalid(
            "record_past_reason", "Say why this booking is recorded after the fact."
        ).coded("record_past_reason_missing")
    if len(text) > REASON_MAX:
        raise Invalid("record_past_reason", f"At most {REASON_MAX} characters.").coded(
            "text_too_long", count=REASON_MAX
        )
    if starts_at > now:
        raise Invalid(
            "record_past", "Only a booking that has already started can be recorded."
        ).coded("record_past_not_started")
    return text
