"""What the access policy is told about each kind of object, read from loaded models.

Kept apart from `service.access.access_policy` so that the policy stays pure: these functions read
an object's offices, people and beneficiaries (with a query where the model does not hold
them) and hand them over as `Facts`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.access.access_policy import Facts
from service.directory import reference_cache
from service.models import (
    Beneficiary,
    Booking,
    Enrolment,
    Feed,
    Office,
    OutboxMessage,
    Resource,
    Series,
    SmsReply,
)
from service.models import beneficiary_offices as membership


def person_ids(session: Session, resource_ids: Iterable[int]) -> frozenset[int]:
    """Return those of `resource_ids` that are people (interpreters, counsellors, teachers)."""
    ids = list(resource_ids)
    if not ids:
        return frozenset()
    return reference_cache.person_ids(session, ids)


def booking_facts(session: Session, booking: Booking) -> Facts:
    return Facts.of(
        offices=[booking.office_code],
        people=person_ids(session, booking.resource_ids),
        beneficiaries=len(booking.attendee_rows),
        public=booking.public,
    )


def booking_request_facts(
    session: Session, office: str | None, resource_ids: Iterable[int], beneficiaries: int
) -> Facts:
    """Describe a booking about to be made (or a change to one) as the policy sees it."""
    return Facts.of(
        offices=[office],
        people=person_ids(session, resource_ids),
        beneficiaries=beneficiaries,
    )


def series_facts(session: Session, series: Series) -> Facts:
    enrolled = session.scalar(
        select(func.count(Enrolment.id)).where(Enrolment.series_id == series.id)
    )
    return Facts.of(
        offices=[series.office_code],
        people=person_ids(session, series.resource_ids),
        beneficiaries=enrolled or 0,
        public=series.public,
    )


def beneficiary_facts(beneficiary: Beneficiary) -> Facts:
    return Facts.of(offices=beneficiary.office_codes, beneficiaries=1)


def beneficiary_offices(session: Session, beneficiary_id: int | None) -> list[str]:
    if beneficiary_id is None:
        return []
    return list(
        session.scalars(
            select(Office.code)
            .join(membership, membership.c.office_id == Office.id)
            .where(membership.c.beneficiary_id == beneficiary_id)
        )
    )


def resource_facts(resource: Resource) -> Facts:
    return Facts.of(
        offices=resource.office_codes, people=[resource.id] if resource.is_person else []
    )


def feed_facts(session: Session, feed: Feed) -> Facts:
    people: list[int] = []
    office = session.get(Office, feed.office_id) if feed.office_id is not None else None
    offices: list[str | None] = [office.code if office is not None else None]
    if feed.kind == "resource" and feed.resource_id is not None:
        resource = session.get(Resource, feed.resource_id)
        people = [feed.resource_id]
        offices = list(resource.office_codes) if resource is not None else []
    return Facts.of(offices=offices, people=people, public=feed.kind == "public")


def notification_facts(session: Session, message: OutboxMessage) -> Facts:
    """An SMS is seen by who sees both its booking's office and its beneficiary."""
    booking = session.get(Booking, message.booking_id) if message.booking_id else None
    offices: set[str | None] = {booking.office_code} if booking is not None else set()
    if message.beneficiary_id is not None:
        belongs: set[str | None] = set(beneficiary_offices(session, message.beneficiary_id))
        offices = offices & belongs if booking is not None else belongs
    return Facts.of(offices=offices, beneficiaries=1 if message.beneficiary_id else 0)


def reply_facts(session: Session, reply: SmsReply) -> Facts:
    return Facts.of(offices=beneficiary_offices(session, reply.beneficiary_id), beneficiaries=1)
