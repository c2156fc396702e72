"""Enrolment with seats and an ordered waitlist, attendance, figures and community events."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.models import AuditEntry, Enrolment, Resource
from service.plumbing.db import make_engine
from service.series import enrolment as enrolment_ops
from service.series.enrolment import enrol
from service.series.series import SeriesRequest, create_series
from tests.factories import Factory
from tests.test_series import (
    create,
    occurrences,
    planned_back_then,
    series_body,
    teacher_and_room,
)

SOFIA = ZoneInfo("Europe/Sofia")
PAST_START = datetime(2026, 11, 2, 10, 0, tzinfo=SOFIA)  # Mondays 2, 9 and 16 November 2026


def course(client, factory, headers, room_capacity=8, **extra):
    teacher, room = teacher_and_room(factory, capacity=room_capacity)
    answer = create(
        client,
        headers,
        series_body([teacher.id, room.id], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=8") | extra,
    )
    assert answer.status_code == 201, answer.json
    return answer.json


def enrol_api(client, headers, series_id, beneficiary_id):
    return client.post(
        f"/api/v1/series/{series_id}/enrolments",
        json={"beneficiary_id": beneficiary_id},
        headers=headers,
    )


def roster(client, headers, series_id):
    answer = client.get(f"/api/v1/series/{series_id}/enrolments", headers=headers)
    assert answer.status_code == 200
    return [(e["beneficiary_id"], e["status"], e["waitlist_position"]) for e in answer.json]


def test_seats_are_the_smaller_of_room_and_course_and_the_rest_wait_in_order(
    client, factory, admin
):
    series = course(client, factory, admin, room_capacity=3, capacity=5)
    people = [factory.beneficiary() for _ in range(5)]

    answers = [enrol_api(client, admin, series["id"], p.id) for p in people]

    assert [a.status_code for a in answers] == [201] * 5
    assert [a.json["status"] for a in answers] == ["enrolled"] * 3 + ["waitlisted"] * 2
    assert [a.json["waitlist_position"] for a in answers] == [None, None, None, 1, 2]
    shown = client.get(f"/api/v1/series/{series['id']}", headers=admin).json
    assert (shown["seats"], shown["enrolled"], shown["waitlisted"]) == (3, 3, 2)


def test_a_smaller_course_capacity_wins_over_the_room(client, factory, admin):
    series = course(client, factory, admin, room_capacity=20, capacity=2)
    people = [factory.beneficiary() for _ in range(3)]

    statuses = [enrol_api(client, admin, series["id"], p.id).json["status"] for p in people]

    assert statuses == ["enrolled", "enrolled", "waitlisted"]


def test_a_freed_seat_goes_to_the_first_on_the_waitlist(client, factory, admin):
    series = course(client, factory, admin, capacity=2)
    a, b, c, d = (factory.beneficiary() for _ in range(4))
    ids = {p.id: enrol_api(client, admin, series["id"], p.id).json["id"] for p in (a, b, c, d)}

    freed = client.delete(f"/api/v1/series/{series['id']}/enrolments/{ids[a.id]}", headers=admin)

    assert freed.status_code == 200, freed.json
    assert [(e["beneficiary_id"], e["status"]) for e in freed.json] == [(c.id, "enrolled")]
    assert roster(client, admin, series["id"]) == [
        (b.id, "enrolled", None),
        (c.id, "enrolled", None),
        (d.id, "waitlisted", 1),
    ]
    actions = [
        e.action
        for e in factory.session.scalars(
            select(AuditEntry).where(AuditEntry.entity == "enrolment").order_by(AuditEntry.id)
        )
    ]
    assert actions == ["enrol"] * 4 + ["withdraw", "promote"]


def test_leaving_the_waitlist_moves_the_others_up_and_frees_no_seat(client, factory, admin):
    series = course(client, factory, admin, capacity=1)
    a, b, c = (factory.beneficiary() for _ in range(3))
    ids = {p.id: enrol_api(client, admin, series["id"], p.id).json["id"] for p in (a, b, c)}

    left = client.delete(f"/api/v1/series/{series['id']}/enrolments/{ids[b.id]}", headers=admin)

    assert left.json == []
    assert roster(client, admin, series["id"]) == [
        (a.id, "enrolled", None),
        (c.id, "waitlisted", 1),
    ]
    again = client.delete(f"/api/v1/series/{series['id']}/enrolments/{ids[b.id]}", headers=admin)
    assert again.status_code == 409


def test_coming_back_after_withdrawing_joins_the_end_of_the_queue(client, factory, admin):
    series = course(client, factory, admin, capacity=1)
    a, b, c = (factory.beneficiary() for _ in range(3))
    ids = {p.id: enrol_api(client, admin, series["id"], p.id).json["id"] for p in (a, b, c)}
    client.delete(f"/api/v1/series/{series['id']}/enrolments/{ids[b.id]}", headers=admin)

    back = enrol_api(client, admin, series["id"], b.id)

    assert back.status_code == 201
    assert back.json["waitlist_position"] == 2


def test_bad_enrolments_are_refused(client, factory, admin):
    series = course(client, factory, admin)
    person = factory.beneficiary()
    enrol_api(client, admin, series["id"], person.id)

    assert enrol_api(client, admin, series["id"], person.id).status_code == 409
    unknown = enrol_api(client, admin, series["id"], 999999)
    assert unknown.status_code == 422
    assert "beneficiary_id" in unknown.json["errors"]["json"]
    text = enrol_api(client, admin, series["id"], str(person.id))
    assert "beneficiary_id" in text.json["errors"]["json"]
    assert enrol_api(client, admin, 999999, person.id).status_code == 404
    client.post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "x"}, headers=admin)
    assert enrol_api(client, admin, series["id"], factory.beneficiary().id).status_code == 409


def test_a_course_without_any_capacity_takes_everyone(client, factory, admin):
    teacher = factory.person("teacher", languages=("bg",))
    answer = create(
        client,
        admin,
        series_body([teacher.id], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2", capacity=None),
    )
    people = [factory.beneficiary() for _ in range(3)]

    statuses = [enrol_api(client, admin, answer.json["id"], p.id).json["status"] for p in people]

    assert answer.json["seats"] is None
    assert statuses == ["enrolled"] * 3


@pytest.fixture
def own_engine(fresh_database):
    """An engine on a new database of its own, for tests that need several connections."""
    engine = make_engine(fresh_database())
    yield engine
    engine.dispose()


def test_two_people_asking_for_the_last_seat_at_once_get_one_seat_and_one_waitlist_place(
    own_engine, monkeypatch
):
    """Each thread has its own connection; the series row lock decides who gets the seat.

    Counting the seats is slowed down so that, without the lock, both would see one seat left.
    """
    make_session = sessionmaker(own_engine, expire_on_commit=False)
    with make_session() as session:
        factory = Factory(session)
        teacher, room = teacher_and_room(factory, capacity=2)
        series, _ = create_series(
            session,
            SeriesRequest(
                type="language_class",
                office="sofia",
                title="Bulgarian A1",
                rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=4",
                starts_at=datetime(2027, 3, 1, 10, tzinfo=SOFIA),
                ends_at=datetime(2027, 3, 1, 12, tzinfo=SOFIA),
                resource_ids=[teacher.id, room.id],
            ),
            Actor("tests"),
            BookingPolicy(),
        )
        session.commit()
        enrol(session, series.id, factory.beneficiary().id, Actor("tests"))
        session.commit()
        contenders = [factory.beneficiary().id for _ in range(2)]
        series_id = series.id
    real_count = enrolment_ops.count

    def slow_count(*args: object) -> int:
        taken = real_count(*args)  # type: ignore[arg-type]
        time.sleep(0.5)
        return taken

    monkeypatch.setattr(enrolment_ops, "count", slow_count)
    start = threading.Barrier(len(contenders))
    outcome: dict[int, str] = {}
    errors: list[BaseException] = []

    def ask(beneficiary_id: int) -> None:
        try:
            with make_session() as own:
                start.wait()
                enrolment = enrol(own, series_id, beneficiary_id, Actor(f"desk {beneficiary_id}"))
                own.commit()
                outcome[beneficiary_id] = enrolment.status
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(b,)) for b in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(outcome.values()) == ["enrolled", "waitlisted"]
    with make_session() as session:
        rows = session.scalars(select(Enrolment).where(Enrolment.series_id == series_id))
        assert sorted(r.status for r in rows) == ["enrolled", "enrolled", "waitlisted"]


def past_course(client, factory, headers, **extra):
    """A course of three Mondays already held, read through the API."""
    teacher, room = teacher_and_room(factory)
    series = planned_back_then(
        factory.session,
        series_body([teacher.id, room.id], start=PAST_START, rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3")
        | extra,
    )
    answer = client.get(f"/api/v1/series/{series.id}", headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json, occurrences(client, headers, series.id)


def mark(client, headers, series_id, occurrence_id, beneficiary_id, value):
    return client.put(
        f"/api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance/{beneficiary_id}",
        json={"mark": value},
        headers=headers,
    )


def test_attendance_gives_the_course_figures(client, factory, admin):
    series, held = past_course(client, factory, admin)
    a, b, c = (factory.beneficiary() for _ in range(3))
    for person in (a, b, c):
        enrol_api(client, admin, series["id"], person.id)
    marks = {
        a.id: ["present", "present", "present"],
        b.id: ["present", "excused", "present"],
        c.id: ["absent", "present", "absent"],
    }
    for person_id, values in marks.items():
        for occurrence, value in zip(held, values, strict=True):
            answer = mark(client, admin, series["id"], occurrence["id"], person_id, value)
            assert answer.status_code == 200, answer.json
    mark(client, admin, series["id"], held[0]["id"], c.id, "absent")  # corrected twice, once

    figures = client.get(f"/api/v1/series/{series['id']}/figures", headers=admin).json

    assert figures["enrolled"] == 3
    assert figures["held"] == 3
    assert (figures["present"], figures["absent"], figures["excused"]) == (6, 2, 1)
    assert figures["attendance_rate"] == 0.75
    assert figures["completed"] == 2  # c came once in three
    assert figures["completion_rate"] == round(2 / 3, 4)
    listed = client.get(
        f"/api/v1/series/{series['id']}/occurrences/{held[0]['id']}/attendance", headers=admin
    ).json
    assert [(m["beneficiary_id"], m["mark"]) for m in listed] == [
        (a.id, "present"),
        (b.id, "present"),
        (c.id, "absent"),
    ]


def test_attendance_is_only_for_enrolled_people_and_known_marks(client, factory, admin):
    series, held = past_course(client, factory, admin, capacity=1)
    seated, waiting = factory.beneficiary(), factory.beneficiary()
    enrol_api(client, admin, series["id"], seated.id)
    enrol_api(client, admin, series["id"], waiting.id)

    not_enrolled = mark(client, admin, series["id"], held[0]["id"], waiting.id, "present")
    late = mark(client, admin, series["id"], held[0]["id"], seated.id, "late")

    assert not_enrolled.status_code == 422
    assert "beneficiary_id" in not_enrolled.json["errors"]["json"]
    assert late.status_code == 422
    assert "mark" in late.json["errors"]["json"]


def test_attendance_waits_for_the_occurrence_to_start(client, factory, admin):
    series = course(client, factory, admin)
    person = factory.beneficiary()
    enrol_api(client, admin, series["id"], person.id)
    first = occurrences(client, admin, series["id"])[0]

    answer = mark(client, admin, series["id"], first["id"], person.id, "present")

    assert answer.status_code == 409


def test_community_event_with_languages_public_flag_and_walk_ins(client, factory, admin):
    room = factory.room("sofia", capacity=30)
    counsellor = factory.person("counsellor", languages=("ar", "uk"))
    planned = planned_back_then(
        factory.session,
        series_body(
            [counsellor.id, room.id],
            start=PAST_START,
            type="community_event",
            title="World Refugee Day picnic",
            rrule="FREQ=DAILY;COUNT=1",
            capacity=50,
            public=True,
            languages=["ar", "fa", "uk"],
        ),
    )
    event = client.get(f"/api/v1/series/{planned.id}", headers=admin).json
    guest = factory.beneficiary()
    enrol_api(client, admin, event["id"], guest.id)
    only = occurrences(client, admin, event["id"])[0]

    walk_ins = client.put(
        f"/api/v1/series/{event['id']}/occurrences/{only['id']}/walk-ins",
        json={"walk_ins": 17},
        headers=admin,
    )
    negative = client.put(
        f"/api/v1/series/{event['id']}/occurrences/{only['id']}/walk-ins",
        json={"walk_ins": -1},
        headers=admin,
    )

    assert (event["seats"], event["public"], event["languages"]) == (30, True, ["ar", "fa", "uk"])
    assert walk_ins.json["walk_ins"] == 17
    assert negative.status_code == 422
    figures = client.get(f"/api/v1/series/{event['id']}/figures", headers=admin).json
    assert (figures["enrolled"], figures["walk_ins"]) == (1, 17)
    public = client.get("/api/v1/series?public=true", headers=admin).json
    assert [s["id"] for s in public] == [event["id"]]


def test_split_carries_the_enrolments_over_in_order(client, factory, admin):
    series = course(client, factory, admin, capacity=2)
    people = [factory.beneficiary() for _ in range(3)]
    for person in people:
        enrol_api(client, admin, series["id"], person.id)
    fourth = occurrences(client, admin, series["id"])[3]

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={"occurrence_id": fourth["id"]},
        headers=admin,
    )

    assert answer.status_code == 201, answer.json
    assert roster(client, admin, answer.json["id"]) == [
        (people[0].id, "enrolled", None),
        (people[1].id, "enrolled", None),
        (people[2].id, "waitlisted", 1),
    ]
    assert answer.json["rrule"] == "FREQ=WEEKLY;BYDAY=MO;COUNT=5"


def test_a_seat_added_later_goes_to_the_waitlist_before_a_newcomer(client, factory, admin):
    series = course(client, factory, admin, room_capacity=1, capacity=None)
    first, waiting, newcomer = (factory.beneficiary() for _ in range(3))
    enrol_api(client, admin, series["id"], first.id)
    enrol_api(client, admin, series["id"], waiting.id)
    room = factory.session.get(Resource, series["resource_ids"][1])
    room.capacity = 2
    factory.session.commit()

    late = enrol_api(client, admin, series["id"], newcomer.id)

    assert late.json["status"] == "waitlisted"
    assert roster(client, admin, series["id"]) == [
        (first.id, "enrolled", None),
        (waiting.id, "enrolled", None),
        (newcomer.id, "waitlisted", 1),
    ]


def test_raising_the_capacity_seats_the_waitlist_and_is_audited(client, factory, admin):
    series = course(client, factory, admin, capacity=1)
    first, second, third = (factory.beneficiary() for _ in range(3))
    for person in (first, second, third):
        enrol_api(client, admin, series["id"], person.id)

    answer = client.patch(
        f"/api/v1/series/{series['id']}",
        json={"capacity": 2, "public": True, "languages": ["bg", "ar"]},
        headers=admin,
    )

    assert answer.status_code == 200, answer.json
    assert (answer.json["seats"], answer.json["public"], answer.json["languages"]) == (
        2,
        True,
        ["bg", "ar"],
    )
    assert roster(client, admin, series["id"]) == [
        (first.id, "enrolled", None),
        (second.id, "enrolled", None),
        (third.id, "waitlisted", 1),
    ]
    trail = client.get(f"/api/v1/series/{series['id']}/audit", headers=admin).json
    assert trail[-1]["action"] == "update"
    assert (trail[-1]["before"]["capacity"], trail[-1]["after"]["capacity"]) == (1, 2)


def test_lowering_the_capacity_takes_no_seat_away(client, factory, admin):
    series = course(client, factory, admin, capacity=3)
    people = [factory.beneficiary() for _ in range(3)]
    for person in people:
        enrol_api(client, admin, series["id"], person.id)

    client.patch(f"/api/v1/series/{series['id']}", json={"capacity": 1}, headers=admin)

    assert [s for _, s, _ in roster(client, admin, series["id"])] == ["enrolled"] * 3
    late = enrol_api(client, admin, series["id"], factory.beneficiary().id)
    assert late.json["status"] == "waitlisted"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"languages": ["xx"]}, "languages"),
        ({"capacity": 0}, "capacity"),
        ({"title": ""}, "title"),
        ({"public": "maybe"}, "public"),
        ({"rrule": "FREQ=DAILY;COUNT=2"}, "rrule"),
        ({"starts_at": "2027-03-02T10:00:00+02:00"}, "starts_at"),
    ],
)
def test_bad_series_updates_name_the_field(client, factory, admin, change, field):
    series = course(client, factory, admin)

    answer = client.patch(f"/api/v1/series/{series['id']}", json=change, headers=admin)

    assert answer.status_code == 422
    assert field in answer.json["errors"]["json"]
    assert client.get(f"/api/v1/series/{series['id']}", headers=admin).json == series


def test_a_whole_register_is_recorded_at_once_or_not_at_all(client, factory, admin):
    series, held = past_course(client, factory, admin, capacity=2)
    a, b, waiting = (factory.beneficiary() for _ in range(3))
    for person in (a, b, waiting):
        enrol_api(client, admin, series["id"], person.id)
    url = f"/api/v1/series/{series['id']}/occurrences/{held[1]['id']}/attendance"

    refused = client.put(
        url,
        json={
            "marks": [
                {"beneficiary_id": a.id, "mark": "present"},
                {"beneficiary_id": waiting.id, "mark": "present"},
            ]
        },
        headers=admin,
    )
    twice = client.put(
        url,
        json={
            "marks": [
                {"beneficiary_id": a.id, "mark": "present"},
                {"beneficiary_id": a.id, "mark": "absent"},
            ]
        },
        headers=admin,
    )
    assert client.get(url, headers=admin).json == []
    recorded = client.put(
        url,
        json={
            "marks": [
                {"beneficiary_id": a.id, "mark": "present"},
                {"beneficiary_id": b.id, "mark": "excused"},
            ]
        },
        headers=admin,
    )

    assert refused.status_code == 422
    assert "beneficiary_id" in refused.json["errors"]["json"]
    assert twice.status_code == 422
    assert "marks" in twice.json["errors"]["json"]
    assert recorded.status_code == 200, recorded.json
    assert [(m["beneficiary_id"], m["mark"]) for m in recorded.json] == [
        (a.id, "present"),
        (b.id, "excused"),
    ]
    figures = client.get(f"/api/v1/series/{series['id']}/figures", headers=admin).json
    assert [
        (o["occurrence_id"], o["present"], o["excused"]) for o in figures["per_occurrence"]
    ] == [
        (held[0]["id"], 0, 0),
        (held[1]["id"], 1, 1),
        (held[2]["id"], 0, 0),
    ]
