"""The interpreter matching rules when booking: avoided, gender, training and hour limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.models import AuditEntry, Booking

SOFIA = ZoneInfo("Europe/Sofia")
MONDAY_9 = datetime(2027, 2, 1, 9, 0, tzinfo=SOFIA)
REASON = "Only interpreter free this week; agreed with the beneficiary."


def body(resource_ids, beneficiary_ids=(), start=MONDAY_9, minutes=60, **extra):
    return {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "resource_ids": list(resource_ids),
        "beneficiary_ids": list(beneficiary_ids),
    } | extra


def book(client, headers, resource_ids, beneficiary_ids=(), **extra):
    return client.post(
        "/api/v1/bookings", json=body(resource_ids, beneficiary_ids, **extra), headers=headers
    )


def refusal(answer, field="resource_ids"):
    assert answer.status_code == 422, answer.json
    return answer.json["errors"]["json"][field][0]


def overriding(**extra):
    return {"interpreter_override": True, "interpreter_override_reason": REASON} | extra


def counselling(client, headers, interpreter, start, minutes, **extra):
    return book(
        client, headers, [interpreter.id], start=start, minutes=minutes, type="counselling", **extra
    )


# --- avoided: never booked, whatever the override -------------------------------------------


@pytest.mark.parametrize("extra", [{}, overriding()], ids=["plain", "with override"])
def test_an_avoided_interpreter_is_refused_even_with_an_override(client, factory, admin, extra):
    feared = factory.interpreter("ar", gender="female")
    person = factory.needs(factory.beneficiary(), avoid=(feared,))

    message = refusal(book(client, admin, [feared.id], [person.id], **extra))

    assert feared.name in message and person.case_reference in message
    assert "avoid list" in message
    assert "known from home" not in message  # the reason stays with the coordinators
    assert "interpreter_override" not in message  # nothing to override
    assert client.get("/api/v1/bookings", headers=admin).json == []


def test_an_interpreter_avoided_by_one_of_two_beneficiaries_is_refused(client, factory, admin):
    feared = factory.interpreter("ar")
    first = factory.beneficiary()
    second = factory.needs(factory.beneficiary(), avoid=(feared,))

    message = refusal(book(client, admin, [feared.id], [first.id, second.id]))

    assert second.case_reference in message


def test_another_beneficiarys_avoided_interpreter_is_booked(client, factory, admin):
    feared = factory.interpreter("ar")
    factory.needs(factory.beneficiary(), avoid=(feared,))

    answer = book(client, admin, [feared.id], [factory.beneficiary().id])

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == []


# --- gender ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "offered", "booked"),
    [
        ("female", "female", True),
        ("female", "male", False),
        ("male", "female", False),
        ("female", None, False),  # an interpreter whose gender is not recorded
        (None, "male", True),  # no preference
        (None, None, True),
    ],
)
def test_a_gender_preference(client, factory, admin, wanted, offered, booked):
    interpreter = factory.interpreter("ar", gender=offered)
    person = factory.needs(factory.beneficiary(), gender=wanted)

    answer = book(client, admin, [interpreter.id], [person.id])

    if booked:
        assert answer.status_code == 201, answer.json
    else:
        message = refusal(answer)
        assert f"asked for a {wanted} interpreter" in message
        assert person.case_reference in message
        assert "interpreter_override" in message


def test_a_gender_override_is_stored_audited_and_shown(client, factory, admin, session):
    man = factory.interpreter("ar", gender="male")
    person = factory.needs(factory.beneficiary(), gender="female")

    answer = book(client, admin, [man.id], [person.id], **overriding())

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == ["gender"]
    assert answer.json["interpreter_override_reason"] == REASON
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "booking", AuditEntry.entity_id == answer.json["id"]
        )
    )
    assert entry.after["interpreter_override_rules"] == "gender"
    assert entry.after["interpreter_override_reason"] == REASON


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"interpreter_override": True}, "interpreter_override_reason", "Say why"),
        (
            {"interpreter_override": True, "interpreter_override_reason": "   "},
            "interpreter_override_reason",
            "Say why",
        ),
        (
            {"interpreter_override_reason": "because"},
            "interpreter_override_reason",
            "only with interpreter_override",
        ),
    ],
)
def test_an_override_needs_a_reason_and_a_reason_needs_an_override(
    client, factory, admin, extra, field, words
):
    man = factory.interpreter("ar", gender="male")
    person = factory.needs(factory.beneficiary(), gender="female")

    assert words in refusal(book(client, admin, [man.id], [person.id], **extra), field)
    assert client.get("/api/v1/bookings", headers=admin).json == []


def test_an_override_that_was_not_needed_stores_nothing(client, factory, admin):
    woman = factory.interpreter("ar", gender="female")
    person = factory.needs(factory.beneficiary(), gender="female")

    answer = book(client, admin, [woman.id], [person.id], **overriding())

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == []
    assert answer.json["interpreter_override_reason"] is None


# --- training ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trainings", "booked"),
    [((), False), (("legal_procedure",), False), (("children",), True)],
)
def test_a_child_needs_a_child_trained_interpreter(client, factory, admin, trainings, booked):
    interpreter = factory.interpreter("ar", trainings=trainings)
    child = factory.needs(factory.beneficiary(), child_trained=True)

    answer = book(client, admin, [interpreter.id], [child.id])

    if booked:
        assert answer.status_code == 201, answer.json
    else:
        assert "not trained for children" in refusal(answer)


@pytest.mark.parametrize(
    ("speciality", "trainings", "missing"),
    [
        ("psychological", (), "psychological"),
        ("psychological", ("legal_procedure",), "psychological"),
        ("psychological", ("psychological",), None),
        ("legal", ("psychological",), "legal procedure"),
        ("legal", ("legal_procedure",), None),
        ("social", (), None),  # a social counsellor asks no training
    ],
)
def test_counselling_needs_an_interpreter_trained_for_the_counsellors_field(
    client, factory, admin, speciality, trainings, missing
):
    counsellor = factory.person("counsellor", languages=("bg",), specialities=(speciality,))
    interpreter = factory.interpreter("ar", trainings=trainings)
    person = factory.beneficiary()

    answer = book(client, admin, [counsellor.id, interpreter.id], [person.id], type="counselling")

    if missing is None:
        assert answer.status_code == 201, answer.json
    else:
        assert f"not trained for {missing}" in refusal(answer)


def test_a_psychological_interpretation_asks_no_training_unless_counselling(client, factory, admin):
    counsellor = factory.person("counsellor", languages=("bg",), specialities=("psychological",))
    interpreter = factory.interpreter("ar")

    answer = book(client, admin, [counsellor.id, interpreter.id], [factory.beneficiary().id])

    assert answer.status_code == 201, answer.json


def test_gender_and_training_overridden_at_once_are_both_stored(client, factory, admin):
    man = factory.interpreter("ar", gender="male")
    child = factory.needs(factory.beneficiary(), gender="female", child_trained=True)

    answer = book(client, admin, [man.id], [child.id], **overriding())

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == ["gender", "training"]


# --- hours -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("minutes", "booked"), [(60, True), (61, False)])
def test_the_daily_limit_holds_to_the_minute(client, factory, admin, minutes, booked):
    interpreter = factory.interpreter("ar")
    assert counselling(client, admin, interpreter, MONDAY_9, 240).status_code == 201

    # 4 hours held; the buffer after them is 15 minutes.
    answer = counselling(
        client, admin, interpreter, MONDAY_9 + timedelta(hours=4, minutes=15), minutes
    )

    if booked:
        assert answer.status_code == 201, answer.json  # 5 hours exactly: the limit
    else:
        message = refusal(answer)
        assert "5.01667 hours of counselling sessions in a day; the limit is 5" in message


def test_one_session_longer_than_the_limit_is_refused_and_may_be_overridden(client, factory, admin):
    interpreter = factory.interpreter("ar")

    assert "the limit is 5" in refusal(counselling(client, admin, interpreter, MONDAY_9, 301))
    answer = counselling(client, admin, interpreter, MONDAY_9, 301, **overriding())

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == ["hours_day"]


def test_a_type_not_limited_is_not_counted_nor_limited(client, factory, admin):
    interpreter = factory.interpreter("ar")

    assert book(client, admin, [interpreter.id], minutes=360).status_code == 201  # interpretation
    answer = counselling(client, admin, interpreter, MONDAY_9 + timedelta(hours=6, minutes=15), 60)

    assert answer.status_code == 201, answer.json


def test_cancelled_sessions_do_not_count(client, factory, admin):
    interpreter = factory.interpreter("ar")
    first = counselling(client, admin, interpreter, MONDAY_9, 300).json
    client.post(f"/api/v1/bookings/{first['id']}/cancel", json={"reason": "ill"}, headers=admin)

    answer = counselling(client, admin, interpreter, MONDAY_9 + timedelta(hours=6), 60)

    assert answer.status_code == 201, answer.json


def test_the_interpreters_own_limits_replace_the_defaults(client, factory, admin):
    tired = factory.interpreter(
        "ar", max_hours_day=2, max_hours_week=3, limited_types=("counselling", "interpretation")
    )
    fresh = factory.interpreter("ar", max_hours_day=8)

    assert counselling(client, admin, tired, MONDAY_9, 120).status_code == 201
    assert "the limit is 2" in refusal(
        book(client, admin, [tired.id], start=MONDAY_9 + timedelta(hours=3))
    )
    tuesday = MONDAY_9 + timedelta(days=1)
    assert book(client, admin, [tired.id], start=tuesday).status_code == 201
    message = refusal(book(client, admin, [tired.id], start=tuesday + timedelta(days=1)))
    assert "in a week; the limit is 3" in message
    assert "counselling, interpretation" in message
    assert counselling(client, admin, fresh, MONDAY_9, 480).status_code == 201


def test_the_weekly_default_is_twenty_hours_monday_to_sunday(client, factory, admin):
    interpreter = factory.interpreter("ar")
    for day in range(4):
        start = MONDAY_9 + timedelta(days=day)
        assert counselling(client, admin, interpreter, start, 300).status_code == 201

    friday = MONDAY_9 + timedelta(days=4)
    assert "in a week; the limit is 20" in refusal(
        counselling(client, admin, interpreter, friday, 1)
    )
    next_monday = MONDAY_9 + timedelta(days=7)
    assert counselling(client, admin, interpreter, next_monday, 300).status_code == 201


@pytest.mark.parametrize(
    ("start", "booked"),
    [
        # Sunday 31 October 2027, 23:00 EET: still the week of Monday 25 October, though more
        # than 7 x 24 hours after that Monday's midnight (the clocks went back that night).
        (datetime(2027, 10, 31, 23, 0, tzinfo=SOFIA), False),
        # Monday 1 November 00:15: a new week.
        (datetime(2027, 11, 1, 0, 15, tzinfo=SOFIA), True),
    ],
)
def test_the_week_follows_sofia_across_the_autumn_clock_change(
    client, factory, admin, start, booked
):
    interpreter = factory.interpreter("ar", max_hours_week=2, limited_types=("interpretation",))
    monday = datetime(2027, 10, 25, 10, 0, tzinfo=SOFIA)
    assert book(client, admin, [interpreter.id], start=monday, minutes=90).status_code == 201

    answer = book(client, admin, [interpreter.id], start=start, minutes=45, override=True)

    if booked:
        assert answer.status_code == 201, answer.json
    else:
        assert "in a week; the limit is 2" in refusal(answer)


# --- who sees the override ---------------------------------------------------------------------


def test_staff_and_read_only_see_neither_the_rules_nor_the_reason(client, factory, admin):
    man = factory.interpreter("ar", gender="male")
    person = factory.needs(factory.beneficiary(), gender="female")
    booking = book(client, admin, [man.id], [person.id], **overriding()).json
    coordinator = factory.headers("coordinator", offices=["sofia"])
    staff = factory.headers("staff", resource_id=man.id)
    reader = factory.headers("read_only")

    seen = client.get(f"/api/v1/bookings/{booking['id']}", headers=coordinator).json
    assert seen["interpreter_override_rules"] == ["gender"]
    assert seen["interpreter_override_reason"] == REASON
    for headers in (staff, reader):
        seen = client.get(f"/api/v1/bookings/{booking['id']}", headers=headers).json
        assert seen["interpreter_override_rules"] == []
        assert seen["interpreter_override_reason"] is None
        listed = client.get("/api/v1/bookings", headers=headers).json
        assert REASON not in str(listed) and "gender" not in str(listed)
        trail = client.get(f"/api/v1/bookings/{booking['id']}/audit", headers=headers)
        assert trail.status_code == 200
        assert REASON not in str(trail.json) and "gender" not in str(trail.json)
        assert person.id not in trail.json[0]["after"]["beneficiary_ids"]
    trail = client.get(f"/api/v1/bookings/{booking['id']}/audit", headers=coordinator).json
    assert trail[0]["after"]["interpreter_override_reason"] == REASON


def test_a_refused_booking_writes_nothing(client, factory, admin, session):
    feared = factory.interpreter("ar")
    person = factory.needs(factory.beneficiary(), avoid=(feared,))

    refusal(book(client, admin, [feared.id], [person.id]))

    assert session.scalars(select(Booking)).all() == []
