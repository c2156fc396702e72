"""Expand an .ics the way GNOME Calendar and Evolution do (libical) and print the occurrences.

Runs under Debian's /usr/bin/python3 with python3-gi and gir1.2-ical-3.0 (libical-glib), not
the project's virtualenv.  Usage: python3 libical_expand.py FILE [--from ISO] [--until ISO].
Output: [{"uid", "start", "end", "recurrence_id"}, ...] in UTC ("2027-03-01T08:00:00Z"),
sorted by start then uid.  Times use the file's own VTIMEZONE (libical looks the TZID up in
the enclosing VCALENDAR first), EXDATEs are dropped by libical, and RECURRENCE-ID overrides
replace the occurrence they move.
"""

import argparse
import json
from datetime import UTC, datetime

import gi

gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib  # noqa: E402

VEVENT = ICalGLib.ComponentKind.VEVENT_COMPONENT
LIBICAL_UTC = ICalGLib.Timezone.get_utc_timezone()


def zulu(seconds):
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def seconds(value):
    """Return the epoch seconds of a libical time in its own zone."""
    return value.as_timet_with_zone(value.get_timezone() or LIBICAL_UTC)


def recurrence_id(root, event):
    """Return an override's RECURRENCE-ID in the zone its TZID names (libical leaves it bare)."""
    value = event.get_recurrenceid()
    prop = event.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY)
    tzid = prop.get_parameter_as_string("TZID")
    if value.get_timezone() is None and tzid is not None:
        value.set_timezone(root.get_timezone(tzid))
    return seconds(value)


def to_time(text):
    return ICalGLib.Time.new_from_timet_with_zone(
        int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()), 0, LIBICAL_UTC
    )


def collect(_component, span, spans):
    spans.append(span)


def events(root):
    found = []
    event = root.get_first_component(VEVENT)
    while event is not None:
        found.append(event)
        event = root.get_next_component(VEVENT)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--from", dest="start", default="1970-01-01T00:00:00Z")
    parser.add_argument("--until", default="2100-01-01T00:00:00Z")
    args = parser.parse_args()
    with open(args.file, encoding="utf-8") as handle:
        root = ICalGLib.Component.new_from_string(handle.read())
    start, until = to_time(args.start), to_time(args.until)
    low, high = seconds(start), seconds(until)

    moved = {}  # uid -> epoch seconds of the occurrences that overrides replace
    for event in events(root):
        if event.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY) is not None:
            moved.setdefault(event.get_uid(), set()).add(recurrence_id(root, event))

    occurrences = []

    def emit(event, begin, end, recurrence_id):
        if low <= begin < high:
            occurrences.append(
                {
                    "uid": event.get_uid(),
                    "start": zulu(begin),
                    "end": zulu(end),
                    "recurrence_id": recurrence_id,
                }
            )

    for event in events(root):
        if event.get_first_property(ICalGLib.PropertyKind.RECURRENCEID_PROPERTY) is not None:
            begin = seconds(event.get_dtstart())
            emit(event, begin, seconds(event.get_dtend()), zulu(recurrence_id(root, event)))
            continue
        skipped = moved.get(event.get_uid(), set())
        spans = []
        event.foreach_recurrence(start, until, collect, spans)
        for span in spans:
            if span.get_start() not in skipped:
                emit(event, span.get_start(), span.get_end(), None)
    occurrences.sort(key=lambda o: (o["start"], o["uid"]))
    print(json.dumps(occurrences, indent=1))


main()
