"""RFC 5545 rules of a series, expanded in Europe/Sofia wall time with python-dateutil.

A rule is read, checked and expanded against the naive local start of the first occurrence, so a
10:00 class stays at 10:00 on both sides of a daylight-saving change. Only `to_instants` turns
wall times into UTC instants.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrule, rrulestr

from service.plumbing.clock import SOFIA
from service.plumbing.errors import Invalid
from service.plumbing.text_input import whole_number

MAX_SPAN = relativedelta(years=1)
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "WKST")
_FIXED_TIME = ("BYHOUR", "BYMINUTE", "BYSECOND", "DTSTART")
_MAX_INTERVAL = {"DAILY": 366, "WEEKLY": 53, "MONTHLY": 12, "YEARLY": 1}
_MAX_ORDINAL = {"MONTHLY": 5, "YEARLY": 53}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_BYDAY = re.compile(r"^([+-]?)([0-9]{0,2})(MO|TU|WE|TH|FR|SA|SU)$")
_UNTIL = re.compile(r"^([0-9]{8})(?:T([0-9]{6})(Z?))?$")
_LONGEST_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


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
    if value is not None and whole_number(value, 1, 10**9) is None:
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


def _numbers(parts: dict[str, str], key: str, high: int, *, signed: bool) -> list[int]:
    """Read a list part of whole numbers from 1 to `high` (or minus that, counting back)."""
    if key not in parts:
        return []
    values = []
    for item in parts[key].split(","):
        digits = item[1:] if item[:1] in "+-" else item
        magnitude = whole_number(digits, 0, 10**9)
        if magnitude is None:
            raise _fail(f"{key} takes whole numbers: {item!r}.")
        value = -magnitude if item.startswith("-") else magnitude
        if not 1 <= abs(value) <= high or (value < 0 and not signed):
            raise _fail(f"{key} values lie between 1 and {high}: {item!r}.")
        values.append(value)
    return values


def _check_by_parts(parts: dict[str, str]) -> None:
    """Check the BY parts' values, so that dateutil never searches for an impossible date."""
    freq = parts["FREQ"]
    months = _numbers(parts, "BYMONTH", 12, signed=False)
    monthdays = _numbers(parts, "BYMONTHDAY", 31, signed=True)
    if (
        months
        and monthdays
        and not any(abs(d) <= _LONGEST_MONTH[m - 1] for m in months for d in monthdays)
    ):
        raise _fail("BYMONTHDAY never falls in the months of BYMONTH.")
    for item in parts.get("BYDAY", "").split(",") if "BYDAY" in parts else ():
        match = _BYDAY.match(item)
        if match is None:
            raise _fail(f"BYDAY takes days such as MO or 1MO: {item!r}.")
        sign, ordinal, _day = match.groups()
        if ordinal or sign:
            limit = 5 if freq == "YEARLY" and months else _MAX_ORDINAL.get(freq)
            if limit is None or not ordinal or not 1 <= int(ordinal) <= limit:
                raise _fail(f"BYDAY {item} needs FREQ=MONTHLY (1 to 5) or YEARLY (1 to 53).")
            if monthdays:
                raise _fail("BYDAY with a position (such as 1MO) cannot go with BYMONTHDAY.")
    if parts.get("WKST", "MO") not in _WEEKDAYS:
        raise _fail("WKST is a day such as MO.")


def _check_first(parts: dict[str, str], first: datetime) -> None:
    """Refuse a first occurrence that the plain BY parts exclude (before any expansion)."""
    plain_days = [d for d in parts.get("BYDAY", "").split(",") if d in _WEEKDAYS]
    misses = (plain_days and _WEEKDAYS[first.weekday()] not in plain_days) or (
        "BYMONTH" in parts and first.month not in _numbers(parts, "BYMONTH", 12, signed=False)
    )
    if "BYMONTHDAY" in parts:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        days = {
            d if d > 0 else last.day + d + 1 for d in _numbers(parts, "BYMONTHDAY", 31, signed=True)
        }
        misses = misses or first.day not in days
    if misses:
        raise Invalid("starts_at", "starts_at is not an occurrence of the rule.").coded(
            "rule_start_mismatch"
        )


def check_rule(text: str) -> dict[str, str]:
    """Check an RRULE for a series: daily to yearly, COUNT or UNTIL (not both), fixed time."""
    parts = split_rule(text)
    if parts.get("FREQ") not in FREQUENCIES:
        raise _fail(f"FREQ must be one of {', '.join(FREQUENCIES)}.")
    fixed = [key for key in _FIXED_TIME if key in parts]
    if fixed:
        raise _fail(f"{fixed[0]} is not allowed: every occurrence starts at the time of starts_at.")
    unknown = [key for key in parts if key not in PARTS]
    if unknown:
        raise _fail(f"{unknown[0]} is not supported in a series; use {', '.join(PARTS)}.")
    if "COUNT" in parts and "UNTIL" in parts:
        raise _fail("COUNT and UNTIL cannot be used together.")
    if "COUNT" not in parts and "UNTIL" not in parts:
        raise _fail("A series needs an end: add COUNT or UNTIL.")
    _positive(parts, "COUNT")
    _positive(parts, "INTERVAL")
    if int(parts.get("INTERVAL", "1")) > _MAX_INTERVAL[parts["FREQ"]]:
        raise _fail("INTERVAL is too long for a series of at most one year.")
    _check_by_parts(parts)
    if "UNTIL" in parts:
        until_wall_time(parts["UNTIL"])
    return parts


def normal_form(text: str) -> str:
    """Return a checked rule in upper case with UNTIL in UTC, as RFC 5545 wants with a TZID."""
    parts = check_rule(text)
    if "UNTIL" in parts:
        parts["UNTIL"] = utc_until(until_wall_time(parts["UNTIL"]).replace(tzinfo=SOFIA))
    return join_rule(parts)


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


def _expand(rule: rrule, until: datetime) -> list[datetime]:
    try:
        return list(rule.replace(until=until))
    except (ValueError, IndexError, OverflowError) as exc:
        raise _fail(f"The rule cannot be expanded: {exc}.") from exc


def wall_starts(text: str, first: datetime) -> list[datetime]:
    """Return the naive wall-time starts of a rule from `first`, at most a year of them."""
    parts = check_rule(text)
    _check_first(parts, first)
    horizon = first + MAX_SPAN
    unbounded = _build(parts, first)
    if "UNTIL" in parts:
        until = until_wall_time(parts["UNTIL"])
        if until.date() > horizon.date():
            raise _fail("A series spans at most one year: UNTIL is too late.").coded(
                "series_over_a_year"
            )
        starts = _expand(unbounded, min(until, horizon))
    else:
        count = int(parts["COUNT"])
        starts = _expand(unbounded, horizon)
        if len(starts) < count:
            raise _fail(f"A series spans at most one year: COUNT={count} reaches beyond it.").coded(
                "series_over_a_year"
            )
        starts = starts[:count]
    if not starts:
        raise _fail("The rule yields no occurrence.").coded("rule_empty")
    if starts[0] != first:
        raise Invalid(
            "starts_at",
            f"starts_at is not an occurrence of the rule; the first would be {starts[0]:%Y-%m-%d}.",
        ).coded("rule_first_date", day=starts[0].date())
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
