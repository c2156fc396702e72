# ruff: noqa: RUF001 - Bulgarian and Ukrainian texts are the point here
"""What enrolled beneficiaries are told when a class of their series moves or is cancelled."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.models import OutboxMessage, Series
from tests.test_series import occurrences
from tests.test_series_enrolment import course, enrol_api

SOFIA = ZoneInfo("Europe/Sofia")
FIRST_MONDAY = datetime(2027, 3, 1, 10, 0, tzinfo=SOFIA)  # eight Mondays, 1 Mar to 19 Apr 2027


def _messages(session, beneficiary, kind=None, status=None):
    session.expire_all()
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.beneficiary_id == beneficiary.id)
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
    )
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def _enrolled_course(client, factory, admin, *people, **extra):
    series = course(client, factory, admin, **extra)
    for person in people:
        assert enrol_api(client, admin, series["id"], person.id).status_code == 201
    return series, occurrences(client, admin, series["id"])


def _learner(factory, **extra):
    factory.count += 1
    return factory.beneficiary(
        **({"phone": f"+35988812{factory.count:04d}", "sms_consent": True} | extra)
    )


def _move(client, admin, series, occurrence, starts_at):
    return client.post(
        f"/api/v1/series/{series['id']}/occurrences/{occurrence['id']}/move",
        json={
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=2)).isoformat(),
        },
        headers=admin,
    )


def test_moving_a_class_sends_a_change_notice_with_old_and_new_time_in_each_language(
    client, factory, admin
):
    english = _learner(factory, language="en")
    bulgarian = _learner(factory, language="bg")
    silent = _learner(factory, language="en", sms_consent=False)
    series, classes = _enrolled_course(client, factory, admin, english, bulgarian, silent)
    third = classes[2]  # Monday 15 March 2027, 10:00
    old_reminders = {m.id for m in _messages(factory.session, english, "reminder")}

    answer = _move(client, admin, series, third, datetime(2027, 3, 16, 14, 0, tzinfo=SOFIA))

    assert answer.status_code == 200, answer.json
    (notice,) = _messages(factory.session, english, "reschedule")
    assert notice.booking_id == third["id"]
    assert notice.body.startswith("Your appointment has moved to Tuesday, March 16, 2027 at 14:00")
    assert notice.body.endswith("Before: Mon, March 15 10:00.")
    assert _messages(factory.session, english, "confirmation") == []
    (bulgarian_notice,) = _messages(factory.session, bulgarian, "reschedule")
    assert bulgarian_notice.body.startswith("Часът ви е преместен за вторник, 16 март 2027")
    assert "Преди:" in bulgarian_notice.body
    assert _messages(factory.session, silent) == []
    # The moved class's old reminders are dropped and new ones follow the new time.
    reminders = _messages(factory.session, english, "reminder")
    superseded = [m for m in reminders if m.status == "superseded"]
    assert {m.booking_id for m in superseded} == {third["id"]}
    assert {m.id for m in superseded} <= old_reminders
    new = [m for m in reminders if m.booking_id == third["id"] and m.status == "queued"]
    assert sorted(m.due_at for m in new) == [
        datetime(2027, 3, 15, 14, 0, tzinfo=SOFIA),
        datetime(2027, 3, 16, 12, 0, tzinfo=SOFIA),
    ]


def test_a_discreet_beneficiary_hears_only_the_times_and_the_place_code(client, factory, admin):
    hidden = _learner(factory, language="en", discreet=True)
    series, classes = _enrolled_course(client, factory, admin, hidden)

    _move(client, admin, series, classes[1], datetime(2027, 3, 9, 14, 0, tzinfo=SOFIA))

    (notice,) = _messages(factory.session, hidden, "reschedule")
    assert notice.body == "New time: Tuesday, March 9, 2027 14:00, S Before: Mon, March 8 10:00."
    assert "appointment" not in notice.body.lower()


def test_cancelling_one_class_tells_who_knew_of_it_and_stops_its_reminders(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner)
    second = classes[1]

    answer = client.post(
        f"/api/v1/series/{series['id']}/occurrences/{second['id']}/cancel",
        json={"reason": "teacher ill"},
        headers=admin,
    )

    assert answer.status_code == 200, answer.json
    (notice,) = _messages(factory.session, learner, "cancellation")
    assert notice.booking_id == second["id"]
    assert notice.body == "Your appointment on Monday, March 8, 2027 at 10:00 has been cancelled."
    reminders = [m for m in _messages(factory.session, learner, "reminder")]
    assert {m.status for m in reminders if m.booking_id == second["id"]} == {"cancelled"}
    assert {m.status for m in reminders if m.booking_id != second["id"]} == {"queued"}


def test_a_class_nobody_was_told_about_is_cancelled_silently(client, factory, admin):
    learner = _learner(factory, language="en")
    # No reminders: only the first class was announced (by the enrolment message).
    series, classes = _enrolled_course(client, factory, admin, learner, reminder_offsets=[])
    assert [m.kind for m in _messages(factory.session, learner)] == ["enrolment"]

    for occurrence in (classes[2], classes[0]):
        client.post(
            f"/api/v1/series/{series['id']}/occurrences/{occurrence['id']}/cancel",
            json={"reason": "room flooded"},
            headers=admin,
        )

    (notice,) = _messages(factory.session, learner, "cancellation")
    assert notice.booking_id == classes[0]["id"]


def test_cancelling_a_whole_series_sends_each_beneficiary_one_notice_from_the_next_class(
    client, factory, admin
):
    ukrainian = _learner(factory, language="uk")
    hidden = _learner(factory, language="en", discreet=True)
    series, classes = _enrolled_course(client, factory, admin, ukrainian, hidden)

    answer = client.post(
        f"/api/v1/series/{series['id']}/cancel", json={"reason": "no teacher"}, headers=admin
    )

    assert answer.status_code == 200, answer.json
    (notice,) = _messages(factory.session, ukrainian, "series_cancellation")
    assert notice.booking_id == classes[0]["id"]
    assert notice.body.startswith("Усі ваші записи починаючи з понеділок, 1 ")
    assert notice.body.endswith("2027\u202fр., 10:00 скасовано.")
    assert notice.language == "uk"
    (discreet,) = _messages(factory.session, hidden, "series_cancellation")
    assert discreet.body == "Cancelled from: Monday, March 1, 2027 10:00, S"
    for person in (ukrainian, hidden):
        assert _messages(factory.session, person, "cancellation") == []
        assert _messages(factory.session, person, "reminder", "queued") == []
        assert len(_messages(factory.session, person, "reminder", "cancelled")) == len(classes) * 2


def test_one_announced_class_left_gets_its_own_cancellation(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner, reminder_offsets=[])

    client.post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "x"}, headers=admin)

    (notice,) = _messages(factory.session, learner, "cancellation")
    assert notice.booking_id == classes[0]["id"]
    assert _messages(factory.session, learner, "series_cancellation") == []


def test_ending_a_series_early_tells_once_from_the_first_class_dropped(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner)

    answer = client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-03-22"}, headers=admin
    )

    assert answer.status_code == 200, answer.json
    (notice,) = _messages(factory.session, learner, "series_cancellation")
    assert notice.booking_id == classes[4]["id"]  # Monday 29 March 2027
    assert notice.body == (
        "All your appointments from Monday, March 29, 2027 at 10:00 on have been cancelled."
    )
    kept = {o["id"] for o in classes[:4]}
    queued = _messages(factory.session, learner, "reminder", "queued")
    assert {m.booking_id for m in queued} == kept


def test_ending_then_cancelling_a_series_tells_each_class_once(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner)
    client.post(
        f"/api/v1/series/{series['id']}/end", json={"last_day": "2027-03-22"}, headers=admin
    )

    client.post(f"/api/v1/series/{series['id']}/cancel", json={"reason": "x"}, headers=admin)

    notices = _messages(factory.session, learner, "series_cancellation")
    # The second notice covers only the four classes left after the end.
    assert [n.booking_id for n in notices] == [classes[4]["id"], classes[0]["id"]]
    total = factory.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "cancellation")
    )
    assert total == 0


def test_splitting_a_series_tells_the_new_time_not_a_cancellation(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner)
    new_start = datetime(2027, 3, 30, 14, 0, tzinfo=SOFIA)  # Tuesdays from 30 March

    answer = client.post(
        f"/api/v1/series/{series['id']}/split",
        json={
            "occurrence_id": classes[4]["id"],
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=2)).isoformat(),
            "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=4",
        },
        headers=admin,
    )

    assert answer.status_code == 201, answer.json
    assert _messages(factory.session, learner, "cancellation") == []
    assert _messages(factory.session, learner, "series_cancellation") == []
    (notice,) = _messages(factory.session, learner, "reschedule")
    assert notice.body.startswith("Your appointment has moved to Tuesday, March 30, 2027 at 14:00")
    assert notice.body.endswith("Before: Mon, March 29 10:00.")
    successor = occurrences(client, admin, answer.json["id"])
    queued = _messages(factory.session, learner, "reminder", "queued")
    assert {m.booking_id for m in queued} == {o["id"] for o in classes[:4] + successor}


def test_a_series_reminds_at_its_own_offsets(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner, reminder_offsets=[48])

    assert series["reminder_offsets"] == [48.0]
    due = [m.due_at for m in _messages(factory.session, learner, "reminder")]
    assert due == [datetime.fromisoformat(o["starts_at"]) - timedelta(hours=48) for o in classes]


def test_changing_the_offsets_replans_the_reminders_not_yet_sent(client, factory, admin):
    learner = _learner(factory, language="en")
    series, classes = _enrolled_course(client, factory, admin, learner, reminder_offsets=[48])

    for offsets in ([24, 2], [48, 2]):
        answer = client.patch(
            f"/api/v1/series/{series['id']}", json={"reminder_offsets": offsets}, headers=admin
        )
        assert answer.status_code == 200, answer.json
        assert answer.json["reminder_offsets"] == sorted(map(float, offsets), reverse=True)

    reminders = _messages(factory.session, learner, "reminder", "queued")
    first = datetime.fromisoformat(classes[0]["starts_at"])
    assert [m.due_at for m in reminders if m.booking_id == classes[0]["id"]] == [
        first - timedelta(hours=48),
        first - timedelta(hours=2),
    ]
    assert len(reminders) == 2 * len(classes)
    answer = client.patch(
        f"/api/v1/series/{series['id']}", json={"reminder_offsets": None}, headers=admin
    )
    assert answer.json["reminder_offsets"] is None
    assert factory.session.get(Series, series["id"]).reminder_offsets is None


@pytest.mark.parametrize(
    "offsets",
    [[0], [-2], [337], [1, 2, 3, 4, 5, 6], ["soon"], [2, 2], "24", [None]],
)
def test_bad_reminder_offsets_are_refused_naming_the_field(client, factory, admin, offsets):
    series = course(client, factory, admin)

    updated = client.patch(
        f"/api/v1/series/{series['id']}", json={"reminder_offsets": offsets}, headers=admin
    )
    created = client.post(
        "/api/v1/series",
        json={
            "type": "language_class",
            "office": "sofia",
            "title": "Bulgarian A2",
            "rrule": "FREQ=WEEKLY;BYDAY=TU;COUNT=2",
            "starts_at": "2027-03-02T10:00:00+02:00",
            "ends_at": "2027-03-02T12:00:00+02:00",
            "resource_ids": series["resource_ids"],
            "reminder_offsets": offsets,
        },
        headers=admin,
    )

    for answer in (updated, created):
        assert answer.status_code == 422, answer.json
        assert "reminder_offsets" in str(answer.json["errors"])
    assert factory.session.get(Series, series["id"]).reminder_offsets is None
    assert factory.session.scalar(select(func.count()).select_from(Series)) == 1
