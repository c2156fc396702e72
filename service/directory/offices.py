"""Office operations: look up by code, add and remove custom closure days."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from service.booking.calendar_rules import public_holiday
from service.models import Closure, Office
from service.plumbing.errors import Conflict, Invalid, NotFound


def find_office(session: Session, code: str) -> Office:
    office = session.scalar(
        select(Office)
        .where(Office.code == code)
        .options(selectinload(Office.opening_hours), selectinload(Office.closures))
    )
    if office is None:
        raise NotFound(f"No office with code {code!r}.").coded("office_unknown", office=code)
    return office


def add_closure(session: Session, office: Office, day: date, reason: str) -> Closure:
    """Close an office for a day besides the public holidays (staff training, a strike...)."""
    if not reason.strip():
        raise Invalid("reason", "Say why the office is closed.").coded("closure_reason_missing")
    holiday = public_holiday(day)
    if holiday:
        raise Invalid("day", f"{day.isoformat()} is already a public holiday ({holiday}).").coded(
            "closure_on_holiday", day=day, holiday=holiday
        )
    if any(c.day == day for c in office.closures):
        raise Conflict(f"The {office.code} office is already closed on {day.isoformat()}.").coded(
            "closure_exists", office=office.code, day=day
        )
    closure = Closure(office=office, day=day, reason=reason.strip())
    session.add(closure)
    session.flush()
    return closure


def remove_closure(session: Session, office: Office, day: date) -> None:
    closure = next((c for c in office.closures if c.day == day), None)
    if closure is None:
        raise NotFound(f"The {office.code} office has no closure on {day.isoformat()}.").coded(
            "closure_unknown", office=office.code, day=day
        )
    office.closures.remove(closure)
    session.flush()
