"""The interpreter rules when a booking moves, someone enrols and a series is made or changed."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from service.models import AuditEntry, Booking
from tests.test_interpreter_rules_booking import REASON, book, counselling, overriding, refusal
from tests.test_series import create, occurrences, series_body

SOFIA = ZoneInfo("Europe/Sofia")
MONDAY_9 = datetime(2027, 2, 1, 9, 0, tzinfo=SOFIA)
MONDAY_10 = datetime(2027, 3, 1, 10, 0, tzinfo=SOFIA)


def move(client, headers, booking, start, minutes=60, **extra):
    return client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={
            "version": booking["version"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        }
        | extra,
        headers=headers,
    )


# --- moving a booking --------------------------------------------------------------------------


def test_a_session_moved_within_its_day_does_not_count_against_itself(client, factory, admin):
    interpreter = factory.interpreter("ar")
    booking = counselling(client, admin, interpreter, MONDAY_9, 300).json

    answer = move(client, admin, booking, MONDAY_9 + timedelta(minutes=30), 300)

    assert answer.status_code == 200, answer.json
    assert answer.json["interpreter_override_rules"] == []


@pytest.mark.parametrize(("minutes", "moved"), [(60, True), (61, False)])
def test_a_session_moved_to_a_fuller_day_counts_that_day(client, factory, admin, minutes, moved):
    interpreter = factory.interpreter("ar")
    tuesday = MONDAY_9 + timedelta(days=1)
    assert counselling(client, admin, interpreter, tuesday, 240).status_code == 201
    booking = counselling(client, admin, interpreter, MONDAY_9, minutes).json

    answer = move(client, admin, booking, tuesday + timedelta(hours=4, minutes=15), minutes)

    if moved:
        assert answer.status_code == 200, answer.json
    else:
        assert "in a day; the limit is 5" in refusal(answer)


def test_a_new_interpreter_avoided_by_the_beneficiary_is_refused(client, factory, admin):
    first, feared = factory.interpreter("ar"), factory.interpreter("ar")
    person = factory.needs(factory.beneficiary(), avoid=(feared,))
    booking = book(client, admin, [first.id], [person.id]).json

    answer = move(client, admin, booking, MONDAY_9, resource_ids=[feared.id], **overriding())

    assert "avoid list" in refusal(answer)
    assert client.get(f"/api/v1/bookings/{booking['id']}", headers=admin).json["resource_ids"] == [
        first.id
    ]


def test_a_booking_keeps_its_override_for_the_rules_it_named(client, factory, admin, session):
    man = factory.interpreter("ar", gender="male")
    person = factory.needs(factory.beneficiary(), gender="female")
    booking = book(client, admin, [man.id], [person.id], **overriding()).json

    answer = move(client, admin, booking, MONDAY_9 + timedelta(hours=2))

    assert answer.status_code == 200, answer.json
    assert answer.json["interpreter_override_rules"] == ["gender"]
    assert answer.json["interpreter_override_reason"] == REASON
    last = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity == "booking", AuditEntry.entity_id == booking["id"])
        .order_by(AuditEntry.id.desc())
    ).first()
    assert last.action == "reschedule"
    assert last.after["interpreter_override_reason"] == REASON


def test_a_rule_broken_anew_by_a_move_needs_a_new_override(client, factory, admin):
    man = factory.interpreter("ar", gender="male")
    child = factory.needs(factory.beneficiary(), gender="female")
    booking = book(client, admin, [man.id], [child.id], **overriding()).json
    factory.needs(child, gender="female", child_trained=True)  # recorded since

    answer = move(client, admin, booking, MONDAY_9 + timedelta(hours=2))
    assert "not trained for children" in refusal(answer)

    answer = move(client, admin, booking, MONDAY_9 + timedelta(hours=2), **overriding())
    assert answer.status_code == 200, answer.json
    assert answer.json["interpreter_override_rules"] == ["gender", "training"]


def test_a_move_to_an_interpreter_who_fits_drops_the_override(client, factory, admin):
    man, woman = (
        factory.interpreter("ar", gender="male"),
        factory.interpreter("ar", gender="female"),
    )
    person = factory.needs(factory.beneficiary(), gender="female")
    booking = book(client, admin, [man.id], [person.id], **overriding()).json

    answer = move(client, admin, booking, MONDAY_9, resource_ids=[woman.id])

    assert answer.status_code == 200, answer.json
    assert answer.json["interpreter_override_rules"] == []
    assert answer.json["interpreter_override_reason"] is None


# --- enrolment ---------------------------------------------------------------------------------


def class_with(client, factory, headers, interpreter, **extra):
    teacher = factory.person("teacher", languages=("bg",))
    room = factory.room("sofia", capacity=8)
    answer = create(
        client,
        headers,
        series_body([teacher.id, interpreter.id, room.id], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4")
        | extra,
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def enrol(client, headers, series, person, **extra):
    return client.post(
        f"/api/v1/series/{series['id']}/enrolments",
        json={"beneficiary_id": person.id} | extra,
        headers=headers,
    )


@pytest.mark.parametrize("extra", [{}, overriding()], ids=["plain", "with override"])
def test_no_one_is_enrolled_with_an_interpreter_they_avoid(client, factory, admin, extra):
    feared = factory.interpreter("ar")
    series = class_with(client, factory, admin, feared)
    person = factory.needs(factory.beneficiary(), avoid=(feared,))

    message = refusal(enrol(client, admin, series, person, **extra), "beneficiary_id")

    assert "avoid list" in message and "known from home" not in message


def test_a_gender_mismatch_at_enrolment_needs_an_override_stored_on_the_enrolment(
    client, factory, admin, session
):
    man = factory.interpreter("ar", gender="male")
    series = class_with(client, factory, admin, man)
    person = factory.needs(factory.beneficiary(), gender="female")

    assert "asked for a female" in refusal(enrol(client, admin, series, person), "beneficiary_id")
    answer = enrol(client, admin, series, person, **overriding())

    assert answer.status_code == 201, answer.json
    assert answer.json["interpreter_override_rules"] == ["gender"]
    assert answer.json["interpreter_override_reason"] == REASON
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity == "enrolment", AuditEntry.entity_id == answer.json["id"]
        )
    )
    assert entry.after["interpreter_override_reason"] == REASON
    teacher = factory.headers("staff", resource_id=series["resource_ids"][0])
    roster = client.get(f"/api/v1/series/{series['id']}/enrolments", headers=teacher)
    assert roster.status_code == 200
    assert roster.json[0]["interpreter_override_rules"] == []
    assert roster.json[0]["interpreter_override_reason"] is None


def test_a_child_in_a_class_needs_a_child_trained_interpreter(client, factory, admin):
    untrained, trained = (
        factory.interpreter("ar"),
        factory.interpreter("ar", trainings=("children",)),
    )
    child = factory.needs(factory.beneficiary(), child_trained=True)

    first = class_with(client, factory, admin, untrained)
    assert "not trained for children" in refusal(
        enrol(client, admin, first, child), "beneficiary_id"
    )
    second = class_with(
        client,
        factory,
        admin,
        trained,
        starts_at=(MONDAY_10 + timedelta(hours=3)).isoformat(),
        ends_at=(MONDAY_10 + timedelta(hours=5)).isoformat(),
    )
    assert enrol(client, admin, second, child).status_code == 201


# --- series ------------------------------------------------------------------------------------


def test_series_hours_count_per_occurrence_and_week(client, factory, admin, session):
    # At most 3 hours of language classes a week: Monday and Wednesday classes of 2 hours.
    interpreter = factory.interpreter("ar", max_hours_week=3, limited_types=("language_class",))
    teacher = factory.person("teacher", languages=("bg",))
    body = series_body(
        [teacher.id, interpreter.id],
        start=MONDAY_10 + timedelta(days=7),  # 8 March: no holiday in those two weeks
        rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
    )

    message = refusal(create(client, admin, body))
    assert "4 hours of language_class sessions in a week; the limit is 3" in message
    assert session.scalars(select(Booking)).all() == []

    answer = create(client, admin, body | overriding())
    assert answer.status_code == 201, answer.json
    stored = session.scalars(
        select(Booking).where(Booking.series_id == answer.json["id"]).order_by(Booking.starts_at)
    ).all()
    # Monday fits (2 of 3 hours); each Wednesday passes the week's limit.
    assert [b.interpreter_override_rules for b in stored] == [None, "hours_week"] * 2
    assert {b.interpreter_override_reason for b in stored} == {None, REASON}


def test_a_dry_run_shows_each_class_that_would_pass_the_hours_and_writes_nothing(
    client, factory, admin, session
):
    interpreter = factory.interpreter("ar", max_hours_week=3, limited_types=("language_class",))
    teacher = factory.person("teacher", languages=("bg",))
    body = series_body(
        [teacher.id, interpreter.id],
        start=MONDAY_10 + timedelta(days=7),
        rrule="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
    )

    answer = create(client, admin, body, "?dry_run=true")

    assert answer.status_code == 200, answer.json
    limits = [o["interpreter_limits"] for o in answer.json["occurrences"]]
    assert limits[0] == limits[2] == []  # Mondays: 2 of 3 hours
    for wednesday in (limits[1], limits[3]):
        assert wednesday == [
            {
                "rule": "hours_week",
                "interpreter_id": interpreter.id,
                "interpreter": interpreter.name,
                "hours": 4.0,
                "limit": 3,
            }
        ]
    assert session.scalars(select(Booking)).all() == []


def test_a_series_of_a_type_not_limited_is_not_counted(client, factory, admin):
    interpreter = factory.interpreter("ar", max_hours_week=1)
    teacher = factory.person("teacher", languages=("bg",))

    answer = create(client, admin, series_body([teacher.id, interpreter.id]))

    assert answer.status_code == 201, answer.json


def test_moving_an_occurrence_to_an_interpreter_someone_enrolled_avoids_is_refused(
    client, factory, admin
):
    first, feared = factory.interpreter("ar"), factory.interpreter("ar")
    series = class_with(client, factory, admin, first)
    person = factory.needs(factory.beneficiary(), avoid=(feared,))
    assert enrol(client, admin, series, person).status_code == 201
    occurrence = occurrences(client, admin, series["id"])[1]
    teacher, _first, room = series["resource_ids"]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{occurrence['id']}/move",
        json={
            "starts_at": occurrence["starts_at"],
            "ends_at": occurrence["ends_at"],
            "resource_ids": [teacher, feared.id, room],
        }
        | overriding(),
        headers=admin,
    )

    assert person.case_reference in refusal(answer)


def test_splitting_onto_an_interpreter_of_another_gender_needs_an_override(
    client, factory, admin, session
):
    woman, man = (
        factory.interpreter("ar", gender="female"),
        factory.interpreter("ar", gender="male"),
    )
    series = class_with(client, factory, admin, woman)
    person = factory.needs(factory.beneficiary(), gender="female")
    assert enrol(client, admin, series, person).status_code == 201
    occurrence = occurrences(client, admin, series["id"])[2]
    teacher, _woman, room = series["resource_ids"]
    split = {"occurrence_id": occurrence["id"], "resource_ids": [teacher, man.id, room]}

    url = f"/api/v1/series/{series['id']}/split"
    assert "asked for a female" in refusal(client.post(url, json=split, headers=admin))
    answer = client.post(url, json=split | overriding(), headers=admin)

    assert answer.status_code == 201, answer.json
    stored = session.scalars(select(Booking).where(Booking.series_id == answer.json["id"])).all()
    assert {b.interpreter_override_rules for b in stored} == {"gender"}
    moved = client.get(f"/api/v1/series/{answer.json['id']}/enrolments", headers=admin).json
    assert [e["beneficiary_id"] for e in moved] == [person.id]


def test_an_enrolment_override_carries_over_a_split(client, factory, admin):
    man = factory.interpreter("ar", gender="male")
    series = class_with(client, factory, admin, man)
    person = factory.needs(factory.beneficiary(), gender="female")
    assert enrol(client, admin, series, person, **overriding()).status_code == 201
    occurrence = occurrences(client, admin, series["id"])[2]

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={"occurrence_id": occurrence["id"], "title": "Bulgarian A1, part 2"},
        headers=admin,
    )

    assert answer.status_code == 201, answer.json
    moved = client.get(f"/api/v1/series/{answer.json['id']}/enrolments", headers=admin).json
    assert moved[0]["interpreter_override_rules"] == ["gender"]
