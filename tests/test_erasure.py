"""Erasing a beneficiary: their reference and numbers are nowhere in the database afterwards."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.booking.audit import record_change
from service.models import (
    AuditEntry,
    Base,
    Beneficiary,
    Booking,
    ConsentEvent,
    Enrolment,
    FeedPiece,
    OutboxMessage,
    SmsReply,
)
from service.notify.inbound import handle_inbound
from service.plumbing.clock import utcnow
from service.plumbing.errors import InvalidTransition
from service.privacy.erasure import preview_erasure
from tests.feed_helpers import fetch, subscribe, working_day
from tests.test_series_enrolment import enrol_api, mark, past_course

REFERENCE = "BG-2026-77341"
PHONE = "+359888765432"
GUARDIAN = "+359877111222"
OTHER_PHONE = "+359899000111"


def dump(session: Session) -> str:
    """Every value of every text, binary and JSON column of every table, as one text."""
    session.flush()
    parts: list[str] = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for value in row:
                if isinstance(value, bytes):
                    parts.append(value.decode("utf-8").replace("\r\n ", ""))  # unfolded
                elif isinstance(value, dict | list):
                    parts.append(json.dumps(value, ensure_ascii=False))
                elif isinstance(value, str):
                    parts.append(value)
    return "\n".join(parts)


@pytest.fixture
def person(factory: Any) -> Beneficiary:
    return factory.beneficiary(
        case_reference=REFERENCE,
        language="fa",
        phone=PHONE,
        is_minor=True,
        guardian_phone=GUARDIAN,
        sms_consent=True,
    )


@pytest.fixture
def history(client, session, factory, admin, person) -> dict[str, Any]:
    """A beneficiary with bookings, SMS, a reply, consent history, audit rows and feeds."""
    for consent in (False, True):
        answer = client.patch(
            f"/api/v1/beneficiaries/{person.id}", json={"sms_consent": consent}, headers=admin
        )
        assert answer.status_code == 200
    interpreter = factory.interpreter("fa")
    future = factory.booking(
        [interpreter],
        working_day(10),
        beneficiary_ids=[person.id],
        notes=f"Case {REFERENCE}, call the guardian on {GUARDIAN} or 0877 111 222",
    )
    factory.booking(
        [factory.interpreter("fa")],
        working_day(10, 9),
        beneficiary_ids=[person.id],
        modality="phone",
        remote_link=f"tel:{PHONE}",
    )
    other = factory.beneficiary(language="fa", phone=OTHER_PHONE, sms_consent=True)
    shared = factory.booking(
        [factory.interpreter("fa")],
        working_day(10, 12),
        beneficiary_ids=[person.id, other.id],
        notes=f"Siblings; {REFERENCE} speaks for both",
    )
    cancelled = factory.booking([interpreter], working_day(10, 14), beneficiary_ids=[person.id])
    answer = client.post(
        f"/api/v1/bookings/{cancelled.id}/cancel",
        json={"reason": f"{REFERENCE} moved to Harmanli"},
        headers=admin,
    )
    assert answer.status_code == 200, answer.json
    handle_inbound(
        session, phone=GUARDIAN, body=f"Is {REFERENCE} booked?", message_sid="SM1", now=utcnow()
    )
    record_change(  # as an audited profile change would keep it, in a spelling not searched
        session,
        actor="coordinator",
        action="update",
        entity="beneficiary",
        entity_id=person.id,
        before={"guardian_phone": "00359 877 111 222"},
        after={"guardian_phone": None, "discreet": False},
    )
    series, held = past_course(client, factory, admin)
    assert enrol_api(client, admin, series["id"], person.id).status_code == 201
    assert mark(client, admin, series["id"], held[0]["id"], person.id, "present").status_code == 200
    session.commit()
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    return {"future": future, "shared": shared, "other": other, "feed": feed, "series": series}


def test_erasure_leaves_the_reference_and_numbers_nowhere(client, session, admin, person, history):
    before = dump(session)
    assert REFERENCE in before and PHONE in before and GUARDIAN in before  # the test can fail
    assert session.scalar(select(SmsReply.id).where(SmsReply.from_phone == GUARDIAN))
    feed_before = fetch(client, history["feed"])
    shown_before = feed_before.data.decode().replace("\r\n ", "")
    assert REFERENCE in shown_before and "/console/bookings/" in shown_before
    assert PHONE not in shown_before  # a phone booking links to its console page instead

    answer = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    assert answer.status_code == 200, answer.json
    after = dump(session)
    assert "00359 877 111 222" in before
    for secret in (REFERENCE, PHONE, GUARDIAN, "0877 111 222", "00359 877 111 222"):
        assert secret not in after
    assert OTHER_PHONE in after  # the sibling's number is theirs, and stays
    feed_after = fetch(client, history["feed"], If_None_Match=feed_before.headers["ETag"])
    assert feed_after.status_code == 200  # the counter moved, subscribers fetch again
    assert feed_after.headers["ETag"] != feed_before.headers["ETag"]
    body = feed_after.data.decode().replace("\r\n ", "")
    assert REFERENCE not in body and "заличени данни (fa)" in body  # the feed is in Bulgarian
    assert PHONE not in body and "/console/bookings/" in body
    counts = answer.json
    assert counts["beneficiary_id"] == person.id
    assert counts["enrolments_withdrawn"] == 1
    assert counts["replies_deleted"] == 1
    assert counts["consent_events_deleted"] == 3
    assert counts["messages_cancelled"] >= 1


def test_erasure_keeps_bookings_and_attendance_for_statistics(
    client, session, admin, person, history
):
    client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)
    session.expire_all()

    tombstone = session.get(Beneficiary, person.id)
    assert tombstone.case_reference == f"erased-{person.id}"
    assert (tombstone.phone, tombstone.guardian_phone, tombstone.sms_consent) == (None, None, False)
    assert tombstone.language == "fa" and tombstone.erased_at is not None
    assert person.id in session.get(Booking, history["future"].id).beneficiary_ids
    assert session.get(Booking, history["future"].id).notes is None  # about them alone
    shared_notes = session.get(Booking, history["shared"].id).notes
    assert shared_notes == "Siblings; [erased] speaks for both"
    enrolment = session.scalar(select(Enrolment).where(Enrolment.beneficiary_id == person.id))
    assert enrolment.status == "cancelled"
    assert not session.scalars(
        select(ConsentEvent).where(ConsentEvent.beneficiary_id == person.id)
    ).all()
    messages = session.scalars(
        select(OutboxMessage).where(OutboxMessage.beneficiary_id == person.id)
    ).all()
    assert messages and all(m.body is None and m.to is None for m in messages)
    assert {m.status for m in messages} <= {"cancelled", "sent", "delivered", "failed"}
    pieces = session.scalars(
        select(FeedPiece.body).where(
            FeedPiece.booking_id == history["future"].id, FeedPiece.privacy != "busy"
        )
    ).all()
    assert len(pieces) == 4  # full and limited, in Bulgarian and English
    shown = [p.decode().replace("\r\n ", "") for p in pieces]
    assert all("data erased (fa)" in p or "заличени данни (fa)" in p for p in shown)


def test_the_erasure_is_audited_without_personal_data(client, session, admin, person, history):
    client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    entry = session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "beneficiary", AuditEntry.action == "erase")
    )
    assert entry.entity_id == person.id
    assert entry.actor.startswith("admin")
    assert entry.after["erased_at"] and entry.after["replies_deleted"] == 1
    cancel = session.scalar(
        select(AuditEntry).where(AuditEntry.entity == "booking", AuditEntry.action == "cancel")
    )
    assert cancel.after["cancel_reason"] == "[erased] moved to Harmanli"


def test_erasing_twice_is_a_conflict_and_nothing_changes(client, session, admin, person):
    first = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)
    second = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    assert first.status_code == 200
    assert second.status_code == 409
    assert "erased already" in second.json["message"]
    audits = session.scalars(select(AuditEntry).where(AuditEntry.action == "erase")).all()
    assert len(audits) == 1


def test_only_admins_erase(client, factory, person):
    for role in ("coordinator", "read_only", "staff"):
        extra = {"resource_id": factory.interpreter().id} if role == "staff" else {}
        headers = factory.headers(role, **extra)
        answer = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=headers)
        assert answer.status_code == 403, role
    assert client.post(f"/api/v1/beneficiaries/{person.id}/erase").status_code == 401


def test_an_unknown_beneficiary_is_not_found(client, admin):
    assert client.post("/api/v1/beneficiaries/999999/erase", headers=admin).status_code == 404


def test_an_erased_beneficiary_cannot_be_booked_enrolled_or_changed(client, factory, admin, person):
    client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)
    interpreter = factory.interpreter("fa")

    booked = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "starts_at": working_day(10).isoformat(),
            "ends_at": working_day(10, 11).isoformat(),
            "resource_ids": [interpreter.id],
            "beneficiary_ids": [person.id],
        },
        headers=admin,
    )
    changed = client.patch(
        f"/api/v1/beneficiaries/{person.id}", json={"discreet": True}, headers=admin
    )

    assert booked.status_code == 422
    assert "beneficiary_ids" in booked.json["errors"]["json"]
    assert changed.status_code == 409
    again = client.post(
        "/api/v1/beneficiaries",
        json={"case_reference": REFERENCE, "language": "fa", "offices": ["sofia"]},
        headers=admin,
    )
    assert again.status_code == 201  # the person may come back and be registered anew


def test_a_guardians_number_shared_with_a_sibling_stays_with_the_sibling(
    client, session, factory, admin
):
    kwargs = {"is_minor": True, "guardian_phone": GUARDIAN, "sms_consent": True}
    erased, sibling = factory.beneficiary(**kwargs), factory.beneficiary(**kwargs)
    booking = factory.booking(
        [factory.interpreter()], working_day(10), beneficiary_ids=[sibling.id]
    )
    handle_inbound(session, phone=GUARDIAN, body="ok", message_sid="SM2", now=utcnow())
    session.commit()

    answer = client.post(f"/api/v1/beneficiaries/{erased.id}/erase", headers=admin)

    assert answer.status_code == 200
    session.expire_all()
    assert session.get(Beneficiary, sibling.id).guardian_phone == GUARDIAN
    assert session.get(Beneficiary, erased.id).guardian_phone is None
    kept = session.scalars(select(OutboxMessage).where(OutboxMessage.booking_id == booking.id))
    assert {(m.to, m.status) for m in kept} == {(GUARDIAN, "queued")}
    assert session.scalar(select(SmsReply.body).where(SmsReply.from_phone == GUARDIAN)) == "ok"


def test_the_preview_counts_what_the_erasure_then_removes_and_changes_nothing(
    client, session, admin, person, history
):
    before = dump(session)

    preview = preview_erasure(session, person.id)

    assert dump(session) == before
    answer = client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)
    assert answer.status_code == 200, answer.json
    done = answer.json
    for name in (
        "messages_cancelled",
        "messages_blanked",
        "replies_deleted",
        "consent_events_deleted",
        "enrolments_withdrawn",
    ):
        assert getattr(preview, name) == done[name], name
    assert preview.bookings == 3  # two alone, one shared; the cancelled one is not shown again
    session.expire_all()
    with pytest.raises(InvalidTransition):
        preview_erasure(session, person.id)
