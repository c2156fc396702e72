"""Thunderbird's parser (ical.js) expands our feeds to the same occurrences.

Needs Node and npm: the fixture runs ``npm ci`` in tests/clients when ical.js
is not installed yet.  A missing node fails the test; it is never skipped.
"""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path

from calendars import render_feed, render_single_event
from tests.calendars.scenarios import (
    CALENDAR,
    EVENTS,
    SPRING,
    SPRING_MOVED,
    WINDOW_END,
    WINDOW_START,
    expected_occurrences,
    python_occurrences,
)
from tests.clients.npm import ICALJS_SCRIPT

SCRIPT = ICALJS_SCRIPT


def icaljs_expand(
    node: str,
    ics: bytes,
    tmp_path: Path,
    start: datetime = WINDOW_START,
    until: datetime = WINDOW_END,
) -> list[dict[str, str]]:
    path = tmp_path / "feed.ics"
    path.write_bytes(ics)
    window = ["--from", start.isoformat(), "--until", until.isoformat()]
    result = subprocess.run(
        [node, str(SCRIPT), str(path), *window],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    occurrences: list[dict[str, str]] = json.loads(result.stdout)
    return sorted(
        ({k: o[k] for k in ("uid", "start", "end")} for o in occurrences),
        key=lambda o: (o["start"], o["uid"]),
    )


def as_json(occurrences: list) -> list[dict[str, str]]:
    return sorted((o.as_json() for o in occurrences), key=lambda o: (o["start"], o["uid"]))


def test_icaljs_matches_expected_across_both_dst_changes(node: str, tmp_path: Path) -> None:
    ics = render_feed(CALENDAR, EVENTS)
    seen = icaljs_expand(node, ics, tmp_path)
    assert seen == as_json(expected_occurrences())
    assert seen == as_json(python_occurrences(ics))
    # Spot checks a user would notice: 10:00 local is 08:00Z before, 07:00Z after 2027-03-28.
    spring = [o["start"] for o in seen if o["uid"] == SPRING.uid]
    assert "2027-03-22T08:00:00Z" in spring
    assert "2027-03-29T07:00:00Z" in spring
    assert "2027-03-03T08:00:00Z" not in spring  # cancelled (EXDATE)
    assert "2027-03-24T08:00:00Z" not in spring  # moved away ...
    assert "2027-04-01T12:00:00Z" in spring  # ... to Thursday 15:00 local


def test_icaljs_reads_single_event_download(node: str, tmp_path: Path) -> None:
    ics = render_single_event(CALENDAR, [SPRING, SPRING_MOVED])
    assert icaljs_expand(node, ics, tmp_path) == as_json(
        expected_occurrences((SPRING, SPRING_MOVED))
    )
