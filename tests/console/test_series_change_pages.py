"""Changing a series in the console: each change asks first (what it does, who is told), then
runs the real operation once; the register's "all present"; a class's booking page."""

from __future__ import annotations

import re
import uuid
from datetime import time

import pytest
from sqlalchemy import func, select

from service.models import AuditEntry, Booking, OutboxMessage, Series
from service.plumbing.clock import SOFIA, sofia_instant
from tests.console.conftest import csrf_token
from tests.console.test_series_pages import PAST_MONDAY, create_course, page_post
from tests.test_series import planned_back_then, series_body


@pytest.fixture
def course(client, signed_in, factory):
    """A Burgas course of 7 dates from Monday 1 March 2027; Alice can be texted, Bob cannot."""
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    alice = factory.beneficiary(offices=("burgas",), phone="+359888100001", sms_consent=True)
    bob = factory.beneficiary(offices=("burgas",), phone="+359888100002", sms_consent=False)
    signed_in("coordinator", offices=["burgas"])
    series_id = create_course(client, teacher, room)
    for person in (alice, bob):
        page_post(client, series_id, "enrol", {"case_reference": person.case_reference})
    return {"id": series_id, "alice": alice, "bob": bob, "teacher": teacher}


def dates(session, series_id):
    session.expire_all()
    return list(
        session.scalars(
            select(Booking).where(Booking.series_id == series_id).order_by(Booking.starts_at)
        )
    )


def outbox_rows(session):
    return session.scalar(select(func.count()).select_from(OutboxMessage))


def kinds_for(session, beneficiary):
    session.expire_all()
    rows = session.scalars(
        select(OutboxMessage.kind).where(
            OutboxMessage.beneficiary_id == beneficiary.id, OutboxMessage.status == "queued"
        )
    )
    return list(rows)


def ask(client, url, data, page):
    return client.post(url, data=data | {"csrf_token": csrf_token(client.get(page).text)})


def confirm(client, url, data, page, key=None):
    return ask(
        client, url, data | {"confirm": "yes", "idempotency_key": key or uuid.uuid4().hex}, page
    )


def section(html, ident):
    found = re.search(rf'id="{ident}">(.*?)</(ul|p|dd)>', html, re.S)
    assert found, f"no {ident}"
    return found.group(1)


def test_cancelling_one_date_asks_first_showing_who_is_told_then_cancels_it_once(
    client, session, course
):
    series_id, alice, bob = course["id"], course["alice"], course["bob"]
    second = dates(session, series_id)[1]
    page = f"/console/series/{series_id}/occurrences/{second.id}"
    url = f"{page}/cancel"
    before = (outbox_rows(session), second.version)

    asked = ask(client, url, {"reason": "teacher ill"}, page)

    assert asked.status_code == 200, asked.text
    assert "Cancelled: Monday 8 March 2027, 10:00" in section(asked.text, "what-changes")
    told = section(asked.text, "told")
    assert f"{alice.case_reference}: an SMS that this date is cancelled" in told
    assert bob.case_reference not in told
    assert f"{bob.case_reference}: no consent to SMS" in section(asked.text, "untold")
    assert "+35988" not in asked.text  # never a phone number
    assert 'name="confirm" value="yes"' in asked.text and 'name="idempotency_key"' in asked.text
    assert dates(session, series_id)[1].status == "confirmed"
    assert (outbox_rows(session), dates(session, series_id)[1].version) == before

    key = uuid.uuid4().hex
    done = confirm(client, url, {"reason": "teacher ill"}, page, key)
    shown = client.get(done.location).text
    again = confirm(client, url, {"reason": "teacher ill"}, page, key)  # a double click

    assert done.status_code == 302 and again.status_code == 302
    assert "The date of Monday 8 March, 10:00 is cancelled." in shown
    assert dates(session, series_id)[1].status == "cancelled"
    assert kinds_for(session, alice).count("cancellation") == 1
    assert "cancellation" not in kinds_for(session, bob)
    assert [b.status for b in dates(session, series_id)].count("cancelled") == 1


def test_moving_one_date_shows_the_new_time_and_tells_who_knew_of_it(client, session, course):
    series_id, alice = course["id"], course["alice"]
    second = dates(session, series_id)[1]
    page = f"/console/series/{series_id}/occurrences/{second.id}"
    data = {"version": str(second.version), "day": "2027-03-09", "starts": "14:00", "ends": "16:00"}

    asked = ask(client, f"{page}/move", data, page)

    assert asked.status_code == 200, asked.text
    assert (
        "The date of Monday 8 March 2027, 10:00 moves to Tuesday 9 March 2027, 14:00\u201316:00."
        in section(asked.text, "what-changes")
    )
    assert f"{alice.case_reference}: an SMS with the new time" in section(asked.text, "told")
    assert dates(session, series_id)[1].starts_at == second.starts_at

    done = confirm(client, f"{page}/move", data, page)

    assert done.status_code == 302, done.text
    moved = dates(session, series_id)[1]
    assert moved.starts_at == sofia_instant(second.starts_at.date().replace(day=9), time(14))
    assert "reschedule" in kinds_for(session, alice)


def test_ending_early_lists_the_dates_it_cancels_and_tells_each_once(client, session, course):
    series_id, alice = course["id"], course["alice"]
    page = f"/console/series/{series_id}"

    asked = ask(client, f"{page}/end", {"last_day": "2027-03-15"}, page)

    assert asked.status_code == 200, asked.text
    changes = section(asked.text, "what-changes")
    assert "last time by 15 March 2027" in changes and "3 dates in all." in changes
    assert "Cancelled: Wednesday 17 March 2027, 10:00" in changes
    told = section(asked.text, "told")
    assert f"{alice.case_reference}: one SMS that the classes from that date on" in told
    assert session.get(Series, series_id).status == "active"

    done = confirm(client, f"{page}/end", {"last_day": "2027-03-15"}, page)

    assert done.status_code == 302, done.text
    session.expire_all()
    assert session.get(Series, series_id).status == "ended"
    assert [b.status for b in dates(session, series_id)].count("cancelled") == 3
    assert kinds_for(session, alice).count("series_cancellation") == 1
    shown = client.get(page).text
    assert "every Monday and Wednesday, until 15 March" in section(shown, "rule")


def test_cancelling_the_series_cancels_every_date_to_come(client, session, course):
    series_id, alice, bob = course["id"], course["alice"], course["bob"]
    page = f"/console/series/{series_id}"

    asked = ask(client, f"{page}/cancel", {"reason": "no teacher"}, page)

    assert asked.status_code == 200, asked.text
    assert "7 dates in all." in section(asked.text, "what-changes")
    assert "Yes, cancel the series" in asked.text
    done = confirm(client, f"{page}/cancel", {"reason": "no teacher"}, page)

    assert done.status_code == 302, done.text
    session.expire_all()
    assert session.get(Series, series_id).status == "cancelled"
    assert {b.status for b in dates(session, series_id)} == {"cancelled"}
    assert kinds_for(session, alice).count("series_cancellation") == 1
    assert kinds_for(session, bob) == []
    assert "Change the series" not in client.get(page).text  # nothing left to change


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        ("cancel", {"reason": ""}, "This field is required."),
        ("end", {"last_day": ""}, "This field is required."),
        ("end", {"last_day": "2026-11-30"}, "This time has passed"),
        ("end", {"last_day": "2027-03-31"}, "no occurrence after that day"),
        ("end", {"last_day": "0001-01-01"}, "Dates fall between"),
        ("date/cancel", {"reason": ""}, "This field is required."),
        ("date/move", {"day": "2026-11-30", "starts": "10:00", "ends": "12:00"}, "has passed"),
        ("date/move", {"day": "2027-03-09", "starts": "12:00", "ends": "10:00"}, "end must come"),
        ("date/move", {"day": "2027-03-09", "starts": "", "ends": "10:00"}, "required"),
    ],
)
def test_bad_input_redraws_the_form_with_its_error_and_changes_nothing(
    client, session, course, path, data, message
):
    series_id = course["id"]
    second = dates(session, series_id)[1]
    page = f"/console/series/{series_id}"
    if path.startswith("date/"):
        page = f"{page}/occurrences/{second.id}"
        path = path.removeprefix("date/")
        data = data | {"version": str(second.version)}
    before = (outbox_rows(session), [(b.status, b.starts_at) for b in dates(session, series_id)])
    audits = session.scalar(select(func.count()).select_from(AuditEntry))

    for extra in ({}, {"confirm": "yes", "idempotency_key": uuid.uuid4().hex}):
        answer = ask(client, f"{page}/{path}", data | extra, page)

        assert answer.status_code == 422, answer.text
        assert message in answer.text
    assert (outbox_rows(session), [(b.status, b.starts_at) for b in dates(session, series_id)]) == (
        before
    )
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    assert session.get(Series, series_id).status == "active"


def test_a_read_only_user_sees_no_change_forms_and_is_refused(client, signed_in, session, course):
    series_id = course["id"]
    second = dates(session, series_id)[1]
    signed_in("read_only")
    page = client.get(f"/console/series/{series_id}")
    date_page = client.get(f"/console/series/{series_id}/occurrences/{second.id}").text

    assert "Change the series" not in page.text and "Move this date" not in date_page
    token = csrf_token(page.text)
    for path, data in (
        ("cancel", {"reason": "x"}),
        ("end", {"last_day": "2027-03-15"}),
        (f"occurrences/{second.id}/cancel", {"reason": "x"}),
    ):
        answer = client.post(
            f"/console/series/{series_id}/{path}", data=data | {"csrf_token": token}
        )
        assert answer.status_code == 403
    assert dates(session, series_id)[1].status == "confirmed"


def test_the_series_page_says_the_rule_and_puts_enrolment_first(client, signed_in, course):
    series_id = course["id"]
    english = client.get(f"/console/series/{series_id}").text
    signed_in("coordinator", offices=["burgas"], locale="bg")
    bulgarian = client.get(f"/console/series/{series_id}").text

    assert section(english, "rule") == "every Monday and Wednesday, 4 weeks, until 24 March"
    assert section(bulgarian, "rule") == "всеки понеделник и сряда, 4 седмици, до 24 март"
    assert "FREQ=" not in english
    assert english.index('id="enrolment"') < english.index('id="occurrences"')
    assert "Промяна на поредицата" in bulgarian and "Ранно приключване" in bulgarian


@pytest.fixture
def held(client, signed_in, factory, session):
    """A class held last Monday with Alice and Bob enrolled, and one with nobody."""
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas")
    signed_in("coordinator", offices=["burgas"])
    body = series_body(
        [teacher.id, room.id],
        start=sofia_instant(PAST_MONDAY, time(10)),
        office="burgas",
        rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2",
    )
    full = planned_back_then(session, body).id
    other = factory.person("teacher", offices=("burgas",), languages=("bg",))
    empty = planned_back_then(session, body | {"title": "Empty", "resource_ids": [other.id]})
    people = [factory.beneficiary(offices=("burgas",)) for _ in range(2)]
    for person in people:
        page_post(client, full, "enrol", {"case_reference": person.case_reference})
    return full, empty.id, people


def test_all_present_marks_everyone_without_saving_and_the_marks_stay_editable(
    client, session, held
):
    series_id, _empty, people = held
    first = dates(session, series_id)[0]
    url = f"/console/series/{series_id}/occurrences/{first.id}"
    form = client.get(url).text

    marked = client.post(url, data={"csrf_token": csrf_token(form), "all_present": "yes"})

    assert marked.status_code == 200
    for person in people:
        assert f'id="mark-{person.id}-present" value="present" checked' in marked.text
    assert 'id="all-marked"' in marked.text
    assert session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.entity == "attendance")
    ) in (0, None)

    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(form),
            f"mark-{people[0].id}": "present",
            f"mark-{people[1].id}": "excused",
        },
    )
    assert saved.status_code == 302
    shown = client.get(url).text
    assert f'id="mark-{people[1].id}-excused" value="excused" checked' in shown


def test_an_empty_register_says_there_is_nothing_to_save(client, session, held):
    _full, empty_id, _people = held
    first = dates(session, empty_id)[0]
    url = f"/console/series/{empty_id}/occurrences/{first.id}"
    form = client.get(url).text
    assert "Mark everyone present" not in form  # nobody to mark

    answer = client.post(url, data={"csrf_token": csrf_token(form)})

    assert answer.status_code == 422
    assert "There is nothing to save" in answer.text
    assert "The register is saved." not in client.get(url).text


def test_a_class_booking_links_to_its_series_and_lists_its_participants(
    client, signed_in, session, course
):
    series_id, alice, bob = course["id"], course["alice"], course["bob"]
    second = dates(session, series_id)[1]

    page = client.get(f"/console/bookings/{second.id}").text

    linked = section(page, "booking-series")
    assert f'href="/console/series/{series_id}"' in linked and "Bulgarian A1" in linked
    participants = section(page, "participants")
    assert alice.case_reference in participants and bob.case_reference in participants
    signed_in("staff", resource_id=course["teacher"].id)
    staff_view = client.get(f"/console/bookings/{second.id}").text
    assert alice.case_reference not in staff_view  # the teacher sees the class, not who


def test_new_times_from_a_date_on_continue_the_course_as_a_new_series(client, session, course):
    series_id, alice, bob = course["id"], course["alice"], course["bob"]
    fourth = dates(session, series_id)[3]  # Wednesday 10 March
    page = f"/console/series/{series_id}/occurrences/{fourth.id}"
    data = {"starts": "14:00", "ends": "16:00"}

    asked = ask(client, f"{page}/split", data, page)

    assert asked.status_code == 200, asked.text
    changes = section(asked.text, "what-changes")
    assert "meets 14:00\u201316:00" in changes
    assert changes.count("New time for") == 4  # 10, 15, 17 and 24 March (22nd is not a holiday)
    assert f"{alice.case_reference}: an SMS with the new time" in section(asked.text, "told")
    assert f"{bob.case_reference}: no consent to SMS" in section(asked.text, "untold")
    assert session.get(Series, series_id).status == "active"

    done = confirm(client, f"{page}/split", data, page)

    assert done.status_code == 302, done.text
    successor_id = int(done.location.rsplit("/", 1)[1])
    session.expire_all()
    assert session.get(Series, series_id).status == "split"
    later = dates(session, successor_id)
    assert [b.starts_at.astimezone(SOFIA).hour for b in later] == [14] * len(later)
    assert "reschedule" in kinds_for(session, alice)
    shown = client.get(done.location).text
    assert alice.case_reference in section(shown, "roster")


def test_new_times_that_end_before_they_start_are_refused_on_the_form(client, session, course):
    series_id = course["id"]
    fourth = dates(session, series_id)[3]
    page = f"/console/series/{series_id}/occurrences/{fourth.id}"

    answer = ask(client, f"{page}/split", {"starts": "16:00", "ends": "14:00"}, page)

    assert answer.status_code == 422
    assert "The end must come after the start." in answer.text
    assert session.scalar(select(func.count()).select_from(Series)) == 1
