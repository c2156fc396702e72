"""Enrolment in a series: seats (the smaller of room and course capacity) and a waitlist in order.

Every enrolment change first locks the series row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite
serializes writers with BEGIN IMMEDIATE), so two people asking for the last seat at once get
one seat and one waitlist place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from service import feeds
from service.booking.audit import record_change
from service.booking.bookings import Actor, load_resources
from service.interpreters.interpreter_checks import avoid_only, person_rules
from service.interpreters.interpreter_needs import load_needs
from service.interpreters.interpreter_rules import InterpreterOverride, Needs, decide
from service.interpreters.language_match import LanguageOverride, check_language_match
from service.models import Beneficiary, Enrolment, Resource, Series
from service.models.series import MAX_ID, OPEN_STATUSES
from service.notify import outbox_series
from service.plumbing.clock import utcnow
from service.plumbing.errors import Conflict, Invalid, InvalidTransition, NotFound


def lock_series(session: Session, series_id: int) -> Series:
    """Load a series and hold its row until the transaction ends."""
    if not 0 < series_id <= MAX_ID:
        raise NotFound(f"No series with id {series_id}.").coded("series_unknown")
    series = session.scalar(
        select(Series)
        .where(Series.id == series_id)
        .options(selectinload(Series.office))
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if series is None:
        raise NotFound(f"No series with id {series_id}.").coded("series_unknown")
    return series


def _room_capacities(session: Session, resource_ids: Iterable[int]) -> dict[int, int]:
    rows = session.execute(
        select(Resource.id, Resource.capacity).where(
            Resource.id.in_(list(set(resource_ids))),
            Resource.kind == "room",
            Resource.capacity.is_not(None),
        )
    )
    return {row.id: row.capacity for row in rows}


def _smallest(series: Series, rooms: dict[int, int]) -> int | None:
    limits = [series.capacity, *(rooms[i] for i in series.resource_ids if i in rooms)]
    found = [c for c in limits if c is not None]
    return min(found) if found else None


def seats(session: Session, series: Series) -> int | None:
    """Return the seats of a series: the smallest of its course capacity and rooms' capacities."""
    return _smallest(series, _room_capacities(session, series.resource_ids))


def seats_of_many(session: Session, many: Sequence[Series]) -> dict[int, int | None]:
    """Return the seats of several series by id, in one query."""
    rooms = _room_capacities(session, (i for s in many for i in s.resource_ids))
    return {s.id: _smallest(s, rooms) for s in many}


def counts_of_many(session: Session, series_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Return how many are enrolled and waitlisted in each series, by id, in one query."""
    found: dict[int, dict[str, int]] = {i: {"enrolled": 0, "waitlisted": 0} for i in series_ids}
    rows = session.execute(
        select(Enrolment.series_id, Enrolment.status, func.count())
        .where(Enrolment.series_id.in_(list(series_ids)), Enrolment.status != "cancelled")
        .group_by(Enrolment.series_id, Enrolment.status)
    )
    for series_id, status, number in rows:
        found[series_id][status] = number
    return found


def count(session: Session, series: Series, status: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Enrolment)
            .where(Enrolment.series_id == series.id, Enrolment.status == status)
        )
        or 0
    )


def queue(session: Session, series: Series) -> list[Enrolment]:
    """Return the enrolled, then the waitlist in order (oldest request first)."""
    rows = session.scalars(
        select(Enrolment)
        .where(Enrolment.series_id == series.id, Enrolment.status != "cancelled")
        .order_by(Enrolment.requested_at, Enrolment.id)
    )
    ordered = list(rows)
    return [e for e in ordered if e.status == "enrolled"] + [
        e for e in ordered if e.status == "waitlisted"
    ]


def check_new_resources(session: Session, series: Series, resource_ids: Sequence[int]) -> None:
    """Refuse resources for a series whose interpreter shares no language with someone enrolled
    or waiting under the language rule (those enrolled with an override are not asked again)."""
    people = [e.beneficiary for e in queue(session, series) if not e.language_override_reason]
    resources = load_resources(session, resource_ids, "resource_ids")
    check_language_match(resources, people, LanguageOverride())


def enrolled_needs(session: Session, series: Series) -> list[Needs]:
    """What those enrolled or waiting need of the series' interpreters; for those enrolled
    with an interpreter override only their avoid list, which no override lifts."""
    rows = queue(session, series)
    needs = load_needs(session, [e.beneficiary for e in rows])
    return [
        avoid_only(n) if e.interpreter_override_reason else n
        for e, n in zip(rows, needs, strict=True)
    ]


def waitlist_position(session: Session, enrolment: Enrolment) -> int | None:
    """Return 1 for the first person on the waitlist, None for anyone not waiting."""
    if enrolment.status != "waitlisted":
        return None
    ahead = session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(
            Enrolment.series_id == enrolment.series_id,
            Enrolment.status == "waitlisted",
            (Enrolment.requested_at < enrolment.requested_at)
            | ((Enrolment.requested_at == enrolment.requested_at) & (Enrolment.id < enrolment.id)),
        )
    )
    return (ahead or 0) + 1


def announce(session: Session, enrolment: Enrolment, event: str) -> None:
    """Tell the beneficiary their enrolment changed: `enrolled`, `waitlisted`, `promoted`, `cancelled`.

    The one place enrolment confirmations, waitlist promotions and their reminders pass
    through, queued in the outbox in the same transaction.
    """
    outbox_series.on_enrolment_changed(session, enrolment, event)


def _image(enrolment: Enrolment) -> dict[str, object]:
    return {
        "series_id": enrolment.series_id,
        "beneficiary_id": enrolment.beneficiary_id,
        "status": enrolment.status,
        "requested_at": enrolment.requested_at.isoformat(),
        "language_override_reason": enrolment.language_override_reason,
        "interpreter_override_rules": enrolment.interpreter_override_rules,
        "interpreter_override_reason": enrolment.interpreter_override_reason,
    }


def enrol(
    session: Session,
    series_id: int,
    beneficiary_id: int,
    actor: Actor,
    now: datetime | None = None,
    language_override: LanguageOverride | None = None,
    interpreter_override: InterpreterOverride | None = None,
) -> Enrolment:
    """Give a beneficiary a seat, or the next waitlist place when the series is full.

    The series' interpreters must share a language with them, unless `language_override`,
    and meet their needs (gender, training) unless `interpreter_override`; an interpreter
    they avoid is refused whatever the override.
    """
    series = lock_series(session, series_id)
    if series.status not in OPEN_STATUSES:
        raise InvalidTransition(f"The series is {series.status}; it takes no enrolments.").coded(
            "series_closed_enrol"
        )
    person = session.get(Beneficiary, beneficiary_id) if 0 < beneficiary_id <= MAX_ID else None
    if person is None:
        raise Invalid("beneficiary_id", f"No beneficiary with id {beneficiary_id}.").coded(
            "beneficiary_unknown_id"
        )
    if person.erased_at is not None:
        raise Invalid(
            "beneficiary_id", f"The data of beneficiary {beneficiary_id} was erased."
        ).coded("beneficiary_erased", beneficiary=beneficiary_id)
    held = list(session.scalars(select(Resource).where(Resource.id.in_(series.resource_ids))))
    interpreters = [r for r in held if r.kind == "interpreter"]
    language = check_language_match(
        interpreters, [person], language_override or LanguageOverride(), "beneficiary_id"
    )
    matched = decide(
        person_rules(held, load_needs(session, [person]), series.type),
        interpreter_override or InterpreterOverride(),
        "beneficiary_id",
    )
    moment = now or utcnow()
    enrolment = session.scalar(
        select(Enrolment).where(
            Enrolment.series_id == series.id, Enrolment.beneficiary_id == beneficiary_id
        )
    )
    if enrolment is not None and enrolment.status != "cancelled":
        raise Conflict(f"Beneficiary {beneficiary_id} is already {enrolment.status}.").coded(
            "already_enrolled", beneficiary=beneficiary_id, status=enrolment.status
        )
    promote_waitlist(session, series, actor, moment)  # seats that grew go to those waiting
    limit = seats(session, series)
    full = limit is not None and count(session, series, "enrolled") >= limit
    status = "waitlisted" if full else "enrolled"
    if enrolment is None:
        enrolment = Enrolment(
            series_id=series.id, beneficiary_id=beneficiary_id, created_by=actor.name
        )
        session.add(enrolment)
    before = None if enrolment.id is None else _image(enrolment)
    enrolment.status = status
    enrolment.requested_at = moment
    enrolment.enrolled_at = None if full else moment
    enrolment.cancelled_at = None
    enrolment.language_override_reason = language.reason
    enrolment.interpreter_override_rules = matched.rules
    enrolment.interpreter_override_reason = matched.reason
    session.flush()
    record_change(
        session,
        actor=actor.name,
        action="enrol",
        entity="enrolment",
        entity_id=enrolment.id,
        before=before,
        after=_image(enrolment),
    )
    announce(session, enrolment, status)
    feeds.series_changed(session, series.id)  # full feeds show how many are enrolled
    return enrolment


def promote_waitlist(
    session: Session, series: Series, actor: Actor, now: datetime | None = None
) -> list[Enrolment]:
    """Give free seats to the waitlist, first come first served; return who moved up."""
    limit = seats(session, series)
    taken = count(session, series, "enrolled")
    promoted = []
    for enrolment in queue(session, series):
        if enrolment.status != "waitlisted":
            continue
        if limit is not None and taken >= limit:
            break
        before = _image(enrolment)
        enrolment.status = "enrolled"
        enrolment.enrolled_at = now or utcnow()
        taken += 1
        promoted.append(enrolment)
        record_change(
            session,
            actor=actor.name,
            action="promote",
            entity="enrolment",
            entity_id=enrolment.id,
            before=before,
            after=_image(enrolment),
        )
        announce(session, enrolment, "promoted")
    if promoted:
        feeds.series_changed(session, series.id)
    session.flush()
    return promoted


def get_enrolment(session: Session, series: Series, enrolment_id: int) -> Enrolment:
    enrolment = session.get(Enrolment, enrolment_id) if 0 < enrolment_id <= MAX_ID else None
    if enrolment is None or enrolment.series_id != series.id:
        raise NotFound(f"Series {series.id} has no enrolment {enrolment_id}.").coded(
            "enrolment_unknown"
        )
    return enrolment


def withdraw(
    session: Session,
    series_id: int,
    enrolment_id: int,
    actor: Actor,
    now: datetime | None = None,
) -> list[Enrolment]:
    """Cancel an enrolment or waitlist place; a freed seat goes to the waitlist at once."""
    series = lock_series(session, series_id)
    enrolment = get_enrolment(session, series, enrolment_id)
    if enrolment.status == "cancelled":
        raise InvalidTransition("The enrolment is already cancelled.").coded("enrolment_withdrawn")
    before = _image(enrolment)
    enrolment.status = "cancelled"
    enrolment.cancelled_at = now or utcnow()
    session.flush()
    announce(session, enrolment, "cancelled")
    record_change(
        session,
        actor=actor.name,
        action="withdraw",
        entity="enrolment",
        entity_id=enrolment.id,
        before=before,
        after=_image(enrolment),
    )
    feeds.series_changed(session, series.id)
    if series.status not in OPEN_STATUSES:
        return []
    return promote_waitlist(session, series, actor, now)


def carry_over(
    session: Session, old: Series, new: Series, actor: Actor, now: datetime | None = None
) -> None:
    """Enrol the people of `old` in `new` in their order (seats first, then the waitlist)."""
    limit = seats(session, new)
    taken = 0
    for previous in queue(session, old):
        full = limit is not None and taken >= limit
        enrolment = Enrolment(
            series_id=new.id,
            beneficiary_id=previous.beneficiary_id,
            status="waitlisted" if full else "enrolled",
            requested_at=previous.requested_at,
            enrolled_at=None if full else (previous.enrolled_at or now or utcnow()),
            created_by=actor.name,
            interpreter_override_rules=previous.interpreter_override_rules,
            interpreter_override_reason=previous.interpreter_override_reason,
        )
        taken += 0 if full else 1
        session.add(enrolment)
        session.flush()
        record_change(
            session,
            actor=actor.name,
            action="carry_over",
            entity="enrolment",
            entity_id=enrolment.id,
            before=None,
            after=_image(enrolment) | {"from_series_id": old.id},
        )
    feeds.series_changed(session, new.id)
