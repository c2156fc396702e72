"""Anonymised counts for donor reports, by month, office, service, speciality and language.

Only counts leave this module, never an id or a reference. Counts between 1 and
`min_count - 1` are masked (None), as are the interpretation hours of a masked row: in a small
office a cell of one or two can point at a person. A row left with no count shown (each one
masked or zero) is dropped altogether. There are no totals, so a masked cell cannot be
recovered by subtraction.

Definitions:
- month: the Europe/Sofia month the booking starts in (a message: the month it was sent);
- service type: the booking's type; *speciality* refines counselling by the counsellor's
  speciality (psychological, legal, social) when the booked counsellors have exactly one;
- language: the preferred language of the beneficiaries booked, or marked at an occurrence
  of a course; a booking with people of two languages counts once under each, and a booking
  with nobody under none (null). Messages count under the language they were written in;
- bookings: not cancelled; no-shows are bookings marked no_show; interpretation hours are the
  booked hours of interpretation bookings; attendance counts the present, absent and excused
  marks; messages sent are SMS handed to the provider (sent, delivered or undelivered).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Select, case, distinct, func, select, union
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from service.access.access_policy import Scope
from service.models import (
    Attendance,
    Beneficiary,
    Booking,
    BookingBeneficiary,
    Hold,
    Office,
    OutboxMessage,
    ResourceSpeciality,
)
from service.plumbing.clock import sofia_instant
from service.plumbing.errors import Invalid

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_MONTHS = 60
FIRST_YEAR, LAST_YEAR = 2000, 2100
SENT = ("sent", "delivered", "undelivered")
KEY = ("month", "office", "service_type", "speciality", "language")
COUNTS = ("bookings", "present", "absent", "excused", "no_shows", "messages_sent")


@dataclass
class StatisticsRow:
    month: str
    office: str | None
    service_type: str | None
    speciality: str | None
    language: str | None
    bookings: int | None = 0
    interpretation_hours: float | None = 0.0
    present: int | None = 0
    absent: int | None = 0
    excused: int | None = 0
    no_shows: int | None = 0
    messages_sent: int | None = 0


@dataclass(frozen=True)
class Statistics:
    first: str
    last: str
    offices: list[str] | None  # None: every office
    min_count: int
    rows: list[StatisticsRow]


def parse_month(field: str, text: str) -> date:
    """Read YYYY-MM as the first day of that month, or raise Invalid naming the field."""
    found = MONTH.match(text)
    if found is None:
        raise Invalid(field, "A month is written YYYY-MM, for example 2026-03.").coded(
            "month_format"
        )
    year, month = int(found.group(1)), int(found.group(2))
    if not FIRST_YEAR <= year < LAST_YEAR:
        raise Invalid(field, f"Months fall between {FIRST_YEAR} and {LAST_YEAR - 1}.").coded(
            "month_years", first=FIRST_YEAR, last=LAST_YEAR - 1
        )
    return date(year, month, 1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_bounds(first: date, last: date) -> list[tuple[str, datetime, datetime]]:
    """Return each month's label and its UTC start and end, Europe/Sofia midnight to midnight."""
    if last < first:
        raise Invalid("to", "The last month comes before the first.").coded("months_reversed")
    months = []
    day = first
    while day <= last:
        following = _next_month(day)
        months.append(
            (day.strftime("%Y-%m"), sofia_instant(day, time()), sofia_instant(following, time()))
        )
        day = following
    if len(months) > MAX_MONTHS:
        raise Invalid("to", f"At most {MAX_MONTHS} months at once.").coded(
            "months_too_many", count=MAX_MONTHS
        )
    return months


def statistics_offices(session: Session, scope: Scope, office: str | None) -> list[str] | None:
    """Return the offices to count (None: all) within what `scope` lets the caller see."""
    if office is not None:
        if session.scalar(select(Office.id).where(Office.code == office)) is None:
            raise Invalid("office", f"No office with code {office!r}.").coded("office_not_offered")
        return [office]
    return None if scope.everything else sorted(scope.offices)


def _month_of(column: Any, months: list[tuple[str, datetime, datetime]]) -> ColumnElement[Any]:
    """A CASE mapping an instant to its Sofia month label: portable, and right across DST."""
    return case(*[(column < end, label) for label, _, end in months])


def _speciality() -> ColumnElement[Any]:
    """The counselling speciality of a booking when its counsellors have exactly one."""
    one = (
        select(
            case(
                (
                    func.count(distinct(ResourceSpeciality.speciality)) == 1,
                    func.min(ResourceSpeciality.speciality),
                )
            )
        )
        .join(Hold, Hold.resource_id == ResourceSpeciality.resource_id)
        .where(Hold.booking_id == Booking.id)
        .correlate(Booking)
        .scalar_subquery()
    )
    return case((Booking.type == "counselling", one))


def _hours(session: Session) -> ColumnElement[Any]:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", Booking.ends_at - Booking.starts_at) / 3600.0
    return (func.julianday(Booking.ends_at) - func.julianday(Booking.starts_at)) * 24.0


def _keyed(
    months: list[tuple[str, datetime, datetime]],
    offices: Any,
    instant: Any,
    language: Any,
    *columns: ColumnElement[Any],
) -> Select[Any]:
    """Select the KEY columns and `columns`, where `instant` falls in the months and offices.

    The month is the Sofia month of `instant` and the language is `language`; office, service
    type and speciality are the booking's, so the caller joins Booking and Office.
    """
    query = select(
        _month_of(instant, months).label("month"),
        Office.code.label("office"),
        Booking.type.label("service_type"),
        _speciality().label("speciality"),
        language.label("language"),
        *columns,
    ).where(instant >= months[0][1], instant < months[-1][2])
    if offices is not None:
        query = query.where(Office.code.in_(offices))
    return query


def _booking_rows(
    session: Session, months: list[tuple[str, datetime, datetime]], offices: Any
) -> Iterable[Any]:
    languages = union(
        select(BookingBeneficiary.booking_id, Beneficiary.language).join(
            Beneficiary, Beneficiary.id == BookingBeneficiary.beneficiary_id
        ),
        select(Attendance.booking_id, Beneficiary.language).join(
            Beneficiary, Beneficiary.id == Attendance.beneficiary_id
        ),
    ).subquery()
    inner = (
        _keyed(
            months,
            offices,
            Booking.starts_at,
            languages.c.language,
            Booking.status.label("status"),
            _hours(session).label("hours"),
        )
        .select_from(Booking)
        .outerjoin(Office, Office.id == Booking.office_id)
        .outerjoin(languages, languages.c.booking_id == Booking.id)
        .where(Booking.status != "cancelled")
        .subquery()
    )
    key = [inner.c[name] for name in KEY]
    interpretation = case((inner.c.service_type == "interpretation", inner.c.hours), else_=0)
    return session.execute(
        select(
            *key,
            func.count().label("bookings"),
            func.sum(case((inner.c.status == "no_show", 1), else_=0)).label("no_shows"),
            func.sum(interpretation).label("interpretation_hours"),
        ).group_by(*key)
    )


def _attendance_rows(
    session: Session, months: list[tuple[str, datetime, datetime]], offices: Any
) -> Iterable[Any]:
    inner = (
        _keyed(
            months, offices, Booking.starts_at, Beneficiary.language, Attendance.mark.label("mark")
        )
        .select_from(Attendance)
        .join(Booking, Booking.id == Attendance.booking_id)
        .join(Beneficiary, Beneficiary.id == Attendance.beneficiary_id)
        .outerjoin(Office, Office.id == Booking.office_id)
        .subquery()
    )
    key = [inner.c[name] for name in KEY]
    marks = [
        func.sum(case((inner.c.mark == name, 1), else_=0)).label(name)
        for name in ("present", "absent", "excused")
    ]
    return session.execute(select(*key, *marks).group_by(*key))


def _message_rows(
    session: Session, months: list[tuple[str, datetime, datetime]], offices: Any
) -> Iterable[Any]:
    inner = (
        _keyed(months, offices, OutboxMessage.sent_at, OutboxMessage.language)
        .select_from(OutboxMessage)
        .outerjoin(Booking, Booking.id == OutboxMessage.booking_id)
        .outerjoin(Office, Office.id == Booking.office_id)
        .where(OutboxMessage.status.in_(SENT))
        .subquery()
    )
    key = [inner.c[name] for name in KEY]
    return session.execute(select(*key, func.count().label("messages_sent")).group_by(*key))


def _mask(row: StatisticsRow, min_count: int) -> StatisticsRow:
    for name in COUNTS:
        value = getattr(row, name)
        if value is not None and 0 < value < min_count:
            setattr(row, name, None)
    if row.bookings is None:
        row.interpretation_hours = None
    return row


def _tells_something(row: StatisticsRow) -> bool:
    """Whether a masked row still shows a count: one that is neither masked nor zero.

    A row exists only because one of its counts is positive, so a row whose counts are all
    masked or zero says only "a few of these happened": the very thing masking hides.
    """
    return any(getattr(row, name) for name in COUNTS)


def compute_statistics(
    session: Session,
    first: date,
    last: date,
    offices: Collection[str] | None,
    min_count: int,
) -> Statistics:
    """Count bookings, hours, attendance, no-shows and SMS per month, office, service, language."""
    months = month_bounds(first, last)
    rows: dict[tuple[Any, ...], StatisticsRow] = {}

    def row_of(found: Any) -> StatisticsRow:
        key = tuple(getattr(found, name) for name in KEY)
        if key not in rows:
            rows[key] = StatisticsRow(*key)
        return rows[key]

    for found in _booking_rows(session, months, offices):
        row = row_of(found)
        row.bookings, row.no_shows = int(found.bookings), int(found.no_shows or 0)
        row.interpretation_hours = round(float(found.interpretation_hours or 0), 2)
    for found in _attendance_rows(session, months, offices):
        row = row_of(found)
        row.present, row.absent = int(found.present or 0), int(found.absent or 0)
        row.excused = int(found.excused or 0)
    for found in _message_rows(session, months, offices):
        row_of(found).messages_sent = int(found.messages_sent)
    ordered = sorted(rows.values(), key=lambda r: tuple(str(getattr(r, k) or "") for k in KEY))
    return Statistics(
        first=months[0][0],
        last=months[-1][0],
        offices=sorted(offices) if offices is not None else None,
        min_count=min_count,
        rows=[row for row in (_mask(r, min_count) for r in ordered) if _tells_something(row)],
    )


@dataclass(frozen=True)
class MonthLanguage:
    month: str
    language: str | None
    bookings: int


def bookings_by_month_and_language(
    session: Session,
    first: date,
    last: date,
    offices: Collection[str] | None,
    min_count: int,
) -> list[MonthLanguage]:
    """Count bookings per Sofia month and language (as `compute_statistics` counts them).

    A pair counted from 1 to `min_count - 1` is left out, as a masked row would be.
    """
    months = month_bounds(first, last)
    totals: dict[tuple[str, str | None], int] = {}
    for found in _booking_rows(session, months, offices):
        key = (found.month, found.language)
        totals[key] = totals.get(key, 0) + int(found.bookings)
    return [
        MonthLanguage(month, language, count)
        for (month, language), count in sorted(
            totals.items(), key=lambda i: (i[0][0], i[0][1] or "")
        )
        if count >= min_count
    ]
