"""Queueing rules: consent, recipients, wording, reminder times, reschedule and cancel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from service.booking.bookings import Actor, BookingRequest, change_status, create_booking
from service.booking.bookings import reschedule_booking as reschedule
from service.booking.policy import BookingPolicy
from service.directory.beneficiaries import set_sms_consent
from service.models import FlaggedNumber, OutboxMessage
from service.notify import outbox
from tests.outbox_support import SOFIA, Clock, rows, sofia, summary

PHONE = "+359888123456"
GUARDIAN = "+359877654321"
STAFF_PHONE = "+359899111222"
MONDAY = (2027, 3, 1)  # a Monday, well after the frozen "now"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, sofia(2027, 2, 22, 10, 0))


@pytest.fixture
def interpreter(factory):
    return factory.interpreter("ar")


@pytest.fixture
def consenting(factory):
    return factory.beneficiary(phone=PHONE, sms_consent=True)


def book(factory, people, beneficiaries, starts_at, **kwargs):
    return factory.booking(
        people, starts_at, beneficiary_ids=[b.id for b in beneficiaries], **kwargs
    )


def do_reschedule(session, booking, starts_at, resource_ids=None):
    moved = reschedule(
        session,
        booking,
        version=booking.version,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        resource_ids=resource_ids,
        actor=Actor("tests"),
        policy=BookingPolicy(),
    )
    session.commit()
    return moved


def mark(session, booking_id, kind, status):
    for message in rows(session, booking_id):
        if message.kind == kind:
            message.status = status
    session.commit()


def test_confirmation_now_and_reminders_24_and_2_hours_before(
    session, factory, clock, interpreter, consenting
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))

    assert summary(session, booking.id) == [
        ("confirmation", "queued", clock.now),
        ("reminder", "queued", sofia(2027, 2, 28, 11, 0)),
        ("reminder", "queued", sofia(*MONDAY, 9, 0)),
    ]
    confirmation = rows(session, booking.id)[0]
    assert confirmation.to == PHONE
    assert confirmation.beneficiary_id == consenting.id
    assert confirmation.language == "ar"
    assert confirmation.encoding == "UCS-2"
    assert confirmation.segments >= 1
    assert confirmation.estimated_cost == Decimal("0.0750") * confirmation.segments
    assert "ul. Primerna 1" in (confirmation.body or "")
    assert confirmation.event_at == booking.starts_at
    assert confirmation.dedupe_key == f"confirmation:{booking.id}:b{consenting.id}:v1"


def test_nothing_is_queued_without_recorded_consent(session, factory, clock, interpreter):
    never = factory.beneficiary(phone=PHONE)
    withdrawn = factory.beneficiary(phone="+359888000111", sms_consent=True)
    set_sms_consent(session, withdrawn, False)
    booking = book(factory, [interpreter], [never, withdrawn], sofia(*MONDAY, 11, 0))

    assert rows(session, booking.id) == []


def test_a_minors_messages_go_to_the_guardian(session, factory, clock, interpreter):
    minor = factory.beneficiary(
        phone=PHONE, is_minor=True, guardian_phone=GUARDIAN, sms_consent=True
    )
    booking = book(factory, [interpreter], [minor], sofia(*MONDAY, 11, 0))

    assert {m.to for m in rows(session, booking.id)} == {GUARDIAN}


def test_discreet_text_names_neither_organisation_nor_service(session, factory, clock, interpreter):
    person = factory.beneficiary(
        phone=PHONE, sms_consent=True, discreet=True, language="en", other_languages=["ar"]
    )
    booking = book(factory, [interpreter], [person], sofia(*MONDAY, 11, 0), type="counselling")

    bodies = [m.body or "" for m in rows(session, booking.id)]
    assert len(bodies) == 3
    for body in bodies:
        assert body.endswith(", S")
        assert "11:00" in body
        lowered = body.lower()
        for word in ("appointment", "counsel", "interpret", "sofia", "primerna", "reminder"):
            assert word not in lowered


def test_a_reminder_in_quiet_hours_moves_to_just_before_they_start(
    session, factory, clock, interpreter, consenting
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 9, 30))

    reminders = [due for kind, _, due in summary(session, booking.id) if kind == "reminder"]
    # 2 h before is 07:30, inside 21:00-08:00: it goes the evening before, at 20:59.
    assert reminders == [sofia(2027, 2, 28, 9, 30), sofia(2027, 2, 28, 20, 59)]


def test_quiet_hours_across_both_dst_changes(session, factory, clock, interpreter, consenting):
    """The last Sundays of March and October 2027: 21:00 the evening before, in its offset."""
    ids = []
    for day in ((2027, 3, 28), (2027, 10, 31)):
        request = BookingRequest(
            type="interpretation",
            office="sofia",
            starts_at=sofia(*day, 9, 0),
            ends_at=sofia(*day, 10, 0),
            resource_ids=[interpreter.id],
            beneficiary_ids=[consenting.id],
            override=True,
        )
        booking = create_booking(
            session, request, Actor("admin", may_override=True), BookingPolicy()
        )
        session.commit()
        ids.append(booking.id)

    spring = [due for kind, _, due in summary(session, ids[0]) if kind == "reminder"]
    autumn = [due for kind, _, due in summary(session, ids[1]) if kind == "reminder"]
    assert spring[1] == sofia(2027, 3, 27, 20, 59)
    assert spring[1].utcoffset() == timedelta(hours=2)  # the evening before is still EET
    assert autumn[1] == sofia(2027, 10, 30, 20, 59)
    assert autumn[1].utcoffset() == timedelta(hours=3)  # ... and still EEST here
    assert spring[1].astimezone(SOFIA).hour == autumn[1].astimezone(SOFIA).hour == 20


def test_reminders_already_due_are_skipped_but_the_confirmation_is_not(
    session, factory, clock, interpreter, consenting
):
    clock.now = sofia(*MONDAY, 9, 0)
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 13, 0))

    assert summary(session, booking.id) == [
        ("confirmation", "queued", clock.now),
        ("reminder", "queued", sofia(*MONDAY, 11, 0)),
    ]


def test_reminders_that_collapse_into_one_time_are_sent_once(
    session, factory, clock, interpreter, consenting
):
    session.info["config"] = {"REMINDER_OFFSETS": "12,2"}
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 9, 0))

    # 12 h before is 21:00 and 2 h before is 07:00: both would move to 20:59.
    assert summary(session, booking.id)[1:] == [("reminder", "queued", sofia(2027, 2, 28, 20, 59))]


def test_reminder_offsets_are_configurable_per_booking_type(
    session, factory, clock, interpreter, consenting
):
    session.info["config"] = {"REMINDER_OFFSETS": "interpretation=48;counselling=72,3"}
    first = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))
    second = book(factory, [interpreter], [consenting], sofia(*MONDAY, 14, 0), type="counselling")

    assert [due for kind, _, due in summary(session, first.id) if kind == "reminder"] == [
        sofia(2027, 2, 27, 11, 0)
    ]
    assert [due for kind, _, due in summary(session, second.id) if kind == "reminder"] == [
        sofia(2027, 2, 26, 14, 0),
        sofia(*MONDAY, 11, 0),
    ]


def test_a_tentative_booking_is_texted_only_once_confirmed(
    session, factory, clock, interpreter, consenting
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0), status="tentative")
    assert rows(session, booking.id) == []

    change_status(session, booking, "confirm", Actor("tests"))
    session.commit()

    assert [m.kind for m in rows(session, booking.id)] == ["confirmation", "reminder", "reminder"]


def test_reschedule_supersedes_pending_reminders_and_sends_a_notice(
    session, factory, clock, interpreter, consenting
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))
    mark(session, booking.id, "confirmation", "sent")

    do_reschedule(session, booking, sofia(2027, 3, 2, 14, 0))

    assert summary(session, booking.id) == [
        ("confirmation", "sent", clock.now),
        ("reminder", "superseded", sofia(2027, 2, 28, 11, 0)),
        ("reminder", "superseded", sofia(*MONDAY, 9, 0)),
        ("reschedule", "queued", clock.now),
        ("reminder", "queued", sofia(*MONDAY, 14, 0)),
        ("reminder", "queued", sofia(2027, 3, 2, 12, 0)),
    ]
    notice = rows(session, booking.id)[3]
    assert notice.event_at == sofia(2027, 3, 2, 14, 0)
    assert notice.dedupe_key == f"reschedule:{booking.id}:b{consenting.id}:v{booking.version}"


def test_reschedule_before_anything_went_out_just_confirms_the_new_time(
    session, factory, clock, interpreter, consenting
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))

    do_reschedule(session, booking, sofia(2027, 3, 2, 14, 0))

    kinds = [(m.kind, m.status) for m in rows(session, booking.id)]
    assert kinds[:3] == [
        ("confirmation", "superseded"),
        ("reminder", "superseded"),
        ("reminder", "superseded"),
    ]
    assert kinds[3:] == [("confirmation", "queued"), ("reminder", "queued"), ("reminder", "queued")]


def test_cancel_cancels_pending_messages_and_tells_who_was_told(
    session, factory, clock, interpreter, consenting
):
    unaware = factory.beneficiary(phone="+359888000222", sms_consent=True)
    booking = book(factory, [interpreter], [consenting, unaware], sofia(*MONDAY, 11, 0))
    for message in rows(session, booking.id):
        if message.kind == "confirmation" and message.beneficiary_id == consenting.id:
            message.status = "delivered"
    session.commit()

    change_status(session, booking, "cancel", Actor("tests"), reason="interpreter ill")
    session.commit()

    after = rows(session, booking.id)
    assert {m.status for m in after if m.kind == "reminder"} == {"cancelled"}
    notices = [m for m in after if m.kind == "cancellation"]
    assert [(m.beneficiary_id, m.status) for m in notices] == [(consenting.id, "queued")]
    unaware_confirmation = next(
        m for m in after if m.kind == "confirmation" and m.beneficiary_id == unaware.id
    )
    assert unaware_confirmation.status == "cancelled"


def test_the_dedupe_key_refuses_a_second_copy(session, factory, clock, interpreter, consenting):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))
    before = len(rows(session, booking.id))

    outbox.on_booking_created(session, booking, clock())
    session.commit()
    assert len(rows(session, booking.id)) == before

    first = rows(session, booking.id)[0]
    copy = OutboxMessage(
        **{
            c: getattr(first, c)
            for c in (
                "dedupe_key", "kind", "status", "booking_id", "to", "body", "language",
                "encoding", "segments", "estimated_cost", "event_at", "due_at", "attempts",
                "created_at", "updated_at",
            )
        }
    )  # fmt: skip
    session.add(copy)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_short_notice_changes_are_texted_to_booked_staff(session, factory, clock):
    person = factory.interpreter("ar", phone=STAFF_PHONE, locale="en")
    other = factory.interpreter("ar", phone="+359899333444", locale="en")
    far = factory.booking([person], sofia(*MONDAY, 11, 0))
    assert [m for m in rows(session, far.id) if m.resource_id] == []

    soon = factory.booking([person], sofia(2027, 2, 23, 11, 0))
    [created] = [m for m in rows(session, soon.id) if m.kind == "staff_notice"]
    assert created.to == STAFF_PHONE
    assert (created.body or "").startswith("New assignment")

    do_reschedule(session, soon, sofia(2027, 2, 23, 14, 0), resource_ids=[other.id])
    staff = [m for m in rows(session, soon.id) if m.kind == "staff_notice"]
    latest = {m.resource_id: m.body or "" for m in staff if m.status == "queued"}
    assert latest[other.id].startswith("New assignment")
    assert "cancelled" in latest[person.id]

    change_status(session, soon, "cancel", Actor("tests"), reason="closed")
    session.commit()
    last = [m for m in rows(session, soon.id) if m.kind == "staff_notice"][-1]
    assert last.resource_id == other.id
    assert "cancelled" in (last.body or "")


def test_withdrawing_consent_cancels_queued_messages_and_is_recorded(
    session, factory, clock, interpreter, consenting, client, admin
):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))

    response = client.patch(
        f"/api/v1/beneficiaries/{consenting.id}", json={"sms_consent": False}, headers=admin
    )
    assert response.status_code == 200

    assert {(m.status, m.error_code) for m in rows(session, booking.id)} == {
        ("cancelled", "no_consent")
    }
    history = client.get(f"/api/v1/beneficiaries/{consenting.id}/consent", headers=admin)
    assert [(e["consent"], e["source"]) for e in history.get_json()] == [
        (True, "api"),
        (False, "api"),
    ]


def test_a_flagged_number_gets_a_failed_row_not_a_queued_one(
    session, factory, clock, interpreter, consenting
):
    session.add(FlaggedNumber(phone=PHONE, error_code="21614", flagged_at=clock()))
    session.commit()
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))

    assert {(m.status, m.error_code) for m in rows(session, booking.id)} == {("failed", "21614")}


def test_every_gathered_field_is_written(session, factory, clock, interpreter, consenting):
    booking = book(factory, [interpreter], [consenting], sofia(*MONDAY, 11, 0))
    written = session.scalars(
        select(OutboxMessage).where(OutboxMessage.booking_id == booking.id)
    ).all()
    assert len(written) == 3
    for message in written:
        assert message.beneficiary_id == consenting.id and message.to == PHONE
        assert message.body and message.language and message.encoding and message.segments
        assert message.estimated_cost is not None and message.event_at == booking.starts_at
        assert message.due_at is not None and message.created_at is not None


def test_a_gathered_key_the_insert_would_drop_is_refused(session):
    with pytest.raises(RuntimeError, match="nickname"):
        outbox._insert_messages(session, [{"dedupe_key": "k", "nickname": "x"}])
