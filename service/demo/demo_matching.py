"""Demo data for interpreter matching: one scene for each rule, booked so that none is broken.

* Arabic interpreters of two dialects (ar-SY, ar-IQ), women and men, with trainings;
* BG-2026-00061 in Burgas asks for a woman who speaks Syrian Arabic and avoids Huda M. (a
  Syrian-Arabic woman herself): her psychological counselling course is held, week after
  week, with Layla H., trained for it: continuity;
* BG-2026-00062 in Sofia avoids Omar S. (from their village), and is booked with Nour A.;
* BG-2026-00063 in Sofia is a child, booked with Nour A., trained to interpret for children.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy.orm import Session

from service.booking.bookings import Actor, BookingRequest, change_status, create_booking
from service.booking.calendar_rules import closed_reason
from service.booking.policy import BookingPolicy
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.interpreters.interpreter_needs import NeedsChange, avoid_interpreter, set_needs
from service.models import Beneficiary, Resource
from service.plumbing.clock import sofia_instant, to_sofia, utcnow

DEMO = "demo seed"
WEEKDAYS = range(5)


@dataclass(frozen=True)
class Offer:
    name: str
    offices: tuple[str, ...]
    gender: str
    dialects: tuple[str, ...]
    trainings: tuple[str, ...]
    languages: tuple[str, ...] = ("ar",)


OFFERS = (
    Offer(
        "Layla H.", ("burgas",), "female", ("ar-SY",), ("psychological", "children"), ("ar", "en")
    ),
    Offer("Huda M.", ("burgas",), "female", ("ar-SY",), ("psychological",)),
    Offer("Samir K.", ("burgas", "sofia"), "male", ("ar-SY",), ("legal_procedure",)),
    Offer("Nour A.", ("sofia",), "female", ("ar-IQ",), ("children",)),
    Offer("Omar S.", ("sofia",), "male", ("ar-IQ",), ()),
)


def _hours(offices: Sequence[str]) -> list[HoursSpec]:
    return [HoursSpec(offices[d % len(offices)], d, time(9), time(17, 30)) for d in WEEKDAYS]


def _interpreters(session: Session) -> dict[str, Resource]:
    return {
        offer.name: create_resource(
            session,
            ResourceSpec(
                kind="interpreter",
                name=f"{offer.name} ({', '.join(offer.dialects)})",
                offices=offer.offices,
                languages=offer.languages,
                modalities=["in_person", "phone", "video"],
                working_hours=_hours(offer.offices),
                locale="bg",
                gender=offer.gender,
                dialects=offer.dialects,
                trainings=offer.trainings,
            ),
        )
        for offer in OFFERS
    }


def _beneficiary(session: Session, number: int, office: str) -> Beneficiary:
    return register_beneficiary(
        session,
        BeneficiaryRequest(case_reference=f"BG-2026-{number:05d}", language="ar", offices=[office]),
    )


def _weekday(start: date, weekday: int, weeks: int) -> date:
    """The `weekday` of the week `weeks` after the one of `start`."""
    return start - timedelta(days=start.weekday() - weekday) + timedelta(weeks=weeks)


def _book(
    session: Session,
    kind: str,
    room: Resource | None,
    day: date,
    resources: Sequence[Resource],
    beneficiary: Beneficiary,
) -> bool:
    """Book an hour at 10:00 on `day` (recorded as done when past); False on a closed day.

    The office is the room's, or without a room the first interpreter's.
    """
    place = resources[0].offices[0] if room is None else room.room_office
    if place is None or closed_reason(place, day):
        return False
    start, now = sofia_instant(day, time(10)), utcnow()
    actor = Actor(DEMO, may_record_past=True)
    booking = create_booking(
        session,
        BookingRequest(
            type=kind,
            office=place.code,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            resource_ids=[r.id for r in resources],
            beneficiary_ids=[beneficiary.id],
            record_past=start <= now,
            record_past_reason="Demo history" if start <= now else None,
        ),
        actor,
        BookingPolicy(),
    )
    if start <= now:
        change_status(session, booking, "complete", actor, tell_attendees=False)
    return True


def seed_matching(
    session: Session, rooms: dict[str, list[Resource]], counsellor: Resource
) -> tuple[list[Resource], int]:
    """Add the matching scene; return its interpreters and how many bookings it made.

    Run before the random weeks, so that their slots are free; `counsellor` is a psychological
    counsellor of Burgas.
    """
    people = _interpreters(session)
    survivor = _beneficiary(session, 61, "burgas")
    set_needs(session, survivor, NeedsChange(gender="female", dialect="ar-SY"), DEMO)
    avoid_interpreter(
        session, survivor, people["Huda M."].id, "Known to the family of the trafficker.", DEMO
    )
    neighbour = _beneficiary(session, 62, "sofia")
    set_needs(session, neighbour, NeedsChange(dialect="ar-IQ"), DEMO)
    avoid_interpreter(
        session, neighbour, people["Omar S."].id, "From the same village; fears gossip.", DEMO
    )
    child = _beneficiary(session, 63, "sofia")
    set_needs(session, child, NeedsChange(dialect="ar-IQ", child_trained=True), DEMO)
    today = to_sofia(utcnow()).date()
    room = rooms["burgas"][1]
    course = [
        ("counselling", room, _weekday(today, 1, weeks), [people["Layla H."], counsellor, room],
         survivor)
        for weeks in range(-2, 4)
    ]  # fmt: skip
    single = [
        ("interpretation", None, _weekday(today, 0, 1), [people["Nour A."]], neighbour),
        ("interpretation", None, _weekday(today, 2, 1), [people["Nour A."]], child),
    ]
    booked = sum(_book(session, *scene) for scene in [*course, *single])
    return list(people.values()), booked
