"""The right interpreter: a booking's interpreter shares a language with each beneficiary."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service.demo.demo import seed_demo
from service.interpreters.language_match import mismatches
from service.models import AuditEntry, Booking
from tests.test_series import create, series_body

SOFIA = ZoneInfo("Europe/Sofia")
TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=SOFIA)


def body(resource_ids, beneficiary_ids, start=TUESDAY_10, **extra):
    return {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "resource_ids": resource_ids,
        "beneficiary_ids": beneficiary_ids,
    } | extra


def book(client, headers, resource_ids, beneficiary_ids, **extra):
    return client.post(
        "/api/v1/bookings", json=body(resource_ids, beneficiary_ids, **extra), headers=headers
    )


def test_a_sorani_interpreter_is_refused_for_a_tigrinya_speaker(client, factory, admin):
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ti")

    answer = book(client, admin, [sorani.id], [speaker.id])

    assert answer.status_code == 422
    message = answer.json["errors"]["json"]["resource_ids"][0]
    assert f"Interpreter {sorani.id} (ckb)" in message
    assert f"beneficiary {speaker.id} (ti)" in message
    assert "language_override" in message
    assert client.get("/api/v1/bookings", headers=admin).json == []


def test_another_language_the_beneficiary_speaks_is_enough(client, factory, admin):
    arabic = factory.interpreter("ar")
    speaker = factory.beneficiary(language="ti", other_languages=["ar"])

    answer = book(client, admin, [arabic.id], [speaker.id])

    assert answer.status_code == 201, answer.json
    assert answer.json["language_override"] is False
    assert answer.json["language_override_reason"] is None


def test_every_beneficiary_must_share_a_language_with_the_interpreter(client, factory, admin):
    farsi = factory.interpreter("fa", "prs")
    dari = factory.beneficiary(language="prs")
    pashto = factory.beneficiary(language="ps")

    answer = book(client, admin, [farsi.id], [dari.id, pashto.id])

    assert answer.status_code == 422
    assert f"beneficiary {pashto.id}" in answer.json["errors"]["json"]["resource_ids"][0]
    assert book(client, admin, [farsi.id], [dari.id]).status_code == 201


def test_rooms_counsellors_and_bookings_without_beneficiaries_are_not_held_to_it(
    client, factory, admin
):
    counsellor = factory.person("counsellor", languages=("bg",))
    room = factory.room("sofia")
    speaker = factory.beneficiary(language="ti")
    interpreter = factory.interpreter("ckb")

    assert book(client, admin, [counsellor.id, room.id], [speaker.id]).status_code == 201
    assert book(client, admin, [interpreter.id], []).status_code == 201


def test_an_override_needs_a_reason(client, factory, admin):
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ti")

    for reason in (None, "   "):
        answer = book(
            client,
            admin,
            [sorani.id],
            [speaker.id],
            language_override=True,
            language_override_reason=reason,
        )
        assert answer.status_code == 422
        assert "language_override_reason" in answer.json["errors"]["json"]
    alone = book(client, admin, [sorani.id], [speaker.id], language_override_reason="why")
    assert alone.status_code == 422
    assert "language_override_reason" in alone.json["errors"]["json"]
    assert client.get("/api/v1/bookings", headers=admin).json == []


def test_an_override_with_a_reason_books_shows_and_audits_it(client, factory, admin):
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ti")
    reason = "No Tigrinya interpreter this month; she follows Sorani well."

    answer = book(
        client,
        admin,
        [sorani.id],
        [speaker.id],
        language_override=True,
        language_override_reason=reason,
    )

    assert answer.status_code == 201, answer.json
    assert answer.json["language_override"] is True
    assert answer.json["language_override_reason"] == reason
    shown = client.get(f"/api/v1/bookings/{answer.json['id']}", headers=admin).json
    assert shown["language_override_reason"] == reason
    audit = client.get(f"/api/v1/bookings/{answer.json['id']}/audit", headers=admin).json
    assert audit[0]["after"]["language_override"] is True
    assert audit[0]["after"]["language_override_reason"] == reason


def test_a_coordinator_may_override_too(client, factory):
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ti")
    coordinator = factory.headers("coordinator")

    answer = book(
        client,
        coordinator,
        [sorani.id],
        [speaker.id],
        language_override=True,
        language_override_reason="Agreed with the case worker.",
    )

    assert answer.status_code == 201, answer.json


def test_moving_a_booking_to_an_interpreter_without_a_shared_language_is_refused(
    client, factory, admin
):
    arabic = factory.interpreter("ar")
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ar")
    booked = book(client, admin, [arabic.id], [speaker.id]).json
    move = {
        "version": booked["version"],
        "starts_at": booked["starts_at"],
        "ends_at": booked["ends_at"],
        "resource_ids": [sorani.id],
    }
    url = f"/api/v1/bookings/{booked['id']}/reschedule"

    refused = client.post(url, json=move, headers=admin)
    assert refused.status_code == 422
    assert "resource_ids" in refused.json["errors"]["json"]

    overridden = client.post(
        url,
        json=move | {"language_override": True, "language_override_reason": "Only one free"},
        headers=admin,
    )
    assert overridden.status_code == 200, overridden.json
    assert overridden.json["resource_ids"] == [sorani.id]
    assert overridden.json["language_override_reason"] == "Only one free"

    later = TUESDAY_10 + timedelta(hours=2)
    moved = client.post(
        url,
        json={
            "version": overridden.json["version"],
            "starts_at": later.isoformat(),
            "ends_at": (later + timedelta(hours=1)).isoformat(),
            "resource_ids": [sorani.id, factory.room("sofia").id],
        },
        headers=admin,
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["language_override"] is True  # same interpreter: the override stays


def availability_query(**extra):
    return {
        "kind": "interpreter",
        "office": "sofia",
        "start": TUESDAY_10.isoformat(),
        "end": (TUESDAY_10 + timedelta(hours=4)).isoformat(),
        "duration": 60,
    } | extra


def test_availability_for_beneficiaries_offers_only_interpreters_who_qualify(
    client, factory, admin
):
    sorani = factory.interpreter("ckb")
    tigrinya = factory.interpreter("ti", "ar")
    speaker = factory.beneficiary(language="ti")

    everyone = client.get("/api/v1/availability", query_string=availability_query(), headers=admin)
    for_speaker = client.get(
        "/api/v1/availability",
        query_string=availability_query(beneficiary_ids=[speaker.id]),
        headers=admin,
    )

    assert {r["resource_id"] for r in everyone.json} == {sorani.id, tigrinya.id}
    assert for_speaker.status_code == 200
    assert {r["resource_id"] for r in for_speaker.json} == {tigrinya.id}


def test_suggest_for_beneficiaries_refuses_an_interpreter_who_does_not_qualify(
    client, factory, admin
):
    sorani = factory.interpreter("ckb")
    speaker = factory.beneficiary(language="ti", other_languages=["ckb"])
    stranger = factory.beneficiary(language="ti")

    fits = client.get(
        "/api/v1/availability/suggest",
        query_string=availability_query(resource_ids=[sorani.id], beneficiary_ids=[speaker.id]),
        headers=admin,
    )
    refused = client.get(
        "/api/v1/availability/suggest",
        query_string=availability_query(resource_ids=[sorani.id], beneficiary_ids=[stranger.id]),
        headers=admin,
    )

    assert fits.status_code == 200
    assert fits.json
    assert refused.status_code == 422
    assert "resource_ids" in refused.json["errors"]["query"]


def test_availability_does_not_reveal_another_office_s_beneficiary(client, factory):
    factory.interpreter("ar")
    elsewhere = factory.beneficiary(language="ar", offices=("burgas",))
    coordinator = factory.headers("coordinator")

    answer = client.get(
        "/api/v1/availability",
        query_string=availability_query(beneficiary_ids=[elsewhere.id]),
        headers=coordinator,
    )

    assert answer.status_code == 422
    assert "beneficiary_ids" in answer.json["errors"]["query"]


def class_with_interpreter(client, factory, admin, *languages):
    teacher = factory.person("teacher", languages=("bg",))
    interpreter = factory.interpreter(*languages)
    room = factory.room("sofia", capacity=8)
    answer = create(
        client,
        admin,
        series_body([teacher.id, interpreter.id, room.id], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4"),
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def test_enrolling_in_a_class_whose_interpreter_shares_no_language_is_refused(
    client, factory, admin
):
    series = class_with_interpreter(client, factory, admin, "ckb")
    url = f"/api/v1/series/{series['id']}/enrolments"
    kurdish = factory.beneficiary(language="ckb")
    speaker = factory.beneficiary(language="ti")

    assert client.post(url, json={"beneficiary_id": kurdish.id}, headers=admin).status_code == 201
    refused = client.post(url, json={"beneficiary_id": speaker.id}, headers=admin)
    assert refused.status_code == 422
    assert "beneficiary_id" in refused.json["errors"]["json"]
    no_reason = client.post(
        url, json={"beneficiary_id": speaker.id, "language_override": True}, headers=admin
    )
    assert no_reason.status_code == 422
    assert "language_override_reason" in no_reason.json["errors"]["json"]

    enrolled = client.post(
        url,
        json={
            "beneficiary_id": speaker.id,
            "language_override": True,
            "language_override_reason": "Comes with a friend who interprets.",
        },
        headers=admin,
    )
    assert enrolled.status_code == 201, enrolled.json
    assert enrolled.json["language_override_reason"] == "Comes with a friend who interprets."
    roster = client.get(url, headers=admin).json
    assert [e["beneficiary_id"] for e in roster] == [kurdish.id, speaker.id]


def test_other_languages_are_validated_stored_audited_and_exported(client, factory, admin):
    factory.office("sofia")
    refused = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "L-1",
            "language": "ti",
            "other_languages": ["ar", "zz"],
            "offices": ["sofia"],
        },
        headers=admin,
    )
    assert refused.status_code == 422
    assert "other_languages" in refused.json["errors"]["json"]
    created = client.post(
        "/api/v1/beneficiaries",
        json={
            "case_reference": "L-1",
            "language": "ti",
            "other_languages": ["ar", "ti"],
            "offices": ["sofia"],
        },
        headers=admin,
    )
    assert created.status_code == 201, created.json
    assert created.json["other_languages"] == ["ar"]  # the preferred one is not repeated
    url = f"/api/v1/beneficiaries/{created.json['id']}"

    bad = client.patch(url, json={"other_languages": ["english"]}, headers=admin)
    assert bad.status_code == 422
    assert "other_languages" in bad.json["errors"]["json"]
    changed = client.patch(url, json={"other_languages": ["en", "ar"]}, headers=admin)
    assert changed.status_code == 200
    assert changed.json["other_languages"] == ["ar", "en"]

    entries = factory.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "beneficiary", AuditEntry.entity_id == created.json["id"])
        .order_by(AuditEntry.id)
    ).all()
    assert entries[-1].before["other_languages"] == ["ar"]
    assert entries[-1].after["other_languages"] == ["ar", "en"]
    export = client.get(f"{url}/export", headers=admin).json
    assert export["profile"]["other_languages"] == ["ar", "en"]


def test_erasure_removes_the_other_languages(client, factory, admin):
    person = factory.beneficiary(language="ti", other_languages=["ar", "en"])

    client.post(f"/api/v1/beneficiaries/{person.id}/erase", headers=admin)

    shown = client.get(f"/api/v1/beneficiaries/{person.id}", headers=admin).json
    assert shown["other_languages"] == []
    assert shown["language"] == "ti"


def test_every_demo_booking_pairs_an_interpreter_with_a_language_the_beneficiary_speaks(
    session,
):
    seed_demo(session)

    booked = session.scalars(select(Booking)).all()
    assert len(booked) > 50
    for booking in booked:
        resources = [hold.resource for hold in booking.holds]
        people = [row.beneficiary for row in booking.attendee_rows]
        assert mismatches(resources, people) == [], booking.id


def test_a_class_cannot_switch_to_an_interpreter_its_enrolled_do_not_understand(
    client, factory, admin
):
    series = class_with_interpreter(client, factory, admin, "ti")
    speaker = factory.beneficiary(language="ti")
    enrolled = client.post(
        f"/api/v1/series/{series['id']}/enrolments",
        json={"beneficiary_id": speaker.id},
        headers=admin,
    )
    assert enrolled.status_code == 201
    teacher, _interpreter, room = series["resource_ids"]
    sorani = factory.interpreter("ckb")
    second = client.get(f"/api/v1/series/{series['id']}/occurrences", headers=admin).json[1]

    moved = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{second['id']}/move",
        json={
            "starts_at": second["starts_at"],
            "ends_at": second["ends_at"],
            "resource_ids": [teacher, sorani.id, room],
        },
        headers=admin,
    )
    split = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={"occurrence_id": second["id"], "resource_ids": [teacher, sorani.id, room]},
        headers=admin,
    )

    assert moved.status_code == 422
    assert "shares no language" in moved.json["errors"]["json"]["resource_ids"][0]
    assert split.status_code == 422
    assert "shares no language" in split.json["errors"]["json"]["resource_ids"][0]
