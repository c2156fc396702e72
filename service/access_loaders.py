"""Load an object only as far as the caller may act on it, for the API and the console alike.

Each loader asks `service.access_policy` with the object's facts and raises NotFound for what
the caller may not see, Forbidden for what they may see but not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from service import bookings
from service import series as series_ops
from service.access_facts import (
    beneficiary_facts,
    booking_facts,
    notification_facts,
    series_facts,
)
from service.access_policy import Action, Facts, Kind, allows, list_scope, require, sees_details
from service.auth import Principal
from service.beneficiaries import get_by_case_reference
from service.errors import Invalid, NotFound
from service.models import Beneficiary, Booking, OutboxMessage, Series


def load_booking(
    session: Session, principal: Principal, booking_id: int, action: Action
) -> Booking:
    require(principal, action, Kind.BOOKING)
    missing = f"No booking with id {booking_id}."
    booking = session.get(Booking, booking_id)
    facts = booking_facts(session, booking) if booking is not None else Facts()
    require(principal, action, Kind.BOOKING, facts, missing=missing)
    return bookings.get_booking(session, booking_id)


def load_series(session: Session, principal: Principal, series_id: int, action: Action) -> Series:
    require(principal, action, Kind.SERIES)
    missing = f"No series with id {series_id}."
    series = session.get(Series, series_id)
    facts = series_facts(session, series) if series is not None else Facts()
    require(principal, action, Kind.SERIES, facts, missing=missing)
    return series_ops.get_series(session, series_id)


def load_beneficiary(
    session: Session, principal: Principal, beneficiary_id: int, action: Action
) -> Beneficiary:
    require(principal, action, Kind.BENEFICIARY)
    beneficiary = session.get(Beneficiary, beneficiary_id)
    missing = f"No beneficiary with id {beneficiary_id}."
    if beneficiary is None:
        raise NotFound(missing)
    require(principal, action, Kind.BENEFICIARY, beneficiary_facts(beneficiary), missing=missing)
    return beneficiary


def load_message(session: Session, principal: Principal, outbox_id: int) -> OutboxMessage:
    """Load an SMS to act on: its booking's office and its beneficiary both in scope."""
    require(principal, Action.CHANGE, Kind.NOTIFICATION)
    message = session.get(OutboxMessage, outbox_id)
    missing = f"No notification with id {outbox_id}."
    if message is None:
        raise NotFound(missing)
    facts = notification_facts(session, message)
    require(principal, Action.CHANGE, Kind.NOTIFICATION, facts, missing=missing)
    return message


def find_beneficiary(session: Session, principal: Principal, case_reference: str) -> Beneficiary:
    """Find a beneficiary by case reference among those the principal may see; any other
    reference is answered as unknown (Invalid on `case_reference`)."""
    if not allows(principal, Action.LIST, Kind.BENEFICIARY):
        raise Invalid("case_reference", "You may not book or enrol beneficiaries.")
    scope = list_scope(principal, Kind.BENEFICIARY)
    offices = None if scope.everything else scope.offices
    return get_by_case_reference(session, case_reference, offices)


def check_beneficiaries(
    session: Session, principal: Principal, beneficiary_ids: Iterable[int], field: str
) -> None:
    """Refuse beneficiaries the caller may not see as if they did not exist (422 on `field`)."""
    for beneficiary_id in beneficiary_ids:
        beneficiary = session.get(Beneficiary, beneficiary_id)
        facts = beneficiary_facts(beneficiary) if beneficiary is not None else Facts()
        try:
            require(principal, Action.READ, Kind.BENEFICIARY, facts)
        except Exception as refused:
            raise Invalid(field, f"No beneficiary with id {beneficiary_id}.") from refused


class Undisclosed:
    """A booking as shown to who may not see its notes and beneficiaries: those left out."""

    hidden: dict[str, Any] = {"notes": None, "beneficiary_ids": []}

    def __init__(self, booking: Booking) -> None:
        self._booking = booking

    def __getattr__(self, name: str) -> Any:
        if name in self.hidden:
            return self.hidden[name]
        return getattr(self._booking, name)


def shown(principal: Principal, booking: Booking) -> Booking | Undisclosed:
    """Return the booking whole, or without notes and beneficiaries, as the policy allows."""
    if sees_details(principal, Facts.of(offices=[booking.office_code])):
        return booking
    return Undisclosed(booking)
