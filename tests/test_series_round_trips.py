"""A series of 24 classes commits in a few round trips: one INSERT per table, not per class."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from service.models import Booking, FeedChangeLog, Hold
from tests.test_booking_round_trips import statements
from tests.test_series import create, series_body, teacher_and_room

# The plan still asks for time off once per date (bookings.check_rules); everything else is
# one statement per table or per series, the test's savepoints and the answer's reads included.
FIXED_STATEMENTS = 36


def _inserts(sent: list[str]) -> Counter[str]:
    return Counter(s.split()[2] for s in sent if s.startswith("INSERT INTO"))


def test_a_series_of_24_classes_is_written_with_one_insert_per_table(
    client, factory, admin, session, engine
):
    teacher, room = teacher_and_room(factory)
    interpreter = factory.interpreter("ar")
    session.commit()

    with statements(engine) as sent:
        answer = create(client, admin, series_body([teacher.id, room.id, interpreter.id]))

    assert answer.status_code == 201, answer.json
    booked = session.scalars(select(Booking.id).where(Booking.series_id == answer.json["id"]))
    occurrences = len(booked.all())
    assert occurrences >= 20  # 24 dates, holidays skipped
    held = (
        select(func.count()).select_from(Hold).join(Booking).where(Booking.series_id.is_not(None))
    )
    assert session.scalar(held) == 3 * occurrences
    inserts = _inserts(sent)
    batched = ["feed_items", "feed_memberships", "feed_change_log"]
    if engine.dialect.name == "postgresql":  # SQLite's RETURNING gives the new ids row by row
        batched += ["bookings", "holds"]
    for table in batched:
        assert inserts[table] == 1, (table, inserts)
    assert inserts["audit_log"] == 2  # the classes in one, the series in another
    assert not [s for s in sent if " FROM booking_beneficiaries" in s]  # nothing lazy-loaded
    assert len([s for s in sent if s.startswith("SELECT") and " FROM holds " in s]) <= 3
    if engine.dialect.name == "postgresql":
        assert len(sent) <= occurrences + FIXED_STATEMENTS, "\n".join(sent)
    logged = session.scalars(select(FeedChangeLog.scope)).all()
    assert sorted(logged) == sorted(set(logged))  # each scope logged once
