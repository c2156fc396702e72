"""A booking create's round trips: messages in one INSERT (which looks up flagged numbers),
no lazy load of the new holds, the beneficiaries read once with their languages and needs,
reference data (tokens, offices, resources, closures, time off) from the process's cache."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from service.booking.bookings import get_booking
from service.models import OutboxMessage
from service.notify import outbox

SOFIA = ZoneInfo("Europe/Sofia")
TUESDAY_10 = datetime(2027, 2, 2, 10, 0, tzinfo=SOFIA)
PHONE = "+359888123456"


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


def booking_body(resource_ids, beneficiary_ids, start=TUESDAY_10):
    return {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "resource_ids": resource_ids,
        "beneficiary_ids": beneficiary_ids,
    }


def test_a_booking_queues_its_confirmation_and_reminders_in_one_insert(
    client, factory, admin, session, engine
):
    interpreter, room = factory.interpreter("ar"), factory.room()
    person = factory.beneficiary(phone=PHONE, sms_consent=True)
    session.commit()

    with statements(engine) as sent:
        answer = client.post(
            "/api/v1/bookings",
            json=booking_body([interpreter.id, room.id], [person.id]),
            headers=admin,
        )

    assert answer.status_code == 201, answer.json
    kinds = sorted(
        session.scalars(
            select(OutboxMessage.kind).where(OutboxMessage.booking_id == answer.json["id"])
        )
    )
    assert kinds == ["confirmation", "reminder", "reminder"]
    outbox_writes = [s for s in sent if s.startswith("INSERT INTO sms_outbox")]
    assert len(outbox_writes) == 1
    assert not [s for s in sent if s.startswith("SELECT sms_outbox.id")]  # no key lookups
    assert not [s for s in sent if s.startswith("SELECT sms_flagged_numbers")]  # in the INSERT
    hold_reads = [s for s in sent if s.startswith("SELECT") and " FROM holds" in s]
    assert len(hold_reads) == 1  # the conflict check; the new booking's holds are not loaded
    beneficiary_reads = [s for s in sent if s.startswith("SELECT") and "beneficiar" in s]
    assert len(beneficiary_reads) == 1  # the access check, with languages, needs, avoided
    assert "interpreter_needs" in beneficiary_reads[0]
    assert "avoided_interpreters" in beneficiary_reads[0]


def test_a_message_already_queued_under_its_key_is_not_queued_again(
    client, factory, admin, session
):
    interpreter = factory.interpreter("ar")
    person = factory.beneficiary(phone=PHONE, sms_consent=True)
    session.commit()
    booked = client.post(
        "/api/v1/bookings", json=booking_body([interpreter.id], [person.id]), headers=admin
    ).json
    before = sorted(
        session.scalars(select(OutboxMessage.id).where(OutboxMessage.booking_id == booked["id"]))
    )

    booking = get_booking(session, booked["id"])
    outbox.on_booking_created(session, booking)  # the same keys again
    session.commit()

    after = sorted(
        session.scalars(select(OutboxMessage.id).where(OutboxMessage.booking_id == booked["id"]))
    )
    assert after == before and len(before) == 3


CACHED = ("api_tokens", "offices", "opening_hours", "closures", "resources", "time_off")


def test_a_warm_create_reads_the_reference_data_from_the_cache(
    client, factory, admin, session, engine, is_postgres
):
    interpreter, room = factory.interpreter("ar"), factory.room()
    person = factory.beneficiary(phone=PHONE, sms_consent=True)
    session.commit()
    body = booking_body([interpreter.id, room.id], [person.id])
    assert client.post("/api/v1/bookings", json=body, headers=admin).status_code == 201

    with statements(engine) as sent:
        later = booking_body([interpreter.id, room.id], [person.id], TUESDAY_10 + timedelta(7))
        assert client.post("/api/v1/bookings", json=later, headers=admin).status_code == 201

    sent = [s for s in sent if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    reads = [s for s in sent if s.startswith("SELECT")]
    assert "FROM reference_generation" in reads[0]  # the one read of the cached data
    assert not [s for s in reads if any(f" FROM {table} " in f"{s} " for table in CACHED)]
    # 26 before the cache (27 on PostgreSQL: its advisory lock, and the travel check's read)
    assert len(sent) <= (20 if is_postgres else 18), sent
