"""Availability and suggest for beneficiaries: the hard rules leave interpreters out, the rest
come ranked with their reasons, in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from service.models import Booking
from tests.test_booking_round_trips import statements

SOFIA = ZoneInfo("Europe/Sofia")
MONDAY = datetime(2027, 2, 1, tzinfo=SOFIA)
TUESDAY = datetime(2027, 2, 2, tzinfo=SOFIA)


def query(start=TUESDAY, days=1, **extra):
    full = {
        "kind": "interpreter",
        "language": "ar",
        "office": "sofia",
        "start": start.isoformat(),
        "end": (start + timedelta(days=days)).isoformat(),
        "duration": 60,
    } | extra
    return {key: value for key, value in full.items() if value is not None}


def named(factory, name, **kwargs):
    """An Arabic interpreter called `name` (ties between equals go by name)."""
    interpreter = factory.interpreter(**kwargs)
    interpreter.name = name
    factory.session.commit()
    return interpreter


def available(client, headers, **extra):
    answer = client.get("/api/v1/availability", query_string=query(**extra), headers=headers)
    assert answer.status_code == 200, answer.json
    return answer.json


def offered(client, headers, **extra):
    return [row["resource_id"] for row in available(client, headers, **extra) if row["slots"]]


def days_offered(row):
    return {datetime.fromisoformat(s["starts_at"]).date() for s in row["slots"]}


def test_each_hard_rule_leaves_an_interpreter_out(client, factory, admin):
    kept = factory.interpreter(gender="female", trainings=("children",))
    avoided = factory.interpreter(gender="female", trainings=("children",))
    male = factory.interpreter(gender="male", trainings=("children",))
    unknown = factory.interpreter(trainings=("children",))
    untrained = factory.interpreter(gender="female")
    child = factory.needs(
        factory.beneficiary(), gender="female", child_trained=True, avoid=(avoided,)
    )
    everyone = [kept.id, avoided.id, male.id, unknown.id, untrained.id]

    assert offered(client, admin) == everyone
    assert offered(client, admin, beneficiary_ids=[child.id]) == [kept.id]
    shown = [row["resource_id"] for row in available(client, admin, beneficiary_ids=[child.id])]
    assert shown == [kept.id]  # left out, not listed with no time


def test_every_beneficiary_s_needs_count(client, factory, admin):
    first = factory.interpreter(gender="female")
    second = factory.interpreter(gender="female")
    wants_a_woman = factory.needs(factory.beneficiary(), gender="female")
    avoids_first = factory.needs(factory.beneficiary(), avoid=(first,))

    ids = [wants_a_woman.id, avoids_first.id]
    assert offered(client, admin, beneficiary_ids=ids) == [second.id]


def test_a_counselling_session_needs_an_interpreter_trained_for_it(client, factory, admin):
    trained = factory.interpreter(trainings=("psychological",))
    untrained = factory.interpreter(trainings=("legal_procedure",))
    psychological = {"type": "counselling", "speciality": "psychological"}

    assert offered(client, admin, **psychological) == [trained.id]
    legal = offered(client, admin, type="counselling", speciality="legal")
    assert legal == [untrained.id]
    assert sorted(offered(client, admin)) == sorted([trained.id, untrained.id])


def test_a_day_over_the_hour_limit_offers_nothing_for_the_limited_types(client, factory, admin):
    tired = factory.interpreter(max_hours_day=2)
    fresh = factory.interpreter(max_hours_day=2)
    factory.booking([tired], TUESDAY.replace(hour=9), minutes=90, type="counselling")

    rows = {r["resource_id"]: r for r in available(client, admin, days=2, type="counselling")}
    assert days_offered(rows[tired.id]) == {TUESDAY.date() + timedelta(days=1)}
    assert days_offered(rows[fresh.id]) == {TUESDAY.date(), TUESDAY.date() + timedelta(days=1)}
    # Interpretation is not a limited type (INTERPRETER_LIMITED_TYPES is counselling).
    rows = {r["resource_id"]: r for r in available(client, admin, days=2)}
    assert TUESDAY.date() in days_offered(rows[tired.id])
    # 30 minutes more keeps within the two hours.
    short = available(client, admin, type="counselling", duration=30)
    assert {r["resource_id"] for r in short if r["slots"]} == {fresh.id, tired.id}


def test_the_week_limit_counts_the_week_from_monday(client, factory, admin):
    tired = factory.interpreter(max_hours_week=2)
    factory.booking([tired], MONDAY.replace(hour=9), minutes=90, type="counselling")

    [row] = available(client, admin, days=7, type="counselling")
    next_monday = MONDAY.date() + timedelta(days=7)
    assert days_offered(row) == {next_monday}


def test_interpreters_come_ranked_with_their_reasons(client, factory, admin):
    iraqi = named(factory, "Amal", dialects=("ar-IQ",))
    unknown = named(factory, "Basma")
    syrian = named(factory, "Dana", dialects=("ar-SY",))
    syrian_busy = named(factory, "Chadi", dialects=("ar-SY",))
    beneficiary = factory.needs(factory.beneficiary(), dialect="ar-SY")
    factory.booking([syrian_busy], MONDAY.replace(hour=10), minutes=150)

    rows = available(client, admin, beneficiary_ids=[beneficiary.id])

    assert [r["resource_id"] for r in rows] == [syrian.id, syrian_busy.id, unknown.id, iraqi.id]
    assert [r["rank"] for r in rows] == [1, 2, 3, 4]
    assert rows[0]["reasons"] == [
        {"code": "dialect_match", "dialect": "ar-SY"},
        {"code": "month_hours", "hours": 0.0},
    ]
    assert rows[1]["reasons"][1] == {"code": "month_hours", "hours": 2.5}
    assert rows[3]["reasons"][0] == {"code": "other_dialect", "dialect": "ar-IQ", "wanted": "ar-SY"}


def test_continuity_puts_who_served_the_beneficiary_latest_first(client, factory, admin):
    earlier = named(factory, "Amal")
    later = named(factory, "Basma")
    cancelled = named(factory, "Chadi")
    stranger = named(factory, "Dana")
    person = factory.beneficiary()
    other = factory.beneficiary()
    jan = datetime(2027, 1, 12, 10, tzinfo=SOFIA)
    factory.booking([earlier], jan, beneficiary_ids=[person.id])
    factory.booking([later], jan + timedelta(days=8), beneficiary_ids=[person.id])
    factory.booking([stranger], jan + timedelta(days=9), beneficiary_ids=[other.id])
    gone = factory.booking([cancelled], jan + timedelta(days=10), beneficiary_ids=[person.id])
    answer = client.post(f"/api/v1/bookings/{gone.id}/cancel", json={"reason": "x"}, headers=admin)
    assert answer.status_code == 200

    rows = available(client, admin, beneficiary_ids=[person.id])

    assert [r["resource_id"] for r in rows] == [later.id, earlier.id, cancelled.id, stranger.id]
    assert rows[0]["reasons"][0] == {"code": "served_before", "last": "2027-01-20T10:00:00+02:00"}
    assert [r["code"] for r in rows[2]["reasons"]] == ["month_hours"]
    # Without beneficiaries, nobody served anybody.
    plain = available(client, admin)
    assert [r["resource_id"] for r in plain] == [earlier.id, later.id, cancelled.id, stranger.id]


def test_fairness_counts_the_hours_of_the_month_of_the_search(client, factory, admin):
    busy = named(factory, "Amal")
    idle = named(factory, "Basma")
    factory.booking([busy], MONDAY.replace(hour=9), minutes=120)
    factory.booking([idle], MONDAY.replace(hour=9) - timedelta(days=4), minutes=180)  # January

    rows = available(client, admin)

    assert [r["resource_id"] for r in rows] == [idle.id, busy.id]
    assert rows[1]["reasons"] == [{"code": "month_hours", "hours": 2.0}]


def test_travel_puts_who_is_already_at_the_office_first(client, factory, admin):
    away = named(factory, "Amal", offices=("sofia", "burgas"))
    nearby = named(factory, "Basma")
    here = named(factory, "Chadi")
    factory.booking([away], TUESDAY.replace(hour=9), office="burgas")
    factory.booking([here], TUESDAY.replace(hour=9))
    factory.booking([nearby], TUESDAY.replace(hour=9) + timedelta(days=7))  # same hours

    rows = available(client, admin)

    assert [r["resource_id"] for r in rows] == [here.id, nearby.id, away.id]
    assert rows[0]["reasons"][-1] == {"code": "same_office", "office": "sofia"}
    assert [r["code"] for r in rows[1]["reasons"]] == ["month_hours"]
    assert rows[2]["reasons"][-1] == {"code": "must_travel", "office": "burgas"}
    # By video nobody travels: the name decides.
    video = available(client, admin, modality="video")
    assert [r["resource_id"] for r in video] == [away.id, nearby.id, here.id]


def test_rooms_and_other_people_keep_their_order(client, factory, admin):
    room = factory.room()
    second = named(factory, "Zaid")
    counsellor = factory.person("counsellor", languages=("ar",))
    first = named(factory, "Amal")

    rows = available(client, admin, kind=None, language=None)

    assert [r["resource_id"] for r in rows] == [room.id, first.id, counsellor.id, second.id]
    assert [r["rank"] for r in rows] == [None, 1, None, 2]
    assert rows[0]["reasons"] == rows[2]["reasons"] == []


def test_an_override_is_not_carried_into_the_search(client, factory, admin, session):
    man = factory.interpreter(gender="male")
    woman = factory.interpreter(gender="female")
    person = factory.beneficiary()
    past = factory.booking([man], MONDAY.replace(hour=9), beneficiary_ids=[person.id])
    factory.needs(person, gender="female")
    stored = session.scalar(select(Booking).where(Booking.id == past.id))
    stored.interpreter_override_rules, stored.interpreter_override_reason = "gender", "no one else"
    session.commit()

    assert offered(client, admin, beneficiary_ids=[person.id]) == [woman.id]
    asked = offered(
        client,
        admin,
        beneficiary_ids=[person.id],
        interpreter_override="true",
        interpreter_override_reason="no one else",
    )
    assert asked == [woman.id]  # no such argument: an override is for booking


def test_suggest_refuses_an_interpreter_who_breaks_a_rule_without_the_avoid_reason(
    client, factory, admin
):
    avoided = named(factory, "Amal", gender="female")
    man = named(factory, "Basma", gender="male")
    person = factory.needs(factory.beneficiary(), gender="female", avoid=(avoided,))

    def suggest(resource):
        return client.get(
            "/api/v1/availability/suggest",
            query_string=query(resource_ids=[resource.id], beneficiary_ids=[person.id]),
            headers=admin,
        )

    refused = suggest(avoided)
    assert refused.status_code == 422
    message = refused.json["errors"]["query"]["resource_ids"][0]
    assert "Amal" in message and person.case_reference in message and "avoid" in message
    assert "known from home" not in refused.get_data(as_text=True)
    gender = suggest(man)
    assert gender.status_code == 422
    assert "female" in gender.json["errors"]["query"]["resource_ids"][0]


def test_suggest_offers_no_slot_on_a_day_over_the_hour_limit(client, factory, admin):
    tired = factory.interpreter(max_hours_day=1)
    factory.booking([tired], TUESDAY.replace(hour=9), type="counselling")

    answer = client.get(
        "/api/v1/availability/suggest",
        query_string=query(days=2, resource_ids=[tired.id], type="counselling", limit=100),
        headers=admin,
    )
    assert answer.status_code == 200
    days = {datetime.fromisoformat(s["starts_at"]).date() for s in answer.json}
    assert days == {TUESDAY.date() + timedelta(days=1)}


def test_the_search_costs_the_same_queries_for_two_interpreters_or_eight(
    client, factory, admin, session, engine
):
    person = factory.needs(factory.beneficiary(), gender="female", dialect="ar-SY")

    def queries_for(count):
        for _ in range(count):
            one = factory.interpreter(
                gender="female", dialects=("ar-SY",), trainings=("legal_procedure",)
            )
            factory.booking([one], TUESDAY.replace(hour=9), type="counselling")
        session.commit()
        with statements(engine) as sent:
            rows = available(client, admin, beneficiary_ids=[person.id], type="counselling")
        return len(sent), len(rows)

    few, listed = queries_for(2)
    many, listed_more = queries_for(6)
    assert (listed, listed_more) == (2, 8)
    assert many == few
