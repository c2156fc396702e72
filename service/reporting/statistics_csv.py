"""The statistics as CSV, for spreadsheets: one row per cell of the report."""

from __future__ import annotations

import csv
import io
from dataclasses import fields
from typing import Any

from service.reporting.statistics import COUNTS, Statistics, StatisticsRow

CSV_COLUMNS = tuple(f.name for f in fields(StatisticsRow))
NUMBERS = (*COUNTS, "interpretation_hours")


def _cell(name: str, value: Any, masked: str) -> Any:
    if name in NUMBERS:
        return masked if value is None else value
    return "" if value is None else value


def statistics_csv(statistics: Statistics) -> str:
    """Write the rows as CSV, a masked count as `<min_count` (for example `<5`)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    masked = f"<{statistics.min_count}"
    for row in statistics.rows:
        writer.writerow(_cell(name, getattr(row, name), masked) for name in CSV_COLUMNS)
    return out.getvalue()
