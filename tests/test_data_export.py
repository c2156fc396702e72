"""A beneficiary's data export: everything kept about them, times in Europe/Sofia."""

from __future__ import annotations

from datetime import datetime

from service.clock import utcnow
from service.notify.inbound import handle_inbound
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
