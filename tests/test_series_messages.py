"""Enrolment SMS: a seat is confirmed, a promotion announced, reminders precede each class."""

from __future__ import annotations

from sqlalchemy import select

from service.models import OutboxMessage
from tests.test_series import occurrences
from tests.test_series_enrolment import course, enrol_api


def _messages(session, beneficiary):
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.beneficiary_id == beneficiary.id)
            .order_by(OutboxMessage.due_at)
        )
    )


def test_an_enrolled_beneficiary_is_confirmed_and_reminded_before_each_class(
    client, factory, admin
):
    series = course(client, factory, admin, capacity=1)
    learner = factory.beneficiary(language="uk", phone="+359888123456", sms_consent=True)
    enrol_api(client, admin, series["id"], learner.id)

    messages = _messages(factory.session, learner)
    kinds = [m.kind for m in messages]
    assert kinds.count("enrolment") == 1
    classes = occurrences(client, admin, series["id"])
    reminded = {m.booking_id for m in messages if m.kind == "reminder"}
    assert reminded == {o["id"] for o in classes}
    assert all(m.status == "queued" for m in messages)


def test_the_waitlist_hears_nothing_until_promoted_and_withdrawal_stops_reminders(
    client, factory, admin
):
    series = course(client, factory, admin, capacity=1)
    first = factory.beneficiary(phone="+359888123451", sms_consent=True)
    second = factory.beneficiary(language="ar", phone="+359888123452", sms_consent=True)
    ids = {p.id: enrol_api(client, admin, series["id"], p.id).json["id"] for p in (first, second)}
    assert _messages(factory.session, second) == []

    client.delete(f"/api/v1/series/{series['id']}/enrolments/{ids[first.id]}", headers=admin)

    assert {m.status for m in _messages(factory.session, first)} == {"cancelled"}
    promoted = [m.kind for m in _messages(factory.session, second)]
    assert promoted.count("waitlist_promotion") == 1
    assert "reminder" in promoted


def test_no_consent_no_message(client, factory, admin):
    series = course(client, factory, admin)
    silent = factory.beneficiary(phone="+359888123453", sms_consent=False)
    enrol_api(client, admin, series["id"], silent.id)
    assert _messages(factory.session, silent) == []
