"""Demo data for the three offices: rooms, people, beneficiaries and a few weeks of bookings."""

from __future__ import annotations

import random
from datetime import time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.calendar_rules import closed_reason
from service.booking.policy import BookingPolicy
from service.demo.demo_matching import seed_matching
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.interpreters.language_match import qualifies
from service.models import Office, OpeningHours, Resource
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.errors import DomainError

OFFICES = [
    ("sofia", "Централен офис София", "Central office Sofia", "Sofia, demo address 1", "S"),
    (
        "burgas",
        "Регионален информационен и консултативен център за интеграция Бургас",
        "Regional information and consultation centre for integration, Burgas",
        "Burgas, demo address 2",
        "B",
    ),
    ("harmanli", "Офис Харманли", "Harmanli office", "Harmanli, demo address 3", "H"),
]
ROOMS = {"sofia": [12, 8, 6, 20], "burgas": [10, 6, 25], "harmanli": [8, 4, 15]}
INTERPRETER_LANGUAGES = [
    ["ar"],
    ["ar", "en"],
    ["ar", "fr"],
    ["ar"],
    ["fa"],
    ["fa", "prs"],
    ["prs"],
    ["prs", "ps"],
    ["ps"],
    ["ps", "ur"],
    ["kmr"],
    ["kmr", "ar"],
    ["ckb"],
    ["ckb", "kmr"],
    ["ur"],
    ["ur", "en"],
    ["uk"],
    ["uk", "ru"],
    ["ru"],
    ["ru", "uk"],
    ["en"],
    ["en", "fr"],
    ["fr"],
    ["ti"],
    ["ti", "ar"],
    ["so"],
    ["so", "ar"],
    ["ar", "ckb"],
    ["fa", "en"],
    ["uk", "en"],
]
BENEFICIARY_LANGUAGES = ["ar", "fa", "prs", "ps", "kmr", "ckb", "ur", "uk", "ru", "ti", "so", "fr"]
WEEKDAYS = range(5)


def _office_hours() -> list[OpeningHours]:
    return [OpeningHours(weekday=d, opens=time(9), closes=time(17, 30)) for d in WEEKDAYS]


def _person_hours(offices: list[str]) -> list[HoursSpec]:
    """Spread a person over their offices by weekday."""
    return [HoursSpec(offices[d % len(offices)], d, time(9), time(17, 30)) for d in WEEKDAYS]


def seed_demo(session: Session, *, only_if_empty: bool = False, seed: int = 7) -> str:
    if only_if_empty and session.scalar(select(Office.id).limit(1)) is not None:
        return "Demo data already present; nothing added."
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    for code, name_bg, name_en, address, place in OFFICES:
        session.add(
            Office(
                code=code,
                name_bg=name_bg,
                name_en=name_en,
                address=address,
                place_code=place,
                opening_hours=_office_hours(),
            )
        )
    session.flush()
    codes = [o[0] for o in OFFICES]
    rooms: dict[str, list[Resource]] = {}
    for code, capacities in ROOMS.items():
        rooms[code] = [
            create_resource(
                session,
                ResourceSpec(kind="room", name=f"{code.title()} room {n}", office=code, capacity=c),
            )
            for n, c in enumerate(capacities, start=1)
        ]
    interpreters = []
    for n, languages in enumerate(INTERPRETER_LANGUAGES, start=1):
        home = codes[n % 3]
        served = [home] if n % 4 else [home, codes[(n + 1) % 3]]
        interpreters.append(
            create_resource(
                session,
                ResourceSpec(
                    kind="interpreter",
                    name=f"Interpreter {n:02d} ({'/'.join(languages)})",
                    offices=served,
                    languages=languages,
                    modalities=["in_person", "phone", "video"] if n % 3 else ["in_person"],
                    working_hours=_person_hours(served),
                    locale="bg" if n % 2 else "en",
                    gender="female" if n % 2 else "male",
                    dialects=["ar-SY" if n % 2 else "ar-IQ"] if "ar" in languages else [],
                ),
            )
        )
    counsellors = []
    for n, speciality in enumerate(["psychological", "legal", "social"] * 3, start=1):
        counsellor = create_resource(
            session,
            ResourceSpec(
                kind="counsellor",
                name=f"Counsellor {n:02d} ({speciality})",
                offices=[codes[n % 3]],
                languages=["bg", "en"],
                specialities=[speciality],
                modalities=["in_person", "video"],
                working_hours=_person_hours([codes[n % 3]]),
            ),
        )
        counsellors.append((counsellor, speciality))
    for n in range(1, 7):
        create_resource(
            session,
            ResourceSpec(
                kind="teacher",
                name=f"Bulgarian teacher {n}",
                offices=[codes[n % 3]],
                languages=["bg"],
                working_hours=_person_hours([codes[n % 3]]),
            ),
        )
    beneficiaries = [
        register_beneficiary(
            session,
            BeneficiaryRequest(
                case_reference=f"BG-{2026}-{n:05d}",
                language=rng.choice(BENEFICIARY_LANGUAGES),
                phone=f"+35988{rng.randrange(1000000, 9999999)}" if n % 5 else None,
                sms_consent=bool(n % 5) and n % 7 != 0,
                discreet=n % 11 == 0,
                offices=[codes[n % 3]],
            ),
        )
        for n in range(1, 61)
    ]
    psychological = next(
        c for c, s in counsellors if s == "psychological" and c.office_codes == ["burgas"]
    )
    # The matching scene first: its course and sessions keep their slots.
    matching, scene = seed_matching(session, rooms, psychological)
    interpreters += matching
    # Each books only beneficiaries who share a language with the interpreter (and who have
    # no needs of an interpreter: those of the scene are booked there).
    booked = scene + _book_weeks(session, rng, interpreters, rooms, beneficiaries)
    return (
        f"Seeded {len(OFFICES)} offices, {sum(map(len, ROOMS.values()))} rooms, "
        f"{len(interpreters)} interpreters, 9 counsellors, 6 teachers, "
        f"{len(beneficiaries) + 3} beneficiaries (3 with needs of an interpreter) "
        f"and {booked} bookings."
    )


def _book_weeks(session, rng, interpreters, rooms, beneficiaries) -> int:  # type: ignore[no-untyped-def]
    actor, policy = Actor("demo seed", may_record_past=True), BookingPolicy()
    now = utcnow()
    today = to_sofia(now).date()
    booked = 0
    for offset in range(-7, 28):
        day = today + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(8):
            person = rng.choice(interpreters)
            office = rng.choice(person.office_codes)
            start = sofia_instant(day, time(rng.randrange(9, 16), rng.choice((0, 30))))
            room = rng.choice(rooms[office])
            speakers = [
                b for b in beneficiaries if office in b.office_codes and qualifies(person, [b])
            ]
            if not speakers or closed_reason(person.offices[0], day):
                continue
            beneficiary = rng.choice(speakers)
            try:
                with session.begin_nested():
                    create_booking(
                        session,
                        BookingRequest(
                            type="interpretation",
                            office=office,
                            starts_at=start,
                            ends_at=start + timedelta(hours=1),
                            resource_ids=[person.id, room.id],
                            beneficiary_ids=[beneficiary.id],
                            record_past=start <= now,  # last week's history, never announced
                            record_past_reason="Demo history" if start <= now else None,
                        ),
                        actor,
                        policy,
                    )
                booked += 1
            except DomainError:
                continue
    return booked
