"""A beneficiary's data export: everything kept about them, times in Europe/Sofia."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from service.booking.bookings import Actor, change_status
from service.models import Beneficiary, OutboxMessage
from service.notify.inbound import handle_inbound
from service.plumbing.clock import utcnow
from tests.test_series_enrolment import enrol_api, mark, past_course

PHONE = "+359888765432"


def make_history(client, session, factory, admin):
    person = factory.beneficiary(
        case_reference="BG-2026-5501", language="ar", phone=PHONE, sms_consent=True
    )
    booking = factory.booking(
        [factory.interpreter("ar")],
        datetime.fromisoformat("2027-03-01T09:00:00+02:00"),
        beneficiary_ids=[person.id],
        notes="Bring the residence card",
    )
    handle_inbound(session, phone=PHONE, body="Ще дойда", message_sid="SM9", now=utcnow())
    series, held = past_course(client, factory, admin)
    enrol_api(client, admin, series["id"], person.id)
    mark(client, admin, series["id"], held[0]["id"], person.id, "excused")
    session.commit()
    return person, booking, series, held


def test_the_export_holds_profile_consent_bookings_enrolments_attendance_and_sms(
    client, session, factory, admin
):
    person, booking, series, held = make_history(client, session, factory, admin)

    answer = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin)

    assert answer.status_code == 200, answer.json
    data = answer.json
    assert data["profile"]["case_reference"] == "BG-2026-5501"
    assert data["profile"]["phone"] == PHONE
    assert data["profile"]["erased_at"] is None
    assert [(c["consent"], c["source"]) for c in data["consent_history"]] == [(True, "api")]
    [shown] = data["bookings"]
    assert shown["id"] == booking.id
    assert shown["starts_at"] == "2027-03-01T09:00:00+02:00"  # Europe/Sofia
    assert shown["office"] == "sofia" and shown["notes"] == "Bring the residence card"
    [enrolment] = data["enrolments"]
    assert (enrolment["series_id"], enrolment["status"]) == (series["id"], "enrolled")
    assert enrolment["series_title"] == "Bulgarian A1"
    [attended] = data["attendance"]
    assert (attended["booking_id"], attended["mark"]) == (held[0]["id"], "excused")
    assert attended["starts_at"] == "2026-11-02T10:00:00+02:00"
    kinds = sorted({n["kind"] for n in data["notifications"]})
    assert kinds == ["confirmation", "reminder"]  # the past course sends none
    confirmation = next(n for n in data["notifications"] if n["kind"] == "confirmation")
    assert confirmation["to"] == PHONE and confirmation["body"]
    assert confirmation["status"] == "queued"
    assert [(r["from_phone"], r["body"]) for r in data["replies"]] == [(PHONE, "Ще дойда")]


def test_a_coordinator_exports_only_beneficiaries_of_their_offices(client, session, factory, admin):
    person, *_ = make_history(client, session, factory, admin)
    stranger = factory.beneficiary()
    sofia = factory.headers("coordinator", offices=["sofia"])
    burgas = factory.headers("coordinator", offices=["burgas"])

    assert client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=sofia).status_code == 200
    refused = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=burgas)
    assert refused.status_code == 404  # never confirming that the id exists
    elsewhere = factory.beneficiary(offices=("harmanli",))
    other_office = client.get(f"/api/v1/beneficiaries/{elsewhere.id}/export", headers=sofia)
    assert other_office.status_code == 404
    assert stranger.office_codes == ["sofia"]
    for role in ("read_only", "staff"):
        extra = {"resource_id": factory.interpreter().id} if role == "staff" else {}
        headers = factory.headers(role, **extra)
        answer = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=headers)
        assert answer.status_code == 403, role


def test_the_export_of_an_erased_beneficiary_holds_no_personal_data(
    client, session, factory, admin
):
    person, *_ = make_history(client, session, factory, admin)
    client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    data = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin).json

    assert data["profile"]["case_reference"] == f"erased-{person.id}"
    assert data["profile"]["phone"] is None and data["profile"]["erased_at"]
    assert data["consent_history"] == [] and data["replies"] == []
    assert all(n["body"] is None and n["to"] is None for n in data["notifications"])
    assert data["bookings"][0]["notes"] is None


def test_exporting_an_unknown_beneficiary_is_not_found(client, admin):
    assert client.get("/api/v1/beneficiaries/999999/export", headers=admin).status_code == 404


OTHER_ID = 987_654
OTHER_REFERENCE = "BG-2026-7777"
OTHER_PHONE = "+359888111222"


def _other_beneficiary(session):
    """A discreet beneficiary with a phone and consent, with an id no other row shares."""
    other = Beneficiary(
        id=OTHER_ID,
        case_reference=OTHER_REFERENCE,
        language="fa",
        phone=OTHER_PHONE,
        sms_consent=True,
        sms_consent_at=utcnow(),
        discreet=True,
        created_at=utcnow(),
    )
    session.add(other)
    session.commit()
    return other


def test_the_export_shows_others_on_a_shared_booking_only_as_another_participant(
    client, session, factory, admin
):
    person = factory.beneficiary(
        case_reference="BG-2026-5502", language="ar", phone=PHONE, sms_consent=True
    )
    other = _other_beneficiary(session)
    interpreter = factory.interpreter("ar", "fa")
    shared = factory.booking(
        [interpreter],
        datetime.fromisoformat("2027-03-02T10:00:00+02:00"),
        beneficiary_ids=[person.id, other.id],
        notes=f"Family session with {OTHER_REFERENCE}, call her on 0888 111 222",
        location=f"Room 2 (ask for {OTHER_REFERENCE})",
    )
    alone = factory.booking(
        [interpreter],
        datetime.fromisoformat("2027-03-05T10:00:00+02:00"),
        beneficiary_ids=[person.id],
        notes=f"Sister {OTHER_REFERENCE} ({OTHER_PHONE}) may come; own number {PHONE}",
    )
    cancelled = factory.booking(
        [interpreter],
        datetime.fromisoformat("2027-03-08T10:00:00+02:00"),
        beneficiary_ids=[person.id, other.id],
    )
    change_status(
        session,
        cancelled,
        "cancel",
        Actor("tests"),
        reason=f"{OTHER_REFERENCE} called from 0888111222, a neighbour from 0888 999 000",
    )
    handle_inbound(session, phone=OTHER_PHONE, body="Ще закъснея", message_sid="SM1", now=utcnow())
    handle_inbound(session, phone=PHONE, body="Ще дойда", message_sid="SM2", now=utcnow())
    session.commit()
    # The other beneficiary was told of the shared booking too: that SMS is theirs, not his.
    told = session.scalars(
        select(OutboxMessage).where(OutboxMessage.beneficiary_id == other.id)
    ).all()
    assert told and all(m.to == OTHER_PHONE for m in told)

    answer = client.get(f"/api/v1/beneficiaries/{person.id}/export", headers=admin)

    assert answer.status_code == 200, answer.json
    text = json.dumps(answer.json, ensure_ascii=False)
    for secret in (OTHER_REFERENCE, OTHER_PHONE, "0888 111 222", "888111222", str(OTHER_ID)):
        assert secret not in text, secret
    assert "beneficiary_ids" not in text and "beneficiary_id" not in text
    data = answer.json
    shown = {b["id"]: b for b in data["bookings"]}
    assert shown[shared.id]["other_participants"] == 1
    assert shown[shared.id]["notes"] is None and shown[shared.id]["notes_withheld"] is True
    assert shown[shared.id]["location"] == "Room 2 (ask for [another participant])"
    assert shown[cancelled.id]["cancel_reason"] == (
        "[another participant] called from [another participant], a neighbour from "
        "[number withheld]"
    )
    assert shown[alone.id]["other_participants"] == 0
    assert shown[alone.id]["notes_withheld"] is False
    assert shown[alone.id]["notes"] == (
        f"Sister [another participant] [another participant]) may come; own number {PHONE}"
    )
    assert data["notifications"] and all(n["to"] == PHONE for n in data["notifications"])
    assert [r["body"] for r in data["replies"]] == ["Ще дойда"]
    assert data["profile"]["case_reference"] == "BG-2026-5502"
