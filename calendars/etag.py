"""Strong ETags for feeds, computed from cheap inputs instead of the feed bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from calendars.model import FeedEvent

# Bump when render output changes for the same data, so cached feeds and stored
# VEVENT pieces are invalidated (store it next to the pieces in the service).
RENDER_VERSION = "1"


def event_etag_part(event: FeedEvent) -> str:
    """Return the part of a feed ETag that changes whenever this event's VEVENT does."""
    return f"{event.uid}|{event.recurrence_id}|{event.sequence}|{event.last_modified.isoformat()}"


def feed_etag(parts: Iterable[str | bytes]) -> str:
    """Return a strong ETag (quoted, 32 hex digits of SHA-256) over parts, in order.

    Pass everything the feed bytes depend on, in a stable order: the calendar
    settings, each event's ``event_etag_part`` (or the stored piece's hash) and
    a removal counter, since a deleted event leaves no part behind.  Each part
    is length-prefixed, so ``["ab", "c"]`` and ``["a", "bc"]`` differ.
    """
    digest = hashlib.sha256(RENDER_VERSION.encode())
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return f'"{digest.hexdigest()[:32]}"'
