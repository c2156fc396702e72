"""Slot starts as whole minutes since the Unix epoch: the arithmetic of the free-slot search.

A week's search tries thousands of grid instants; as integers they cost a comparison each
instead of datetime arithmetic. Instants that are not whole minutes are rounded outwards
(`floor` for the start of a forbidden interval, `ceil` for its end), which keeps the answer
exact for whole-minute starts: `lo < t` is `floor(lo) < t` and `t < hi` is `t < ceil(hi)`.
The 15-minute grid is aligned to the epoch, as UTC hours are.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
GRID_MINUTES = 15


def minute_floor(instant: datetime) -> int:
    """The last whole minute at or before `instant`."""
    return (instant - EPOCH) // MINUTE


def minute_ceil(instant: datetime) -> int:
    """The first whole minute at or after `instant`."""
    return -((EPOCH - instant) // MINUTE)


def instant_of(minute: int) -> datetime:
    """The UTC instant of a minute since the epoch."""
    return EPOCH + timedelta(minutes=minute)


def grid_ceil(minute: int) -> int:
    """The first grid minute at or after `minute`."""
    return -(-minute // GRID_MINUTES) * GRID_MINUTES


def merge(bad: Iterable[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Sort and merge open intervals (lo, hi) that overlap; their lows and highs.

    Touching intervals stay apart: the instant where one ends and the next begins is in
    neither, so it is offered, as booking accepts it (a start exactly between two bookings).
    """
    lows: list[int] = []
    highs: list[int] = []
    for lo, hi in sorted(bad):
        if highs and lo < highs[-1]:
            if hi > highs[-1]:
                highs[-1] = hi
        else:
            lows.append(lo)
            highs.append(hi)
    return lows, highs


def free_starts(first: int, last: int, lows: list[int], highs: list[int]) -> list[int]:
    """The grid minutes t from `first` (on the grid) to `last` in no open interval lo < t < hi.

    `lows` and `highs` are merged intervals (`merge`): sorted, disjoint, highs increasing.
    """
    found: list[int] = []
    step = GRID_MINUTES
    k, n, t = bisect_right(highs, first), len(highs), first
    while t <= last:
        while k < n and highs[k] <= t:
            k += 1
        if k == n:
            found.extend(range(t, last + 1, step))
            break
        if lows[k] < t:  # inside (lo, hi): go to the first grid minute at or after hi
            t = grid_ceil(highs[k])
            continue
        stop = min(last, lows[k])  # free up to lo itself
        if stop >= t:
            found.extend(range(t, stop + 1, step))
            t += ((stop - t) // step + 1) * step
        else:  # pragma: no cover - lows[k] >= t, so stop >= t unless last < t
            break
    return found
