"""The interpreters' month as CSV: one row per interpreter, office and booking type."""

from __future__ import annotations

import csv
import io

from service.reporting.interpreter_month import InterpretersMonth

CSV_COLUMNS = (
    "month",
    "interpreter_id",
    "interpreter",
    "office",
    "booking_type",
    "limited",
    "sessions",
    "no_shows",
    "hours",
    "limited_share",
)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    """Keep a name from being read as a spreadsheet formula (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def interpreters_month_csv(report: InterpretersMonth) -> str:
    """Write a row per cell; an interpreter without sessions gets one row of zeros.

    `limited_share` is the interpreter's, repeated on each of their rows (empty when nobody
    had limited hours); totals are left to the spreadsheet.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for person in report.interpreters:
        share = "" if person.limited_share is None else person.limited_share
        head = (report.month, person.resource_id, _text(person.name))
        if not person.cells:
            writer.writerow((*head, "", "", "", 0, 0, 0.0, share))
        for cell in person.cells:
            limited = "yes" if cell.limited else "no"
            writer.writerow(
                (
                    *head,
                    cell.office or "",
                    cell.type,
                    limited,
                    cell.sessions,
                    cell.no_shows,
                    cell.hours,
                    share,
                )
            )
    return out.getvalue()
