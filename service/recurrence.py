"""RFC 5545 rules of a series, expanded in Europe/Sofia wall time with python-dateutil.

A rule is read, checked and expanded against the naive local start of the first occurrence, so a
10:00 class stays at 10:00 on both sides of a daylight-saving change. Only `to_instants` turns
wall times into UTC instants.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from service.clock import SOFIA
from service.errors import Invalid

MAX_SPAN = relativedelta(years=1)
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_FIXED_TIME = ("BYHOUR", "BYMINUTE", "BYSECOND")
_UNTIL = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


def _fail(message: str) -> Invalid:
    return Invalid("rrule", message)


def split_rule(text: str) -> dict[str, str]:
    """Return the parts of an RRULE value (an optional `RRULE:` prefix is dropped), upper-cased."""
    value = text.strip()
    if value.upper().startswith("RRULE:"):
        value = value[len("RRULE:") :]
    if not value or any(c.isspace() for c in value):
        raise _fail("An RRULE value such as FREQ=WEEKLY;BYDAY=MO,WE;COUNT=24 is required.")
    parts: dict[str, str] = {}
    for item in value.split(";"):
        key, sep, val = item.partition("=")
        key = key.upper()
        if not sep or not key or not val:
            raise _fail(f"Malformed rule part {item!r}; expected NAME=VALUE.")
        if key in parts:
            raise _fail(f"{key} is given twice.")
        parts[key] = val.upper()
    return parts


def join_rule(parts: dict[str, str]) -> str:
    ordered = ["FREQ", *[k for k in parts if k != "FREQ"]]
    return ";".join(f"{key}={parts[key]}" for key in ordered if key in parts)


def _positive(parts: dict[str, str], key: str) -> None:
    value = parts.get(key)
    if value is not None and (not value.isdigit() or int(value) < 1):
        raise _fail(f"{key} must be a positive whole number.")


def until_wall_time(value: str) -> datetime:
    """Read UNTIL as a naive Sofia wall time: a date means the end of that day, Z means UTC."""
    match = _UNTIL.match(value)
    if match is None:
        raise _fail("UNTIL must look like 20270630 or 20270630T235959Z.")
    day_text, time_text, utc = match.groups()
    try:
        if time_text is None:
            return datetime.combine(datetime.strptime(day_text, "%Y%m%d").date(), time.max)  # noqa: DTZ007
        moment = datetime.strptime(day_text + time_text, "%Y%m%d%H%M%S")  # noqa: DTZ007
    except ValueError as exc:
        raise _fail(f"UNTIL is not a real date: {value}.") from exc
    if utc:
        return moment.replace(tzinfo=UTC).astimezone(SOFIA).replace(tzinfo=None)
    return moment


def utc_until(moment: datetime) -> str:
    """Format an instant as an RFC 5545 UTC UNTIL value."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def check_rule(text: str) -> dict[str, str]:
    """Check an RRULE for a series: daily to yearly, COUNT or UNTIL (not both), fixed time."""
    parts = split_rule(text)
    if parts.get("FREQ") not in FREQUENCIES:
        raise _fail(f"FREQ must be one of {', '.join(FREQUENCIES)}.")
    fixed = [key for key in (*_FIXED_TIME, "DTSTART") if key in parts]
    if fixed:
        raise _fail(f"{fixed[0]} is not allowed: every occurrence starts at the time of starts_at.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _fail("COUNT and UNTIL cannot be used together.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _fail("A series needs an end: add COUNT or UNTIL.")
    _positive(parts, "COUNT")
    _positive(parts, "INTERVAL")
    if "UNTIL" in parts:
        until_wall_time(parts["UNTIL"])
    return parts


def _build(parts: dict[str, str], first: datetime) -> rrule:
    local = dict(parts)
    local.pop("COUNT", None)
    local.pop("UNTIL", None)
    try:
        built = rrulestr(join_rule(local), dtstart=first)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _fail(f"Not a valid RRULE: {exc}.") from exc
    assert isinstance(built, rrule)
    return built


def wall_starts(text: str, first: datetime) -> list[datetime]:
    """Return the naive wall-time starts of a rule from `first`, at most a year of them."""
    parts = check_rule(text)
    horizon = first + MAX_SPAN
    unbounded = _build(parts, first)
    if "UNTIL" in parts:
        until = until_wall_time(parts["UNTIL"])
        if until.date() > horizon.date():
            raise _fail("A series spans at most one year: UNTIL is too late.")
        starts = list(unbounded.replace(until=min(until, horizon)))
    else:
        count = int(parts["COUNT"])
        starts = list(unbounded.replace(until=horizon))
        if len(starts) < count:
            raise _fail(f"A series spans at most one year: COUNT={count} reaches beyond it.")
        starts = starts[:count]
    if not starts:
        raise _fail("The rule yields no occurrence.")
    if starts[0] != first:
        raise Invalid(
            "starts_at",
            f"starts_at is not an occurrence of the rule; the first would be {starts[0]:%Y-%m-%d}.",
        )
    return starts


def remaining_count(text: str, first: datetime, since: datetime) -> int:
    """Count the rule's wall-time starts from `since` on (what COUNT a split-off rule keeps)."""
    return sum(1 for start in wall_starts(text, first) if start >= since)


def to_instants(wall_start: datetime, duration: timedelta) -> tuple[datetime, datetime]:
    """Return the UTC start and end of an occurrence given by its Sofia wall time."""
    start = wall_start.replace(tzinfo=SOFIA).astimezone(UTC)
    end = (wall_start + duration).replace(tzinfo=SOFIA).astimezone(UTC)
    return start, end


def wall_time(instant: datetime) -> datetime:
    """Return the naive Sofia wall time of an instant."""
    return instant.astimezone(SOFIA).replace(tzinfo=None)


def days(starts: Iterable[datetime]) -> list[date]:
    return [start.date() for start in starts]
