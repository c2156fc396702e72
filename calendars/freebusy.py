"""Render free/busy information as a VCALENDAR with one VFREEBUSY."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from icalendar import Calendar, FreeBusy, vCalAddress, vPeriod

from calendars.model import BusyPeriod, require_aware

PRODID = "-//zapis//zapis scheduling//EN"


def merge_busy(
    busy: Iterable[BusyPeriod], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Clip periods to [start, end), sort them and merge overlapping or touching ones (UTC)."""
    lower, upper = start.astimezone(UTC), end.astimezone(UTC)
    merged: list[tuple[datetime, datetime]] = []
    spans = sorted((p.starts_at.astimezone(UTC), p.ends_at.astimezone(UTC)) for p in busy)
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, lower), min(span_end, upper)
        if span_end <= span_start:
            continue
        if merged and span_start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], span_end))
        else:
            merged.append((span_start, span_end))
    return merged


def _organizer(owner: str) -> vCalAddress:
    """Turn an e-mail address or a URI into a CAL-ADDRESS."""
    if ":" in owner:
        return vCalAddress(owner)
    if "@" in owner:
        return vCalAddress(f"mailto:{owner}")
    raise ValueError(f"owner must be an e-mail address or a URI, got {owner!r}")


def render_freebusy(
    calendar_name: str,
    owner: str,
    start: datetime,
    end: datetime,
    busy: Iterable[BusyPeriod],
    dtstamp: datetime,
) -> bytes:
    """Render the busy periods of owner between start and end, all in UTC."""
    for name, value in (("start", start), ("end", end), ("dtstamp", dtstamp)):
        require_aware(name, value)
    if end <= start:
        raise ValueError("end must be after start")
    utc_start, utc_end = start.astimezone(UTC), end.astimezone(UTC)
    uid_source = f"{owner}\n{utc_start.isoformat()}\n{utc_end.isoformat()}".encode()
    vcalendar = Calendar()
    vcalendar.add("version", "2.0")
    vcalendar.add("prodid", PRODID)
    vcalendar.add("calscale", "GREGORIAN")
    vcalendar.add("method", "PUBLISH")
    vcalendar.add("name", calendar_name)
    vcalendar.add("x-wr-calname", calendar_name)
    vfreebusy = FreeBusy()
    vfreebusy.add("uid", f"freebusy-{hashlib.sha256(uid_source).hexdigest()[:32]}@zapis")
    vfreebusy.add("dtstamp", dtstamp.astimezone(UTC))
    vfreebusy.add("organizer", _organizer(owner))
    vfreebusy.add("dtstart", utc_start)
    vfreebusy.add("dtend", utc_end)
    for period in merge_busy(busy, start, end):
        vfreebusy.add("freebusy", vPeriod(period), parameters={"FBTYPE": "BUSY"})
    vcalendar.add_component(vfreebusy)
    data: bytes = vcalendar.to_ical(sorted=False)
    return data
