"""The interpreters' month: hours and sessions per interpreter, by booking type and office.

For paying freelance interpreters and for their wellbeing (who carried the most trauma
sessions). It names interpreters and offices only, never a beneficiary or a booking.

Definitions:
- month: a Europe/Sofia calendar month, midnight to midnight (a DST month is an hour shorter
  or longer in UTC);
- counted: the holds of bookings that are not cancelled: tentative, confirmed, completed and
  no_show. A no-show counts, for payment and towards the limits, as the hour limits count it:
  the interpreter came and waited; its sessions are also counted apart as `no_shows`;
- hours: the time held inside the month, so a session crossing midnight at the month's end is
  split between the two months; a *session* counts in the month it starts;
- limited: the booking types the interpreter's own hour limits count (their `limited_types`,
  else the settings' INTERPRETER_LIMITED_TYPES, by default counselling); `limited_share` is the
  interpreter's part of the limited hours of every interpreter in the report;
- which interpreters: those who work at one of the offices asked (or held a session there that
  month), and their whole month, at every office, since pay and wellbeing concern all of it.
  Active interpreters without a session are listed with zeros, for fairness.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql.elements import ColumnElement

from service.access.access_policy import Scope
from service.models import Booking, Hold, Office, Resource
from service.models.booking import HOLDING_STATUSES
from service.plumbing.columns import UTCDateTime
from service.plumbing.errors import Invalid
from service.reporting.statistics import month_bounds


@dataclass(frozen=True)
class Cell:
    """One interpreter's sessions of one type at one office (None: no office) in the month."""

    office: str | None
    type: str
    limited: bool
    sessions: int
    no_shows: int
    hours: float


@dataclass(frozen=True)
class Tally:
    """Sessions and hours of a slice of an interpreter's month: a type or an office."""

    key: str | None
    sessions: int
    no_shows: int
    hours: float


@dataclass
class InterpreterMonth:
    resource_id: int
    name: str
    offices: list[str]
    limited_types: list[str]
    cells: list[Cell] = field(default_factory=list)
    limited_share: float | None = None

    @property
    def sessions(self) -> int:
        return sum(c.sessions for c in self.cells)

    @property
    def no_shows(self) -> int:
        return sum(c.no_shows for c in self.cells)

    @property
    def hours(self) -> float:
        return round(sum(c.hours for c in self.cells), 2)

    @property
    def limited_sessions(self) -> int:
        return sum(c.sessions for c in self.cells if c.limited)

    @property
    def limited_hours(self) -> float:
        return round(sum(c.hours for c in self.cells if c.limited), 2)

    @property
    def other_hours(self) -> float:
        return round(sum(c.hours for c in self.cells if not c.limited), 2)

    @property
    def by_type(self) -> list[Tally]:
        return _tally(self.cells, lambda c: c.type)

    @property
    def by_office(self) -> list[Tally]:
        return _tally(self.cells, lambda c: c.office)


@dataclass(frozen=True)
class InterpretersMonth:
    month: str
    offices: list[str] | None  # None: every office
    limited_hours: float
    interpreters: list[InterpreterMonth]


def _tally(cells: Iterable[Cell], key: Any) -> list[Tally]:
    sums: dict[str | None, list[float]] = defaultdict(lambda: [0, 0, 0.0])
    for cell in cells:
        slot = sums[key(cell)]
        slot[0] += cell.sessions
        slot[1] += cell.no_shows
        slot[2] += cell.hours
    return [
        Tally(k, int(v[0]), int(v[1]), round(v[2], 2))
        for k, v in sorted(sums.items(), key=lambda item: item[0] or "")
    ]


def month_offices(session: Session, scope: Scope, office: str | None) -> list[str] | None:
    """Return the offices whose interpreters to show (None: all), within `scope`."""
    if office is not None:
        if session.scalar(select(Office.id).where(Office.code == office)) is None:
            raise Invalid("office", f"No office with code {office!r}.").coded("office_not_offered")
        return [office]
    if scope.everything or scope.person is not None:
        return None
    return sorted(scope.offices)


def _at(instant: datetime) -> ColumnElement[Any]:
    return literal(instant, UTCDateTime())


def _hours(session: Session, start: datetime, end: datetime) -> ColumnElement[Any]:
    """The hours of a hold inside [start, end): clipped at both ends."""
    since = case((Hold.starts_at < _at(start), _at(start)), else_=Hold.starts_at)
    until = case((Hold.ends_at > _at(end), _at(end)), else_=Hold.ends_at)
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", until - since) / 3600.0
    return (func.julianday(until) - func.julianday(since)) * 24.0


def _cells(session: Session, start: datetime, end: datetime, person: int | None) -> Iterable[Any]:
    """Sum, in one grouped query, each interpreter's sessions per booking type and office."""
    started = Hold.starts_at >= _at(start)
    query = (
        select(
            Hold.resource_id,
            Booking.type,
            Office.code.label("office"),
            func.sum(case((started, 1), else_=0)).label("sessions"),
            func.sum(case((started & (Booking.status == "no_show"), 1), else_=0)).label("no_shows"),
            func.sum(_hours(session, start, end)).label("hours"),
        )
        .join(Booking, Booking.id == Hold.booking_id)
        .join(Resource, Resource.id == Hold.resource_id)
        .outerjoin(Office, Office.id == Booking.office_id)
        .where(
            Resource.kind == "interpreter",
            Hold.active.is_(True),
            Booking.status.in_(HOLDING_STATUSES),
            Hold.starts_at < _at(end),
            Hold.ends_at > _at(start),
        )
        .group_by(Hold.resource_id, Booking.type, Office.code)
    )
    if person is not None:
        query = query.where(Hold.resource_id == person)
    return session.execute(query)


def _interpreters(
    session: Session, ids: Collection[int], offices: list[str] | None, person: int | None
) -> list[Resource]:
    """The interpreters with sessions, and the active ones of `offices`, with their offices."""
    works_here: ColumnElement[bool] = Resource.active.is_(True)
    if offices is not None:
        works_here = works_here & Resource.offices.any(Office.code.in_(offices))
    query = (
        select(Resource)
        .where(Resource.kind == "interpreter", or_(Resource.id.in_(sorted(ids)), works_here))
        .options(selectinload(Resource.offices))
        .order_by(Resource.name, Resource.id)
    )
    if person is not None:
        query = query.where(Resource.id == person)
    return list(session.scalars(query))


def interpreters_month(
    session: Session,
    month: date,
    offices: list[str] | None,
    default_limited: Collection[str],
    *,
    person: int | None = None,
) -> InterpretersMonth:
    """Report each interpreter's month: sessions and hours by type and office, limited apart.

    `offices` (None: all) chooses the interpreters; `person` narrows to one interpreter.
    """
    ((label, start, end),) = month_bounds(month, month)
    found: dict[int, list[Any]] = defaultdict(list)
    for row in _cells(session, start, end, person):
        found[row.resource_id].append(row)
    report = []
    for resource in _interpreters(session, found, offices, person):
        rows = found.get(resource.id, [])
        if offices is not None and not _belongs(resource, rows, offices):
            continue
        limited = resource.limited_type_list
        limited_types = sorted(default_limited if limited is None else limited)
        cells = [
            Cell(
                office=row.office,
                type=row.type,
                limited=row.type in limited_types,
                sessions=int(row.sessions or 0),
                no_shows=int(row.no_shows or 0),
                hours=round(float(row.hours or 0), 2),
            )
            for row in sorted(rows, key=lambda r: (r.office or "", r.type))
        ]
        report.append(
            InterpreterMonth(
                resource.id, resource.name, resource.office_codes, limited_types, cells
            )
        )
    total = round(sum(i.limited_hours for i in report), 2)
    for interpreter in report:
        interpreter.limited_share = round(interpreter.limited_hours / total, 3) if total else None
    return InterpretersMonth(label, offices, total, report)


def _belongs(resource: Resource, rows: list[Any], offices: list[str]) -> bool:
    """Whether the interpreter works at one of `offices` or held a session there this month."""
    places = set(resource.office_codes) | {row.office for row in rows}
    return bool(places & set(offices))
