"""Bench data: the three demo offices and ~300 resources, interpreters and rooms with hours.

Resources go through `catalogue.create_resource`, so they are exactly what the API makes. The
languages cycle through the demo's interpreter language sets (8 of 30 include Arabic), and as
in the demo every fourth interpreter serves a second office, on alternate weekdays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from sqlalchemy.orm import Session

from bench.common import sized
from service.booking.calendar_rules import public_holiday
from service.demo.demo import INTERPRETER_LANGUAGES, OFFICES
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.models import Office, OpeningHours
from service.plumbing.clock import to_sofia, utcnow

OFFICE_CODES = [o[0] for o in OFFICES]
OPENS, CLOSES = time(9), time(17, 30)
WEEKDAYS = range(5)


@dataclass
class Interpreter:
    id: int
    offices: list[str]
    languages: list[str]

    def office_on(self, day: date) -> str:
        """The office this person works at on `day` (working hours spread by weekday)."""
        return self.offices[day.weekday() % len(self.offices)]


@dataclass
class Catalogue:
    office_ids: dict[str, int]
    interpreters: list[Interpreter] = field(default_factory=list)
    rooms: dict[str, list[int]] = field(default_factory=dict)

    @property
    def resource_count(self) -> int:
        return len(self.interpreters) + sum(map(len, self.rooms.values()))


def seed_catalogue(
    session: Session, *, interpreters: int = 240, rooms_per_office: int = 20
) -> Catalogue:
    """Add the offices (Mon-Fri 9:00-17:30) and the resources; flush, do not commit."""
    offices = {}
    for code, name_bg, name_en, address, place in OFFICES:
        office = Office(
            code=code,
            name_bg=name_bg,
            name_en=name_en,
            address=address,
            place_code=place,
            opening_hours=[OpeningHours(weekday=d, opens=OPENS, closes=CLOSES) for d in WEEKDAYS],
        )
        session.add(office)
        offices[code] = office
    session.flush()
    catalogue = Catalogue({code: o.id for code, o in offices.items()})
    for code in OFFICE_CODES:
        catalogue.rooms[code] = [
            create_resource(
                session,
                ResourceSpec(
                    kind="room", name=f"{code.title()} room {n}", office=code, capacity=4 + n % 20
                ),
            ).id
            for n in range(1, rooms_per_office + 1)
        ]
    for n in range(1, interpreters + 1):
        languages = INTERPRETER_LANGUAGES[(n - 1) % len(INTERPRETER_LANGUAGES)]
        home = OFFICE_CODES[n % 3]
        served = [home] if n % 4 else [home, OFFICE_CODES[(n + 1) % 3]]
        hours = [
            HoursSpec(served[d % len(served)], d, OPENS, CLOSES) for d in WEEKDAYS
        ]  # as service.demo.demo spreads a person over their offices
        resource = create_resource(
            session,
            ResourceSpec(
                kind="interpreter",
                name=f"Bench interpreter {n:03d} ({'/'.join(languages)})",
                offices=served,
                languages=languages,
                modalities=["in_person", "phone", "video"],
                working_hours=hours,
                locale="bg",
            ),
        )
        catalogue.interpreters.append(Interpreter(resource.id, served, list(languages)))
    return catalogue


def working_days(first: date, count: int) -> list[date]:
    """`count` weekdays from `first` on that are not Bulgarian public holidays."""
    days: list[date] = []
    day = first
    while len(days) < count:
        if day.weekday() < 5 and public_holiday(day) is None:
            days.append(day)
        day += timedelta(days=1)
    return days


def today_in_sofia() -> date:
    return to_sofia(utcnow()).date()


def year_of_working_days(first: date) -> list[date]:
    """The working days of the year that starts on `first` (of its first weeks in a smoke run)."""
    span = timedelta(days=sized(365, 21))
    return [d for d in working_days(first, 270) if d < first + span]
