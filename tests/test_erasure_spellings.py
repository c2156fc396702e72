"""Erasure finds the person's numbers and reference however they were typed, wherever."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service.booking.audit import record_change
from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.models import AuditEntry, Booking, Closure, Series, SmsReply
from service.notify.inbound import handle_inbound
from service.plumbing.clock import utcnow
from service.privacy.redaction import Secrets
from tests.feed_helpers import fetch, next_working_day, series_start, subscribe, working_day
from tests.test_series import create, series_body

REFERENCE = "AB-123"
PHONE = "+359887123456"
DIGITS = "887123456"
OTHER_PHONE = "+359899000111"  # the sibling's, which stays
SPELLINGS = [
    "0887 123 45 6",
    "0887-123-456",
    "(0887) 123456",
    "+359 887 123 456",
    "00359887123456",
    "0887123456",
    "ab-123",  # the reference in lower case
    "Ab-123",  # and in mixed case
]


@pytest.mark.parametrize("spelled", SPELLINGS)
def test_secrets_find_every_spelling(spelled):
    secrets = Secrets.of({PHONE}, REFERENCE)
    redacted = secrets.redact(f"Call {spelled} (tel:{spelled}) before 10:00; not 0899 000 111.")
    assert spelled.casefold() not in redacted.casefold()
    assert DIGITS not in re.sub(r"\D", "", redacted)
    assert redacted.count("[erased]") == 2
    assert "0899 000 111" in redacted and "10:00" in redacted


def test_secrets_leave_other_numbers_and_references_alone():
    secrets = Secrets.of({PHONE}, REFERENCE)
    for text in ("0887 123 457", "+359 887 123 4567", "AB-124", "BG-2026-887123"):
        assert secrets.redact(text) == text


def shown(text: str | None) -> str:
    return (text or "").casefold()


@pytest.mark.parametrize("spelled", SPELLINGS)
def test_erasure_removes_every_spelling_from_every_text(client, session, factory, admin, spelled):
    person = factory.beneficiary(
        case_reference=REFERENCE, language="fa", phone=PHONE, sms_consent=True
    )
    sister = factory.beneficiary(language="fa", phone=OTHER_PHONE, sms_consent=True)
    text = f"Ask for {spelled}; the sister is on {OTHER_PHONE}"
    interpreter = factory.interpreter("fa")
    day = working_day(10)
    elsewhere_day = next_working_day(day)  # Harmanli: not the day of the Sofia bookings
    # Rows of another beneficiary, where a coordinator copied the person's number or reference.
    noted = factory.booking([interpreter], day, beneficiary_ids=[sister.id], notes=text)
    dialled = factory.booking(
        [interpreter],
        day.replace(hour=12),
        beneficiary_ids=[sister.id],
        modality="phone",
        remote_link="tel:+359888000111",
    )
    # Stored before links were checked (or spelled as a person typed it elsewhere).
    dialled.remote_link = f"tel:{spelled}"
    session.commit()
    cancelled = factory.booking([interpreter], day.replace(hour=14), beneficiary_ids=[sister.id])
    answer = client.post(
        f"/api/v1/bookings/{cancelled.id}/cancel", json={"reason": text}, headers=admin
    )
    assert answer.status_code == 200, answer.json
    placed = create_booking(
        session,
        BookingRequest(
            type="interpretation",
            starts_at=elsewhere_day,
            ends_at=elsewhere_day.replace(hour=11),
            resource_ids=[interpreter.id],
            location=f"Harmanli camp, {text}",
        ),
        Actor("tests"),
        BookingPolicy(),
    )
    closure = factory.closure("sofia", working_day(40).date(), reason=text[:200])
    course = create(
        client,
        admin,
        series_body(
            [factory.room("sofia").id],
            start=series_start(20, occurrences=2, every_days=7, hour=14),
            description=text,
            rrule="FREQ=WEEKLY;COUNT=2",
        ),
    )
    assert course.status_code == 201, course.json
    handle_inbound(session, phone=OTHER_PHONE, body=text, message_sid="SM9", now=utcnow())
    record_change(
        session,
        actor="coordinator",
        action="update",
        entity="booking",
        entity_id=noted.id,
        before={"notes": text},
        after={"notes": None},
    )
    session.commit()
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full", locale="en")
    before = fetch(client, feed)
    if not spelled[0].isdigit() and spelled[0] not in "+(":
        assert spelled.casefold() in shown(before.data.decode().replace("\r\n ", ""))

    erased = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    assert erased.status_code == 200, erased.json
    session.expire_all()
    texts = {
        "notes": session.get(Booking, noted.id).notes,
        "dial-in link": session.get(Booking, dialled.id).remote_link,
        "cancel reason": session.get(Booking, cancelled.id).cancel_reason,
        "location": session.get(Booking, placed.id).location,
        "closure": session.get(Closure, closure.id).reason,
        "series description": session.get(Series, course.json["id"]).description,
        "reply body": session.scalar(
            select(SmsReply.body).where(SmsReply.from_phone == OTHER_PHONE)
        ),
        "audit image": str(
            session.scalar(
                select(AuditEntry.before).where(
                    AuditEntry.entity == "booking",
                    AuditEntry.entity_id == noted.id,
                    AuditEntry.action == "update",
                )
            )
        ),
    }
    for place, value in texts.items():
        assert "[erased]" in (value or ""), (place, value)
        assert spelled.casefold() not in shown(value), (place, value)
        assert DIGITS not in re.sub(r"\D", "", value or ""), (place, value)
        assert "ab123" not in re.sub(r"[^a-z0-9]", "", shown(value)), (place, value)
        if place != "dial-in link":
            assert OTHER_PHONE in value, (place, value)  # the sister's number is hers
    after = fetch(client, feed, If_None_Match=before.headers["ETag"])
    assert after.status_code == 200  # the re-rendered feed is fetched again
    body = after.data.decode().replace("\r\n ", "")
    assert spelled.casefold() not in body.casefold()
    assert "ab123" not in re.sub(r"[^a-z0-9]", "", body.casefold())
    assert "[erased]" in body  # the notes of the sister's booking were rendered again
