"""The demo shows each matching rule, and none of its bookings breaks one."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from service.demo.demo import seed_demo
from service.interpreters.interpreter_needs import load_needs
from service.interpreters.interpreter_rules import person_breaches, required_trainings
from service.models import Beneficiary, Booking, Resource
from service.plumbing.clock import to_sofia


def _named(session, start: str) -> Resource:
    return session.scalar(select(Resource).where(Resource.name.startswith(start)))


def _case(session, reference: str) -> Beneficiary:
    return session.scalar(select(Beneficiary).where(Beneficiary.case_reference == reference))


def test_the_demo_shows_each_rule_and_books_no_interpreter_against_one(session):
    seed_demo(session)
    bookings = session.scalars(select(Booking)).all()

    interpreters = session.scalars(select(Resource).where(Resource.kind == "interpreter")).all()
    dialects = {d for i in interpreters for d in i.dialects}
    assert {"ar-SY", "ar-IQ"} <= dialects
    assert {"female", "male"} <= {i.gender for i in interpreters}
    survivor, neighbour, child = (
        load_needs(session, [_case(session, f"BG-2026-{n:05d}")])[0] for n in (61, 62, 63)
    )
    assert (survivor.gender, survivor.dialect) == ("female", "ar-SY")
    assert survivor.avoided == {_named(session, "Huda M.").id}
    assert neighbour.avoided == {_named(session, "Omar S.").id}
    assert child.child_trained

    course = [b for b in bookings if survivor.beneficiary_id in b.beneficiary_ids]
    assert len(course) >= 4 and {b.type for b in course} == {"counselling"}
    layla = _named(session, "Layla H.")
    assert all(layla.id in b.resource_ids for b in course)  # continuity
    assert any(child.beneficiary_id in b.beneficiary_ids for b in bookings)

    counselling_minutes: dict[tuple[int, object], float] = defaultdict(float)
    for booking in bookings:
        people = [row.beneficiary for row in booking.attendee_rows]
        held = [hold.resource for hold in booking.holds]
        specialities = {s for r in held if r.kind == "counsellor" for s in r.specialities}
        needs = load_needs(session, people)
        required = required_trainings(booking.type, specialities, needs)
        for interpreter in (r for r in held if r.kind == "interpreter"):
            assert person_breaches(interpreter, needs, required) == [], booking.id
            if booking.type == "counselling":
                day = to_sofia(booking.starts_at).date()
                minutes = (booking.ends_at - booking.starts_at) / timedelta(minutes=1)
                counselling_minutes[interpreter.id, day] += minutes
    assert max(counselling_minutes.values()) <= 5 * 60  # the default day's limit
