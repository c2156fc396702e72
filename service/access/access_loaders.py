"""Load an object only as far as the caller may act on it, for the API and the console alike.

Each loader asks `service.access.access_policy` with the object's facts and raises NotFound for what
the caller may not see, Forbidden for what they may see but not change.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.access_facts import (
    beneficiary_facts,
    booking_facts,
    notification_facts,
    series_facts,
)
from service.access.access_policy import Action, Facts, Kind, allows, list_scope, require
from service.access.auth import Principal
from service.booking import bookings
from service.directory.beneficiaries import get_by_case_reference
from service.models import Beneficiary, Booking, OutboxMessage, Series
from service.plumbing.errors import Invalid, NotFound
from service.series import series as series_ops


def _guard(
    principal: Principal, action: Action, kind: Kind, facts: Facts | None, missing: str
) -> None:
    """Refuse what the role may never do (403), an absent or unseen object (404), else 403."""
    require(principal, action, kind)
    if facts is None:
        raise NotFound(missing)
    require(principal, action, kind, facts, missing=missing)


def load_booking(
    session: Session, principal: Principal, booking_id: int, action: Action
) -> Booking:
    booking = session.get(Booking, booking_id)
    facts = booking_facts(session, booking) if booking is not None else None
    _guard(principal, action, Kind.BOOKING, facts, f"No booking with id {booking_id}.")
    return bookings.get_booking(session, booking_id)


def load_series(session: Session, principal: Principal, series_id: int, action: Action) -> Series:
    series = session.get(Series, series_id)
    facts = series_facts(session, series) if series is not None else None
    _guard(principal, action, Kind.SERIES, facts, f"No series with id {series_id}.")
    return series_ops.get_series(session, series_id)


def load_beneficiary(
    session: Session, principal: Principal, beneficiary_id: int, action: Action
) -> Beneficiary:
    beneficiary = session.get(Beneficiary, beneficiary_id)
    facts = beneficiary_facts(beneficiary) if beneficiary is not None else None
    _guard(principal, action, Kind.BENEFICIARY, facts, f"No beneficiary with id {beneficiary_id}.")
    assert beneficiary is not None  # _guard raised NotFound otherwise
    return beneficiary


def load_needs_of(
    session: Session, principal: Principal, beneficiary_id: int, action: Action
) -> Beneficiary:
    """Load a beneficiary whose interpreter needs the caller may read or change.

    Who may not answers not found, whatever their role: protection data is never confirmed
    to exist, not even by a refusal.
    """
    beneficiary = session.get(Beneficiary, beneficiary_id)
    facts = beneficiary_facts(beneficiary) if beneficiary is not None else None
    if beneficiary is None or not allows(principal, action, Kind.NEEDS, facts):
        raise NotFound(f"No beneficiary with id {beneficiary_id}.")
    return beneficiary


def load_message(session: Session, principal: Principal, outbox_id: int) -> OutboxMessage:
    """Load an SMS to act on: its booking's office and its beneficiary both in scope."""
    message = session.get(OutboxMessage, outbox_id)
    facts = notification_facts(session, message) if message is not None else None
    _guard(
        principal, Action.CHANGE, Kind.NOTIFICATION, facts, f"No notification with id {outbox_id}."
    )
    assert message is not None  # _guard raised NotFound otherwise
    return message


def find_beneficiary(session: Session, principal: Principal, case_reference: str) -> Beneficiary:
    """Find a beneficiary by case reference among those the principal may see; any other
    reference is answered as unknown (Invalid on `case_reference`)."""
    if not allows(principal, Action.LIST, Kind.BENEFICIARY):
        raise Invalid("case_reference", "You may not book or enrol beneficiaries.").coded(
            "may_not_book_beneficiaries"
        )
    scope = list_scope(principal, Kind.BENEFICIARY)
    offices = None if scope.everything else scope.offices
    return get_by_case_reference(session, case_reference, offices)


def check_beneficiaries(
    session: Session, principal: Principal, beneficiary_ids: Iterable[int], field: str
) -> dict[int, Beneficiary]:
    """Refuse beneficiaries the caller may not see as if they did not exist (422 on `field`);
    return those that exist, by id, loaded with what a booking reads of them."""
    ids = list(beneficiary_ids)
    if not ids:
        return {}
    # One round trip for all of them and their offices, which the policy looks at, with what
    # a booking of them reads next (bookings.load_beneficiaries does not read them again).
    found = {
        beneficiary.id: beneficiary
        for beneficiary in session.scalars(
            select(Beneficiary).where(Beneficiary.id.in_(ids)).options(*bookings.WITH_BOOKING_FACTS)
        ).unique()
    }
    for beneficiary_id in ids:
        beneficiary = found.get(beneficiary_id)
        # One that does not exist is refused by the domain with the same words.
        if beneficiary is not None and not allows(
            principal, Action.READ, Kind.BENEFICIARY, beneficiary_facts(beneficiary)
        ):
            raise Invalid(field, f"No beneficiary with id {beneficiary_id}.").coded(
                "beneficiary_unknown_id"
            )
    return found
