"""Feed ETags are strong, stable and change whenever the feed would."""

from __future__ import annotations

import dataclasses
import re

from calendars import event_etag_part, feed_etag
from tests.calendars.scenarios import EVENTS, SPRING


def etag(events=EVENTS, removals: int = 0) -> str:
    return feed_etag([*(event_etag_part(e) for e in events), f"removed:{removals}"])


def test_etag_is_strong_and_quoted() -> None:
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag())


def test_etag_is_stable_for_the_same_inputs() -> None:
    assert etag() == etag(tuple(dataclasses.replace(e) for e in EVENTS))
    assert feed_etag(["a", b"b"]) == feed_etag([b"a", "b"])


def test_etag_changes_with_events_and_removals() -> None:
    bumped = dataclasses.replace(SPRING, sequence=SPRING.sequence + 1)
    assert etag() != etag((bumped, *EVENTS[1:]))
    assert etag() != etag(removals=1)
    assert etag() != etag(EVENTS[:-1])


def test_etag_parts_cannot_run_together() -> None:
    assert feed_etag(["ab", "c"]) != feed_etag(["a", "bc"])
    assert feed_etag([]) != feed_etag([""])
