"""Builders of test objects: offices, people, rooms, beneficiaries, tokens and bookings."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.auth import issue_token
from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.interpreters.interpreter_needs import NeedsChange, avoid_interpreter, set_needs
from service.models import Booking, Closure, Office, OpeningHours, Resource

OFFICE_NAMES = {
    "sofia": ("София", "Sofia", "S"),
    "burgas": ("Бургас", "Burgas", "B"),
    "harmanli": ("Харманли", "Harmanli", "H"),
}
WEEKDAYS = range(5)
T = TypeVar("T")


class Factory:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.count = 0

    def office(
        self, code: str = "sofia", opens: time = time(9), closes: time = time(17, 30)
    ) -> Office:
        found = self.session.scalar(select(Office).where(Office.code == code))
        if found is not None:
            return found
        name_bg, name_en, place = OFFICE_NAMES.get(code, (code, code, code[:1].upper()))
        office = Office(
            code=code,
            name_bg=name_bg,
            name_en=name_en,
            address=f"{name_en}, ul. Primerna 1",
            place_code=place,
            opening_hours=[OpeningHours(weekday=d, opens=opens, closes=closes) for d in WEEKDAYS],
        )
        self.session.add(office)
        self.session.commit()
        return office

    def offices(self) -> list[Office]:
        return [self.office(code) for code in OFFICE_NAMES]

    def closure(self, code: str, day: Any, reason: str = "staff training") -> Closure:
        closure = Closure(office=self.office(code), day=day, reason=reason)
        self.session.add(closure)
        self.session.commit()
        return closure

    def person(
        self,
        kind: str = "interpreter",
        *,
        offices: tuple[str, ...] = ("sofia",),
        languages: tuple[str, ...] = ("ar",),
        modalities: tuple[str, ...] = ("in_person", "phone", "video"),
        starts: time = time(9),
        ends: time = time(17, 30),
        weekdays: range = WEEKDAYS,
        **extra: Any,
    ) -> Resource:
        for code in offices:
            self.office(code)
        self.count += 1
        hours = [HoursSpec(code, d, starts, ends) for code in offices for d in weekdays]
        return self._saved(
            create_resource(
                self.session,
                ResourceSpec(
                    kind=kind,
                    name=f"{kind.title()} {self.count}",
                    offices=offices,
                    languages=languages,
                    modalities=modalities,
                    working_hours=hours,
                    **extra,
                ),
            )
        )

    def interpreter(self, *languages: str, **kwargs: Any) -> Resource:
        return self.person("interpreter", languages=languages or ("ar",), **kwargs)

    def room(self, office: str = "sofia", capacity: int = 8) -> Resource:
        self.office(office)
        self.count += 1
        return self._saved(
            create_resource(
                self.session,
                ResourceSpec(
                    kind="room", name=f"Room {self.count}", office=office, capacity=capacity
                ),
            )
        )

    def beneficiary(self, **kwargs: Any) -> Any:
        self.count += 1
        values = {"case_reference": f"T-{self.count:05d}", "language": "ar"} | kwargs
        values.setdefault("offices", ("sofia",))
        for code in values["offices"]:
            self.office(code)
        return self._saved(register_beneficiary(self.session, BeneficiaryRequest(**values)))

    def needs(
        self,
        beneficiary: Any,
        *,
        gender: str | None = None,
        dialect: str | None = None,
        child_trained: bool = False,
        avoid: tuple[Resource, ...] = (),
    ) -> Any:
        """Record what `beneficiary` needs of an interpreter, and whom they avoid."""
        set_needs(self.session, beneficiary, NeedsChange(gender, dialect, child_trained), "tests")
        for interpreter in avoid:
            avoid_interpreter(self.session, beneficiary, interpreter.id, "known from home", "tests")
        return self._saved(beneficiary)

    def token(self, role: str = "admin", **kwargs: Any) -> str:
        if role == "coordinator" and "offices" not in kwargs:
            kwargs["offices"] = ["sofia"]
        for code in kwargs.get("offices", ()):
            self.office(code)
        _, secret = issue_token(self.session, name=f"{role} {self.count}", role=role, **kwargs)
        self.session.commit()
        return secret

    def headers(self, role: str = "admin", **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(role, **kwargs)}"}

    def booking(
        self,
        resources: list[Resource],
        starts_at: datetime,
        minutes: int = 60,
        office: str = "sofia",
        policy: BookingPolicy | None = None,
        **kwargs: Any,
    ) -> Booking:
        """Book `resources`; `record_past=True` records one that has started (as an admin)."""
        self.office(office)
        if kwargs.get("record_past"):
            kwargs.setdefault("record_past_reason", "recorded in a test")
        request = BookingRequest(
            type=kwargs.pop("type", "interpretation"),
            office=office,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            resource_ids=[r.id for r in resources],
            **kwargs,
        )
        return self._saved(
            create_booking(
                self.session,
                request,
                Actor("tests", may_record_past=True),
                policy or BookingPolicy(),
            )
        )

    def _saved(self, obj: T) -> T:
        """Commit what was built, as a request would (only a savepoint inside a test)."""
        self.session.commit()
        return obj
