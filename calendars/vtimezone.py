"""Build VTIMEZONE components with icalendar and make them safe for real clients.

``icalendar.Timezone.from_tzid`` (7.3) derives the observances from zoneinfo,
but its output needs two adjustments, both checked against zoneinfo:

* For a spring-forward gap it writes the onset as the first wall time after
  the gap (04:00 for Sofia) although RFC 5545 3.6.5 wants it in TZOFFSETFROM
  time (03:00); clients that trust the VTIMEZONE would switch an hour late.
* It puts all onsets in one comma-separated RDATE.  ical.js (Thunderbird and
  many web clients) reads only the first value of each RDATE and ignores
  DTSTART once RDATEs exist, so it would miss every other DST change.  We write
  one RDATE per onset and repeat DTSTART as an RDATE (harmless elsewhere).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Component, Timezone

_SECOND = timedelta(seconds=1)


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


def _fix_observance(observance: Component, zone: ZoneInfo) -> None:
    """Correct the onsets of one STANDARD/DAYLIGHT and write one RDATE per onset."""
    offset_from, offset_to = _offset(observance, "TZOFFSETFROM"), _offset(observance, "TZOFFSETTO")
    onsets: list[datetime] = [observance.pop("DTSTART").dt]
    rdates = observance.pop("RDATE", [])
    for rdate in rdates if isinstance(rdates, list) else [rdates]:
        onsets.extend(value.dt for value in rdate.dts)
    fixed = sorted({_onset(o, offset_from, offset_to, zone) for o in onsets})
    observance.add("DTSTART", fixed[0])
    if len(fixed) > 1:
        for onset in fixed:
            observance.add("RDATE", onset)


def build_vtimezone(tz: str, first: date, last: date) -> Timezone:
    """Build the VTIMEZONE for tz covering first to last from zoneinfo data."""
    vtimezone = Timezone.from_tzid(tz, first_date=first, last_date=last)
    zone = ZoneInfo(tz)
    for observance in vtimezone.subcomponents:
        _fix_observance(observance, zone)
    return vtimezone
