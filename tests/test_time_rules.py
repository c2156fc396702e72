"""Time sanity: nothing is booked, moved or planned in the past or outside 2000-2100, except a
booking an admin records after the fact (with a reason, audited, never announced by SMS)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.booking.time_rules import check_not_past, check_year_range
from service.demo.demo import seed_demo
from service.models import AuditEntry, Booking, OutboxMessage
from service.plumbing.clock import utcnow
from service.plumbing.errors import Invalid
from service.series.series import SeriesRequest, plan_series
from tests.test_bookings_api import body
from tests.test_series import create, occurrences, series_body, teacher_and_room

SOFIA = ZoneInfo("Europe/Sofia")
FUTURE_MONDAY_10 = datetime(2027, 3, 1, 10, 0, tzinfo=SOFIA)


def past(days: int = 4) -> datetime:
    """An hour on the hour `days` ago (1 December when today is 5 December)."""
    return (utcnow() - timedelta(days=days)).replace(minute=0, second=0, microsecond=0)


def error_fields(answer) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == 422, answer.json
    return answer.json["errors"]["json"]


def outbox_rows(session, booking_id: int) -> int:  # type: ignore[no-untyped-def]
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id)
    )


# The rule itself


def test_a_start_within_the_grace_passes_and_one_before_it_names_the_field():
    now = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    check_not_past("starts_at", now - timedelta(minutes=4), now, timedelta(minutes=5))
    with pytest.raises(Invalid) as refused:
        check_not_past("first_day", now - timedelta(minutes=6), now, timedelta(minutes=5))
    assert refused.value.field == "first_day"


@pytest.mark.parametrize("year", [1999, 2101, 9999])
def test_years_outside_2000_to_2100_are_refused_naming_the_field(year):
    with pytest.raises(Invalid) as refused:
        check_year_range(starts_at=None, ends_at=datetime(year, 1, 1, tzinfo=UTC))
    assert refused.value.field == "ends_at"


# Bookings through the API


def test_a_booking_on_1_december_is_refused_with_422_naming_starts_at(client, factory, admin):
    interpreter = factory.interpreter()

    answer = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=past()), headers=admin
    )

    assert "starts_at" in error_fields(answer)
    assert client.get("/api/v1/bookings", headers=admin).json == []


def test_a_booking_in_2020_is_refused(client, factory, admin):
    interpreter = factory.interpreter()
    start = datetime(2020, 3, 3, 10, 0, tzinfo=SOFIA)

    answer = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=start), headers=admin
    )

    assert "starts_at" in error_fields(answer)


def test_a_booking_started_a_minute_ago_is_within_the_grace(client, factory, admin):
    interpreter = factory.interpreter()
    start = utcnow() - timedelta(minutes=1)

    answer = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=start, override=True), headers=admin
    )

    assert answer.status_code == 201, answer.json
    assert answer.json["record_past"] is False


def test_the_grace_is_a_setting(app, client, factory, admin, monkeypatch):
    monkeypatch.setitem(app.config, "PAST_GRACE_MINUTES", 0)
    interpreter = factory.interpreter()
    start = utcnow() - timedelta(minutes=1)

    answer = client.post(
        "/api/v1/bookings", json=body([interpreter.id], start=start, override=True), headers=admin
    )

    assert "starts_at" in error_fields(answer)


def test_moving_a_booking_into_the_past_is_refused_and_changes_nothing(client, factory, admin):
    interpreter = factory.interpreter()
    booked = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin).json
    start = past()

    answer = client.post(
        f"/api/v1/bookings/{booked['id']}/reschedule",
        json={
            "version": booked["version"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "override": True,
        },
        headers=admin,
    )

    assert "starts_at" in error_fields(answer)
    again = client.get(f"/api/v1/bookings/{booked['id']}", headers=admin).json
    assert (again["starts_at"], again["version"]) == (booked["starts_at"], booked["version"])


# Recording a past booking


def record(client, headers, resource_id, **extra):  # type: ignore[no-untyped-def]
    values = {"record_past": True, "record_past_reason": "Walk-in, booked on paper"} | extra
    return client.post(
        "/api/v1/bookings",
        json=body([resource_id], start=past(), override=True, **values),
        headers=headers,
    )


def test_an_admin_records_a_past_booking_audited_without_sms_and_closes_it_at_once(
    client, session, factory, admin
):
    interpreter = factory.interpreter(phone="+359888000111")
    beneficiary = factory.beneficiary(phone="+359888123456", sms_consent=True)

    answer = record(client, admin, interpreter.id, beneficiary_ids=[beneficiary.id])

    assert answer.status_code == 201, answer.json
    booking = answer.json
    assert booking["record_past"] is True
    assert booking["record_past_reason"] == "Walk-in, booked on paper"
    assert outbox_rows(session, booking["id"]) == 0
    audit = client.get(f"/api/v1/bookings/{booking['id']}/audit", headers=admin).json
    assert [(a["action"], a["after"]["record_past_reason"]) for a in audit] == [
        ("record_past", "Walk-in, booked on paper")
    ]
    closed = client.post(f"/api/v1/bookings/{booking['id']}/no-show", headers=admin)
    assert closed.json["status"] == "no_show"
    assert outbox_rows(session, booking["id"]) == 0


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_recording_a_past_booking_needs_a_reason(client, factory, admin, reason):
    interpreter = factory.interpreter()

    answer = record(client, admin, interpreter.id, record_past_reason=reason)

    assert "record_past_reason" in error_fields(answer)


def test_a_reason_without_record_past_is_refused(client, factory, admin):
    interpreter = factory.interpreter()

    answer = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], record_past_reason="paper"),
        headers=admin,
    )

    assert "record_past_reason" in error_fields(answer)


def test_only_an_admin_records_a_past_booking(client, factory):
    interpreter = factory.interpreter()
    coordinator = factory.headers("coordinator", offices=["sofia"])

    answer = record(client, coordinator, interpreter.id)

    assert "record_past" in error_fields(answer)


def test_record_past_is_no_way_to_book_ahead_without_sms(client, factory, admin):
    interpreter = factory.interpreter()

    answer = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], record_past=True, record_past_reason="quiet"),
        headers=admin,
    )

    assert "record_past" in error_fields(answer)


def test_record_past_keeps_the_year_range(client, factory, admin):
    interpreter = factory.interpreter()
    start = datetime(1999, 3, 3, 10, 0, tzinfo=SOFIA)

    answer = client.post(
        "/api/v1/bookings",
        json=body([interpreter.id], start=start, record_past=True, record_past_reason="old"),
        headers=admin,
    )

    assert "starts_at" in error_fields(answer)


def test_a_recorded_booking_is_not_moved(client, factory, admin):
    interpreter = factory.interpreter()
    booked = record(client, admin, interpreter.id).json

    answer = client.post(
        f"/api/v1/bookings/{booked['id']}/reschedule",
        json={
            "version": booked["version"],
            "starts_at": FUTURE_MONDAY_10.isoformat(),
            "ends_at": (FUTURE_MONDAY_10 + timedelta(hours=1)).isoformat(),
        },
        headers=admin,
    )

    assert answer.status_code == 409, answer.json


def test_the_reason_is_left_out_for_who_may_not_see_the_details(client, factory, admin):
    interpreter = factory.interpreter()
    booked = record(client, admin, interpreter.id).json
    read_only = factory.headers("read_only")

    answer = client.get(f"/api/v1/bookings/{booked['id']}", headers=read_only)

    assert answer.status_code == 200, answer.json
    assert answer.json["record_past"] is True
    assert answer.json["record_past_reason"] is None


def test_the_domain_records_a_past_booking_only_for_an_actor_allowed_to(session, factory):
    interpreter = factory.interpreter()
    start = past()
    request = BookingRequest(
        type="interpretation",
        office="sofia",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        resource_ids=[interpreter.id],
        override=True,
        record_past=True,
        record_past_reason="paper",
    )

    with pytest.raises(Invalid) as refused:
        create_booking(session, request, Actor("clerk", may_override=True), BookingPolicy())
    assert refused.value.field == "record_past"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Booking)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# Series and occurrences


def test_a_series_planned_from_a_month_ago_is_refused_dry_run_or_not(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    start = past(days=30)

    for query in ("?dry_run=true", ""):
        answer = create(client, admin, series_body([teacher.id, room.id], start=start), query)
        assert "starts_at" in error_fields(answer)
    assert client.get("/api/v1/series", headers=admin).json == []


def test_the_domain_plans_from_the_clock_it_is_given(session, factory):
    teacher, room = teacher_and_room(factory)
    request = SeriesRequest(
        type="language_class",
        office="sofia",
        title="A1",
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2",
        starts_at=FUTURE_MONDAY_10,
        ends_at=FUTURE_MONDAY_10 + timedelta(hours=2),
        resource_ids=[teacher.id, room.id],
    )
    later = FUTURE_MONDAY_10.astimezone(UTC) + timedelta(hours=1)

    with pytest.raises(Invalid) as refused:
        plan_series(session, request, BookingPolicy(), now=later)
    assert refused.value.field == "starts_at"
    assert len(plan_series(session, request, BookingPolicy()).occurrences) == 2


def test_an_occurrence_is_not_moved_into_the_past(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    series = create(client, admin, series_body([teacher.id, room.id])).json
    first = occurrences(client, admin, series["id"])[0]
    start = past()

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{first['id']}/move",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()},
        headers=admin,
    )

    assert "starts_at" in error_fields(answer)
    assert occurrences(client, admin, series["id"])[0]["starts_at"] == first["starts_at"]


def test_a_split_continuing_in_the_past_is_refused(client, factory, admin):
    teacher, room = teacher_and_room(factory)
    series = create(client, admin, series_body([teacher.id, room.id])).json
    third = occurrences(client, admin, series["id"])[2]
    start = past()

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={
            "occurrence_id": third["id"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=2)).isoformat(),
        },
        headers=admin,
    )

    assert "starts_at" in error_fields(answer)
    after = client.get(f"/api/v1/series/{series['id']}", headers=admin).json
    assert after["status"] == "active"


# The demo seed


def test_the_demo_seeds_last_weeks_history_as_recorded_and_unannounced(session):
    seed_demo(session)
    session.commit()
    now = utcnow()

    bookings = list(session.scalars(select(Booking)))
    history = [b for b in bookings if b.starts_at <= now]
    ahead = [b for b in bookings if b.starts_at > now]
    assert history and ahead
    assert all(b.record_past for b in history)
    assert not any(b.record_past for b in ahead)
    assert (
        session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.booking_id.in_([b.id for b in history]))
        )
        == 0
    )
