"""The access policy's list scopes as SQL conditions, one per kind that is listed."""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.sql.expression import false

from service.access.access_policy import Scope
from service.models import (
    Beneficiary,
    Booking,
    Hold,
    Office,
    OutboxMessage,
    Series,
    SmsReply,
    TimeOff,
    beneficiary_offices,
)
from service.models.resource import resource_offices


def _members_of(offices: frozenset[str]) -> object:
    return (
        select(beneficiary_offices.c.beneficiary_id)
        .join(Office, Office.id == beneficiary_offices.c.office_id)
        .where(Office.code.in_(sorted(offices)))
    )


def beneficiaries_in(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.offices:
        return Beneficiary.offices.any(Office.code.in_(sorted(scope.offices)))
    return false()


def bookings_in(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.offices:
        return Booking.office.has(Office.code.in_(sorted(scope.offices)))
    if scope.person is not None:
        return Booking.holds.any(Hold.resource_id == scope.person)
    return false()


def series_in(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.offices:
        return Series.office_id.in_(select(Office.id).where(Office.code.in_(sorted(scope.offices))))
    if scope.person is not None:
        return Series.id.in_(
            select(Booking.series_id).join(Booking.holds).where(Hold.resource_id == scope.person)
        )
    return false()


def messages_in(scope: Scope) -> ColumnElement[bool]:
    """SMS of bookings at the scope's offices, to beneficiaries of those offices (or staff)."""
    if scope.everything:
        return true()
    if scope.offices:
        at_offices = (
            select(Booking.id).join(Booking.office).where(Office.code.in_(sorted(scope.offices)))
        )
        return OutboxMessage.booking_id.in_(at_offices) & or_(
            OutboxMessage.beneficiary_id.is_(None),
            OutboxMessage.beneficiary_id.in_(_members_of(scope.offices)),  # type: ignore[arg-type]
        )
    return false()


def replies_in(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.offices:
        return SmsReply.beneficiary_id.in_(_members_of(scope.offices))  # type: ignore[arg-type]
    return false()


def time_off_in(scope: Scope) -> ColumnElement[bool]:
    if scope.everything:
        return true()
    if scope.offices:
        working_there = (
            select(resource_offices.c.resource_id)
            .join(Office, Office.id == resource_offices.c.office_id)
            .where(Office.code.in_(sorted(scope.offices)))
        )
        return TimeOff.resource_id.in_(working_there)
    if scope.person is not None:
        return TimeOff.resource_id == scope.person
    return false()
