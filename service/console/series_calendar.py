"""A series as month grids (weeks down, Monday to Sunday across): its dates, clashes and skips."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from service.plumbing.clock import to_sofia


@dataclass(frozen=True)
class Entry:
    """One occurrence in a day cell: planned (a dry run) or booked (with its booking)."""

    starts_at: datetime
    ends_at: datetime
    status: str = "planned"
    clashes: list[dict[str, Any]] = field(default_factory=list)
    booking_id: int | None = None
    moved: bool = False


@dataclass
class Cell:
    day: date | None  # None: a day of the neighbouring month, drawn empty
    in_span: bool = False
    entries: list[Entry] = field(default_factory=list)
    skipped: str | None = None  # why the rule's date is not met (holiday, closure, clash)


@dataclass(frozen=True)
class Month:
    first: date
    weeks: list[list[Cell]]

    @property
    def weekdays(self) -> list[date]:
        """Seven days, Monday to Sunday, to name the columns by."""
        monday = self.first - timedelta(days=self.first.weekday())
        return [monday + timedelta(days=n) for n in range(7)]


def _month_starts(first: date, last: date) -> list[date]:
    months, day = [], first.replace(day=1)
    while day <= last:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def _grid(month: date, cells: dict[date, Cell]) -> list[list[Cell]]:
    following = (month + timedelta(days=32)).replace(day=1)
    day = month - timedelta(days=month.weekday())
    weeks = []
    while day < following:
        weeks.append(
            [
                cells.get(d, Cell(d)) if d.month == month.month else Cell(None)
                for d in (day + timedelta(days=n) for n in range(7))
            ]
        )
        day += timedelta(days=7)
    return weeks


def month_grids(entries: Iterable[Entry], skipped: Iterable[tuple[date, str]]) -> list[Month]:
    """Lay entries and skipped dates out by their Sofia day, one grid per month they touch."""
    cells: dict[date, Cell] = {}
    for entry in sorted(entries, key=lambda e: e.starts_at):
        day = to_sofia(entry.starts_at).date()
        cells.setdefault(day, Cell(day)).entries.append(entry)
    for day, reason in skipped:
        cells.setdefault(day, Cell(day)).skipped = reason
    if not cells:
        return []
    first, last = min(cells), max(cells)
    for n in range((last - first).days + 1):
        day = first + timedelta(days=n)
        cells.setdefault(day, Cell(day)).in_span = True
    return [Month(month, _grid(month, cells)) for month in _month_starts(first, last)]
