"""The interpreter matching rules at booking time: load the facts, find the breaches, decide.

Bookings, series (their occurrences) and enrolment call these, so that the rules of
`service/interpreters/interpreter_rules.py` are applied alike everywhere. The hours an interpreter already
holds are counted only once the booking's resources are locked (`lock_resources`: advisory
locks on PostgreSQL), so two bookings racing for one interpreter cannot both pass a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from service.booking.holds import lock_resources
from service.booking.policy import BookingPolicy
from service.interpreters.interpreter_hours import booked_day_and_week, sofia_day, sofia_week
from service.interpreters.interpreter_rules import (
    OVERRIDABLE,
    BookedMinutes,
    Breach,
    HourLimits,
    InterpreterOverride,
    Needs,
    Overridden,
    decide,
    hour_breaches,
    person_breaches,
    required_trainings,
)
from service.models import Resource


@dataclass(frozen=True)
class Sitting:
    """One session an interpreter would do; `replaces` is the booking it moves, if any."""

    type: str
    starts_at: datetime
    ends_at: datetime
    replaces: int | None = None


def avoid_only(needs: Needs) -> Needs:
    """The needs reduced to the avoid list: for someone whose other rules were overridden."""
    return Needs(needs.beneficiary_id, needs.case_reference, avoided=needs.avoided)


def person_rules(
    resources: Sequence[Resource], needs: Sequence[Needs], booking_type: str
) -> list[Breach]:
    """The avoid, gender and training rules the interpreters among `resources` break."""
    interpreters = [r for r in resources if r.kind == "interpreter"]
    if not interpreters or (not needs and booking_type != "counselling"):
        return []
    specialities = {s for r in resources if r.kind != "interpreter" for s in r.specialities}
    required = required_trainings(booking_type, specialities, needs)
    return [b for i in interpreters for b in person_breaches(i, needs, required)]


def hour_rules(
    session: Session, resources: Sequence[Resource], sitting: Sitting, policy: BookingPolicy
) -> list[Breach]:
    """The hour limits the interpreters among `resources` would pass with this session.

    Lock every resource of the booking first (the same set, in the same order, as holding
    them does), then count what each interpreter already holds.
    """
    limited = [
        (r, limits)
        for r in resources
        if r.kind == "interpreter" and sitting.type in (limits := HourLimits.of(r, policy)).types
    ]
    if not limited:
        return []
    lock_resources(session, [r.id for r in resources])
    found = []
    for interpreter, limits in limited:
        booked = booked_day_and_week(
            session,
            [interpreter.id],
            sitting.starts_at,
            limits.types,
            except_booking=sitting.replaces,
        )[interpreter.id]
        found += hour_breaches(
            interpreter, limits, booked, sitting.type, sitting.ends_at - sitting.starts_at
        )
    return found


def series_hour_rules(
    session: Session,
    resources: Sequence[Resource],
    booking_type: str,
    spans: Sequence[tuple[datetime, datetime]],
    policy: BookingPolicy,
) -> list[list[Breach]]:
    """The hour limits each new occurrence of a series would pass, in order.

    What the interpreters already hold is read per occurrence (only for interpreters whose
    limits count this type); the earlier new occurrences, not yet written, are added to it.
    """
    found: list[list[Breach]] = [[] for _ in spans]
    limited = [
        (r, limits)
        for r in resources
        if r.kind == "interpreter" and booking_type in (limits := HourLimits.of(r, policy)).types
    ]
    if not limited:
        return found
    lock_resources(session, [r.id for r in resources])
    for interpreter, limits in limited:
        for n, (starts_at, ends_at) in enumerate(spans):
            held = booked_day_and_week(session, [interpreter.id], starts_at, limits.types)
            earlier = spans[:n]
            booked = BookedMinutes(
                held[interpreter.id].day + _minutes_within(earlier, sofia_day(starts_at)),
                held[interpreter.id].week + _minutes_within(earlier, sofia_week(starts_at)),
            )
            found[n] += hour_breaches(
                interpreter, limits, booked, booking_type, ends_at - starts_at
            )
    return found


def _minutes_within(
    spans: Sequence[tuple[datetime, datetime]], window: tuple[datetime, datetime]
) -> int:
    """Minutes of `spans` inside `window`, clipped as the held minutes are."""
    start, end = window
    return sum(
        int((min(e, end) - max(s, start)) / timedelta(minutes=1))
        for s, e in spans
        if s < end and e > start
    )


def check_interpreters(
    session: Session,
    resources: Sequence[Resource],
    needs: Sequence[Needs],
    sitting: Sitting,
    policy: BookingPolicy,
    override: InterpreterOverride,
    field_name: str = "resource_ids",
) -> Overridden:
    """Refuse an interpreter who breaks a rule for this session, unless overridden.

    Return what to store on the booking (nothing when no rule is broken).
    """
    breaches = person_rules(resources, needs, sitting.type)
    breaches += hour_rules(session, resources, sitting, policy)
    return decide(breaches, override, field_name)


def recheck_interpreters(
    session: Session,
    resources: Sequence[Resource],
    needs: Sequence[Needs],
    sitting: Sitting,
    policy: BookingPolicy,
    stored: Overridden,
    requested: InterpreterOverride | None,
) -> Overridden:
    """Check a booking that moves: a new override when one is asked for, else the one it has.

    The stored override still covers the rules it named (with the reason given then); a rule
    broken anew needs a new override. None broken any more: nothing is kept.
    """
    if requested is not None:
        return check_interpreters(session, resources, needs, sitting, policy, requested)
    breaches = person_rules(resources, needs, sitting.type)
    breaches += hour_rules(session, resources, sitting, policy)
    covered = set((stored.rules or "").split(",")) - {""} if stored.reason else set()
    decide([b for b in breaches if b.rule not in covered], InterpreterOverride())
    if not breaches:
        return Overridden()
    rules = sorted({b.rule for b in breaches}, key=OVERRIDABLE.index)
    return Overridden(",".join(rules), stored.reason)
