"""A booking request for tests that hold its interpreter's lock from another connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from tests.factories import Factory
from tests.feed_helpers import working_day


def seed_booking_request(
    engine: Engine, *, with_beneficiary: bool = True
) -> tuple[dict[str, str], dict[str, Any], int]:
    """An admin's headers, a booking request for a new Arabic interpreter (and, by default, a
    consenting Arabic-speaking beneficiary), and the interpreter's id."""
    with Session(engine) as session:
        factory = Factory(session)
        headers = factory.headers("admin")
        interpreter_id = factory.interpreter("ar").id
        body: dict[str, Any] = {"type": "interpretation", "office": "sofia"}
        if with_beneficiary:
            person = factory.beneficiary(phone="+359888123456", sms_consent=True, language="ar")
            body["beneficiary_ids"] = [person.id]
    start = working_day(10)
    body |= {
        "resource_ids": [interpreter_id],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
    }
    return headers, body, interpreter_id


def hold_booking_lock(connection: Connection, resource_id: int) -> None:
    """Take the lock a booking of `resource_id` takes, as another booking in progress does."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": resource_id})
