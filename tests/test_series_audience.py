"""Who a planned series change would tell is exactly who the change then tells."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.models import Booking, OutboxMessage, Series
from service.series import series_audience
from service.series.series_changes import cancel_occurrence, cancel_series, move_occurrence
from tests.test_series import series_body
from tests.test_series_enrolment import course, enrol_api


def _setup(client, factory, admin, session):
    series = course(client, factory, admin)
    told = factory.beneficiary(phone="+359888100011", sms_consent=True)
    silent = factory.beneficiary(phone="+359888100012", sms_consent=False)
    no_phone = factory.beneficiary(phone="+359888100014", sms_consent=True)
    late = factory.beneficiary(phone="+359888100013", sms_consent=False)
    for person in (told, silent, no_phone, late):
        assert enrol_api(client, admin, series["id"], person.id).status_code == 201
    late.sms_consent = True  # consents after enrolling: no class was announced to them yet
    no_phone.phone = None  # the number was removed since (the consent check came before)
    session.commit()
    shown = session.get(Series, series["id"])
    classes = list(
        session.scalars(
            select(Booking).where(Booking.series_id == shown.id).order_by(Booking.starts_at)
        )
    )
    return shown, classes, {"told": told, "silent": silent, "no_phone": no_phone, "late": late}


def _queued(session, kind):
    session.expire_all()
    return set(
        session.scalars(
            select(OutboxMessage.beneficiary_id).where(
                OutboxMessage.kind == kind, OutboxMessage.status == "queued"
            )
        )
    )


def test_cancelling_one_class_tells_who_knew_and_says_why_the_others_are_not(
    client, factory, admin, session
):
    shown, classes, people = _setup(client, factory, admin, session)

    audience = series_audience.if_cancelled(session, [classes[1]])
    cancel_occurrence(session, shown, classes[1], Actor("tests"), "ill")

    assert [(t.case_reference, t.message) for t in audience.told] == [
        (people["told"].case_reference, "cancellation")
    ]
    reasons = {u.case_reference: u.reason for u in audience.untold}
    assert reasons == {
        people["silent"].case_reference: "no_consent",
        people["no_phone"].case_reference: "no_phone",
        people["late"].case_reference: "not_announced",
    }
    assert _queued(session, "cancellation") == {people["told"].id}


def test_cancelling_the_series_tells_each_once_as_predicted(client, factory, admin, session):
    shown, classes, people = _setup(client, factory, admin, session)

    audience = series_audience.if_cancelled(session, classes)
    cancel_series(session, shown, Actor("tests"), "no teacher")

    assert [t.message for t in audience.told] == ["series_cancellation"]
    assert _queued(session, "series_cancellation") == {people["told"].id}


def test_moving_a_class_tells_who_knew_of_it_and_a_past_class_tells_nobody(
    client, factory, admin, session
):
    shown, classes, people = _setup(client, factory, admin, session)
    target = classes[2]
    new_start = target.starts_at + timedelta(hours=2)

    audience = series_audience.if_moved(session, target, new_start)
    past = series_audience.if_moved(session, target, new_start, now=new_start)
    move_occurrence(
        session,
        shown,
        target,
        starts_at=new_start,
        ends_at=target.ends_at + timedelta(hours=2),
        resource_ids=None,
        version=None,
        actor=Actor("tests"),
        policy=BookingPolicy(),
    )

    assert [(t.case_reference, t.message) for t in audience.told] == [
        (people["told"].case_reference, "reschedule")
    ]
    assert past.told == [] and len(past.untold) == 4
    assert _queued(session, "reschedule") == {people["told"].id}


def test_the_teacher_with_a_phone_is_named_when_a_class_changes_at_short_notice(
    client, factory, admin, session
):
    teacher = factory.person("teacher", languages=("bg",), phone="+359888100099")
    room = factory.room("sofia")
    answer = client.post(
        "/api/v1/series",
        json=series_body([teacher.id, room.id], rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=3"),
        headers=admin,
    )
    assert answer.status_code == 201, answer.json
    classes = list(
        session.scalars(
            select(Booking)
            .where(Booking.series_id == answer.json["id"])
            .order_by(Booking.starts_at)
        )
    )
    soon = classes[0].starts_at - timedelta(hours=3)  # the first class is three hours away

    assert series_audience.if_cancelled(session, [classes[0]], now=soon).staff == [teacher.name]
    assert series_audience.if_cancelled(session, [classes[1]], now=soon).staff == []
    moved_close = series_audience.if_moved(
        session, classes[1], classes[0].starts_at + timedelta(hours=2), now=soon
    )
    assert moved_close.staff == [teacher.name]  # moved to within the short notice
    assert "+35988" not in repr(moved_close)
