"""Build VTIMEZONE components with icalendar and make them safe for real clients.

``icalendar.Timezone.from_tzid`` (7.3) derives the observances from zoneinfo,
but its output needs three adjustments, all checked against zoneinfo:

* For a spring-forward gap it writes the onset as the first wall time after
  the gap (04:00 for Sofia) although RFC 5545 3.6.5 wants it in TZOFFSETFROM
  time (03:00); clients that trust the VTIMEZONE would switch an hour late.
* It lists every onset as an RDATE, so the VTIMEZONE ends with its last RDATE:
  a series running past it is shown an hour off after the next clock change by
  clients that trust the file (Thunderbird, GNOME Calendar).  Onsets that keep
  one yearly rule up to ``RULES_CHECKED_UNTIL`` become one observance with an
  RRULE (``FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU`` for Sofia since 1997), as those
  clients write themselves; it holds for every later year too.
* It puts all onsets in one comma-separated RDATE.  ical.js (Thunderbird and
  many web clients) reads only the first value of each RDATE and ignores
  DTSTART once RDATEs exist, so it would miss every other DST change.  Onsets
  that fit no rule get one RDATE each, with DTSTART repeated as an RDATE.

Coverage starts at ``COVERAGE_START`` (or earlier when asked) and, with rules,
never ends; only events from 2000 on are promised the right hour.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone, TimezoneDaylight, TimezoneStandard, vRecur

COVERAGE_START = date(2000, 1, 1)
RULES_CHECKED_UNTIL = date(2101, 1, 1)
_SECOND = timedelta(seconds=1)
Observance = TimezoneStandard | TimezoneDaylight
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _is_onset(
    local: datetime, offset_from: timedelta, offset_to: timedelta, zone: ZoneInfo
) -> bool:
    """Tell whether zone changes from offset_from to offset_to at local (in offset_from time)."""
    instant = (local - offset_from).replace(tzinfo=UTC)
    return (
        instant.astimezone(zone).utcoffset() == offset_to
        and (instant - _SECOND).astimezone(zone).utcoffset() == offset_from
    )


def _onset(
    local: datetime, offset_from: timedelta, offset_to: timedelta, zone: ZoneInfo
) -> datetime:
    """Return the RFC 5545 onset: the transition's wall time in TZOFFSETFROM."""
    if offset_from == offset_to or _is_onset(local, offset_from, offset_to, zone):
        return local
    shifted = local - (offset_to - offset_from)
    return shifted if _is_onset(shifted, offset_from, offset_to, zone) else local


def _offset(observance: Component, name: str) -> timedelta:
    value = observance.decoded(name)
    assert isinstance(value, timedelta)
    return value


def _start(observance: Component) -> datetime:
    value = observance.decoded("DTSTART")
    assert isinstance(value, datetime)
    return value


def _onsets(observance: Component, zone: ZoneInfo) -> list[datetime]:
    """Return the corrected onsets of one STANDARD/DAYLIGHT, earliest first."""
    offset_from, offset_to = _offset(observance, "TZOFFSETFROM"), _offset(observance, "TZOFFSETTO")
    onsets = [_start(observance)]
    rdates = observance.get("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        onsets.extend(value.dt for value in rdate.dts)
    return sorted({_onset(o, offset_from, offset_to, zone) for o in onsets})


def _rules(onset: datetime) -> set[str]:
    """Return the yearly rules (month, nth or last weekday) that onset's day fits."""
    weekday = _WEEKDAYS[onset.weekday()]
    month = f"FREQ=YEARLY;BYMONTH={onset.month};BYDAY="
    rules = {f"{month}{(onset.day - 1) // 7 + 1}{weekday}"}
    if onset.day + 7 > calendar.monthrange(onset.year, onset.month)[1]:
        rules.add(f"{month}-1{weekday}")
    return rules


def _ruled_tail(onsets: list[datetime], last_year: int) -> tuple[int, str | None]:
    """Return where the onsets that keep one yearly rule through last_year start, and the rule."""
    if len(onsets) < 2 or onsets[-1].year != last_year:
        return len(onsets), None
    rules = _rules(onsets[-1])
    start = len(onsets) - 1
    while start > 0:
        earlier = onsets[start - 1]
        shared = rules & _rules(earlier)
        same_time = earlier.time() == onsets[start].time()
        if not shared or not same_time or earlier.year != onsets[start].year - 1:
            break
        rules, start = shared, start - 1
    if start == len(onsets) - 1:
        return len(onsets), None
    return start, min(rules, key=lambda rule: ("-1" not in rule, rule))


def _copy(observance: Observance, onsets: list[datetime], rule: str | None) -> Observance:
    """Return a STANDARD/DAYLIGHT like observance starting at onsets[0]."""
    copy = type(observance)()
    copy.add("DTSTART", onsets[0])
    if rule is not None:
        copy.add("RRULE", vRecur.from_ical(rule))
    elif len(onsets) > 1:
        for onset in onsets:
            copy.add("RDATE", onset)
    for name, value in observance.items():
        if name not in ("DTSTART", "RDATE", "RRULE"):
            copy[name] = value
    return copy


def _observances(observance: Observance, zone: ZoneInfo, last_year: int) -> Iterator[Observance]:
    """Split one observance into its listed onsets and its yearly rule."""
    onsets = _onsets(observance, zone)
    start, rule = _ruled_tail(onsets, last_year)
    if start > 0:
        yield _copy(observance, onsets[:start], None)
    if rule is not None:
        yield _copy(observance, onsets[start:], rule)


def build_vtimezone(tz: str, first: date = COVERAGE_START, last: date = COVERAGE_START) -> Timezone:
    """Build the VTIMEZONE for tz from zoneinfo data, valid from first (or 2000) on.

    Without a yearly rule (a zone that stops changing its clocks, or whose rule no RRULE
    above describes) the onsets are listed up to last or ``RULES_CHECKED_UNTIL``.
    """
    first = min(first, COVERAGE_START)
    last = max(last, RULES_CHECKED_UNTIL)
    vtimezone = Timezone.from_tzid(tz, first_date=first, last_date=last)
    vtimezone.pop("COMMENT", None)  # "only works from ... to ...", no longer true
    zone = ZoneInfo(tz)
    last_year = (last - timedelta(days=1)).year
    observances = [
        part
        for observance in vtimezone.subcomponents
        for part in _observances(observance, zone, last_year)
    ]
    vtimezone.subcomponents = sorted(observances, key=_start)
    return vtimezone
