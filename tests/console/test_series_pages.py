"""The series planner through the Flask test client: dry run as a calendar, commit, roster."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from sqlalchemy import func, select

from service.booking.bookings import Actor
from service.models import Attendance, Booking, Enrolment, Series
from service.plumbing.clock import sofia_instant
from service.series.series_changes import cancel_occurrence
from tests.console.conftest import csrf_token
from tests.test_series import planned_back_then, series_body

FIRST_MONDAY = date(2027, 3, 1)  # Mondays and Wednesdays: 3 March (Liberation Day) is skipped
PAST_MONDAY = date(2026, 11, 2)


@pytest.fixture
def burgas(factory):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    return teacher, room


def plan_data(teacher, room, /, **extra):
    return {
        "title": "Bulgarian A1",
        "kind": "language_class",
        "office": "burgas",
        "lead": str(teacher.id),
        "second": "0",
        "room": str(room.id),
        "first_day": FIRST_MONDAY.isoformat(),
        "starts": "10:00",
        "ends": "12:00",
        "weekdays": ["MO", "WE"],
        "end_by": "weeks",
        "weeks": "4",
        "count": "",
        "until": "",
        "capacity": "12",
        "description": "",
    } | extra


def post(client, url, data, **kwargs):
    token = csrf_token(client.get("/console/series/new").text)
    return client.post(url, data=data | {"csrf_token": token}, **kwargs)


def written(session):
    return (
        session.scalar(select(func.count()).select_from(Series)),
        session.scalar(select(func.count()).select_from(Booking)),
    )


def error_of(html, name):
    found = re.search(rf'<span class="error" id="err-{name}"[^>]*>(.*?)</span>', html, re.S)
    assert found, f"no error slot for {name}"
    return found.group(1).strip()


def cell(html, day):
    found = re.search(rf'<td data-day="{day}"[^>]*>(.*?)</td>', html, re.S)
    assert found, f"no calendar cell for {day}"
    return found.group(0)


def test_the_preview_shows_each_date_at_its_sofia_time_and_the_skipped_holiday_and_writes_nothing(
    client, signed_in, burgas, session
):
    signed_in("coordinator", offices=["burgas"])
    before = written(session)

    response = post(client, "/console/series/preview", plan_data(*burgas))

    assert response.status_code == 200, response.text
    html = response.text
    assert html.count('class="occ planned"') == 7  # 8 rule dates in 4 weeks, one a holiday
    assert "10:00</time>\u201312:00" in cell(html, "2027-03-08")
    skipped = cell(html, "2027-03-03")
    assert "skipped" in skipped and "Liberation Day" in skipped
    assert "March 2027" in html and 'id="commit-button"' in html
    assert written(session) == before


def test_htmx_gets_only_the_calendar_and_the_field_errors_out_of_band(client, signed_in, burgas):
    signed_in("coordinator", offices=["burgas"])
    headers = {"HX-Request": "true"}

    shown = post(client, "/console/series/preview", plan_data(*burgas), headers=headers)
    refused = post(
        client, "/console/series/preview", plan_data(*burgas, weekdays=[]), headers=headers
    )

    assert shown.status_code == 200
    assert shown.text.lstrip().startswith('<section id="plan"') and "<html" not in shown.text
    assert refused.status_code == 422
    assert re.search(
        r'id="err-weekdays" hx-swap-oob="true">Choose at least one weekday', refused.text
    )


def test_commit_creates_the_series_and_shows_its_page(client, signed_in, burgas, session):
    signed_in("coordinator", offices=["burgas"])

    response = post(client, "/console/series/new", plan_data(*burgas))

    assert response.status_code == 302, response.text
    series_id = int(response.location.rsplit("/", 1)[1])
    series = session.get(Series, series_id)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270328T205959Z"  # 23:59:59 summer time
    assert series.created_by.endswith("@example.org")
    page = client.get(response.location).text
    assert page.count('class="occ confirmed"') == 7
    assert "Liberation Day" in page and "Monday, Wednesday" in page
    assert "Series created: 7 dates booked, 1 skipped." in page
    listed = client.get("/console/series").text
    row = re.search(rf'<tr data-series-id="{series_id}">(.*?)</tr>', listed, re.S).group(1)
    assert "Bulgarian A1" in row and "Mon 1 Mar 2027, 10:00" in row
    assert re.findall(r"<td>(\d+)</td>", row) == ["10", "0", "0"]  # seats: the room's 10


def test_staff_see_and_open_only_the_series_they_work_in(client, signed_in, burgas, factory):
    teacher, room = burgas
    colleague = factory.person("teacher", offices=("burgas",), languages=("bg",))
    signed_in("admin")
    mine = create_course(client, teacher, room, title="Mine")
    theirs = create_course(client, colleague, factory.room("burgas"), title="Theirs")
    signed_in("staff", resource_id=teacher.id)

    listed = client.get("/console/series").text

    assert f'data-series-id="{mine}"' in listed and f'data-series-id="{theirs}"' not in listed
    assert client.get(f"/console/series/{mine}").status_code == 200
    assert client.get(f"/console/series/{theirs}").status_code == 404  # not theirs: not found
    planner = client.get("/console/series/new").text
    assert f'<option value="{teacher.id}"' in planner
    assert f'<option value="{colleague.id}"' not in planner


def test_a_clash_is_shown_and_commit_refuses_unless_the_clashing_dates_are_skipped(
    client, signed_in, burgas, factory, session
):
    teacher, room = burgas
    taken = factory.booking([teacher], sofia_instant(date(2027, 3, 8), time(11)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    data = plan_data(teacher, room)

    preview = post(client, "/console/series/preview", data)
    refused = post(client, "/console/series/new", data)
    before = written(session)

    assert preview.status_code == 200
    clash = cell(preview.text, "2027-03-08")
    assert "occ planned clash" in clash and f'href="/console/bookings/{taken.id}"' in clash
    assert teacher.name in clash
    assert "1 with a clash" in preview.text and 'name="skip_clashes"' in preview.text
    assert refused.status_code == 409
    assert 'id="refused"' in refused.text and "nothing was booked" in refused.text
    assert written(session) == before

    created = post(client, "/console/series/new", data | {"skip_clashes": "y"})

    assert created.status_code == 302, created.text
    series = session.get(Series, int(created.location.rsplit("/", 1)[1]))
    assert (
        len([b for b in session.scalars(select(Booking).where(Booking.series_id == series.id))])
        == 6
    )
    assert sorted(e.day for e in series.exceptions) == [date(2027, 3, 3), date(2027, 3, 8)]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"starts": "12:00", "ends": "10:00"}, "ends", "The end must come after the start."),
        ({"weekdays": []}, "weekdays", "Choose at least one weekday."),
        ({"end_by": "count", "count": "200"}, "count", "at most one year"),
        ({"end_by": "weeks", "weeks": "60"}, "weeks", "at most one year"),
        ({"room": "999999"}, "room", "Not a valid choice"),
        ({"weekdays": ["TU"]}, "first_day", "not an occurrence of the rule"),
        ({"end_by": "until", "until": ""}, "until", "Give the last date."),
        ({"title": ""}, "title", "This field is required."),
        ({"reminders": "soon"}, "reminders", "Give hours as numbers separated by commas."),
        ({"reminders": "48, 0"}, "reminders", "more than 0 and at most 336 hours"),
    ],
)
def test_bad_input_redraws_the_form_with_the_fields_error(
    client, signed_in, burgas, session, change, field, message
):
    signed_in("coordinator", offices=["burgas"])
    before = written(session)

    for url in ("/console/series/preview", "/console/series/new"):
        response = post(client, url, plan_data(*burgas, **change))

        assert response.status_code == 422, response.text
        assert message in error_of(response.text, field)
        assert 'id="plan-errors"' in response.text and f'href="#{field}"' in response.text
    assert written(session) == before


def test_a_room_of_another_office_is_named_under_who_and_where(client, signed_in, factory):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    sofia_room = factory.room("sofia")
    signed_in("admin")

    response = post(client, "/console/series/preview", plan_data(teacher, sofia_room))

    assert response.status_code == 422
    assert f"{sofia_room.name} is not in the Burgas office" in error_of(response.text, "resources")


def create_course(client, teacher, room, **extra):
    response = post(client, "/console/series/new", plan_data(teacher, room, **extra))
    assert response.status_code == 302, response.text
    return int(response.location.rsplit("/", 1)[1])


def page_post(client, series_id, path, data=None):
    page = client.get(f"/console/series/{series_id}")
    return client.post(
        f"/console/series/{series_id}/{path}",
        data=(data or {}) | {"csrf_token": csrf_token(page.text)},
    )


def test_enrol_until_full_then_the_waitlist_and_a_withdrawal_promotes_the_first_waiting(
    client, signed_in, factory, session
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=2)
    people = [factory.beneficiary(offices=("burgas",)) for _ in range(4)]
    signed_in("coordinator", offices=["burgas"])
    series_id = create_course(client, teacher, room)

    answers = [
        page_post(client, series_id, "enrol", {"case_reference": p.case_reference}) for p in people
    ]

    assert [a.status_code for a in answers] == [302] * 4
    page = client.get(f"/console/series/{series_id}").text
    assert "Seats: 2 · enrolled: 2 · waitlist: 2" in page
    assert f"{people[3].case_reference}</td>\n    <td>waitlist, number 2" in page
    again = page_post(client, series_id, "enrol", {"case_reference": people[0].case_reference})
    assert again.status_code == 409 and "already enrolled" in again.text
    unknown = page_post(client, series_id, "enrol", {"case_reference": "NO-SUCH-CASE"})
    assert unknown.status_code == 422 and "NO-SUCH-CASE" in unknown.text

    first = session.scalar(select(Enrolment).where(Enrolment.beneficiary_id == people[0].id))
    asked = page_post(client, series_id, f"enrolments/{first.id}/withdraw")
    assert asked.status_code == 200 and 'id="confirm-withdraw"' in asked.text
    assert people[0].case_reference in asked.text.split('id="confirm-withdraw"')[1][:400]
    assert "Seats: 2 · enrolled: 2 · waitlist: 2" in asked.text  # nothing changed yet
    withdrawn = page_post(
        client, series_id, f"enrolments/{first.id}/withdraw", {"confirmed": "yes"}
    )

    assert withdrawn.status_code == 302
    page = client.get(withdrawn.location).text
    assert f"{people[2].case_reference} moved up from the waitlist." in page
    assert "Seats: 2 · enrolled: 2 · waitlist: 1" in page
    assert f"{people[3].case_reference}</td>\n    <td>waitlist, number 1" in page


def test_the_register_records_marks_and_walk_ins_and_the_figures_follow(
    client, signed_in, burgas, factory, session
):
    teacher, room = burgas
    alice, bob = factory.beneficiary(offices=("burgas",)), factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    series_id = planned_back_then(  # held already: planned through the domain back then
        session,
        series_body(
            [teacher.id, room.id],
            start=sofia_instant(PAST_MONDAY, time(10)),
            office="burgas",
            type="community_event",
            rrule="FREQ=WEEKLY;BYDAY=MO;COUNT=2",
        ),
    ).id
    for person in (alice, bob):
        page_post(client, series_id, "enrol", {"case_reference": person.case_reference})
    first = session.scalars(
        select(Booking).where(Booking.series_id == series_id).order_by(Booking.starts_at)
    ).first()
    url = f"/console/series/{series_id}/occurrences/{first.id}"
    form = client.get(url)
    assert form.status_code == 200 and f'name="mark-{alice.id}"' in form.text

    saved = client.post(
        url,
        data={
            "csrf_token": csrf_token(form.text),
            f"mark-{alice.id}": "present",
            f"mark-{bob.id}": "absent",
            "walk_ins": "5",
        },
    )

    assert saved.status_code == 302
    session.expire_all()
    marks = {a.beneficiary_id: a.mark for a in session.scalars(select(Attendance))}
    assert marks == {alice.id: "present", bob.id: "absent"}
    assert session.get(Booking, first.id).walk_ins == 5
    shown = client.get(url).text
    assert f'id="mark-{alice.id}-present" value="present" checked' in shown
    page = client.get(f"/console/series/{series_id}").text
    assert re.search(r'id="attendance-rate">50 %<', page)
    assert "Walk-ins</dt><dd>5" in page

    bad = client.post(url, data={"csrf_token": csrf_token(form.text), f"mark-{alice.id}": "asleep"})
    assert bad.status_code == 422 and "present, absent or excused" in bad.text


def test_the_register_of_a_date_still_to_come_is_refused(client, signed_in, burgas, factory):
    teacher, room = burgas
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    series_id = create_course(client, teacher, room)
    page_post(client, series_id, "enrol", {"case_reference": person.case_reference})
    occurrence = client.get(f"/console/series/{series_id}").text
    booking_id = re.search(rf"/console/series/{series_id}/occurrences/(\d+)", occurrence).group(1)
    url = f"/console/series/{series_id}/occurrences/{booking_id}"
    form = client.get(url).text
    assert "once the date has started" in form

    response = client.post(
        url, data={"csrf_token": csrf_token(form), f"mark-{person.id}": "present"}
    )

    assert response.status_code == 409
    assert "once the class has started" in response.text


def test_a_burgas_coordinator_can_neither_open_nor_plan_a_sofia_series(
    client, signed_in, factory, session
):
    teacher = factory.person("teacher", offices=("sofia",), languages=("bg",))
    room = factory.room("sofia")
    signed_in("admin")
    series_id = create_course(client, teacher, room, office="sofia")
    client.post(
        "/console/logout", data={"csrf_token": csrf_token(client.get("/console/series").text)}
    )
    signed_in("coordinator", offices=["burgas"])
    before = written(session)

    opened = client.get(f"/console/series/{series_id}")
    listed = client.get("/console/series")
    planned = post(client, "/console/series/new", plan_data(teacher, room, office="sofia"))
    enrolled = client.post(
        f"/console/series/{series_id}/enrol",
        data={"csrf_token": csrf_token(listed.text), "case_reference": "X"},
    )

    assert opened.status_code == 404 and "Bulgarian A1" not in opened.text  # not confirmed
    assert f'data-series-id="{series_id}"' not in listed.text
    assert planned.status_code == 422 and "Not a valid choice" in error_of(planned.text, "office")
    assert enrolled.status_code == 404
    assert written(session) == before


def test_a_read_only_user_sees_a_series_but_cannot_plan_or_enrol(
    client, signed_in, burgas, factory
):
    signed_in("admin")
    series_id = create_course(client, *burgas)
    client.post(
        "/console/logout", data={"csrf_token": csrf_token(client.get("/console/series").text)}
    )
    signed_in("read_only")

    page = client.get(f"/console/series/{series_id}")
    listed = client.get("/console/series")

    assert page.status_code == 200 and "Bulgarian A1" in page.text
    assert "Enrol</button>" not in page.text and "Plan a series" not in listed.text
    assert client.get("/console/series/new").status_code == 403
    refused = client.post(
        f"/console/series/{series_id}/enrol",
        data={
            "csrf_token": csrf_token(page.text),
            "case_reference": factory.beneficiary().case_reference,
        },
    )
    assert refused.status_code == 403


def test_the_planner_sets_the_series_own_reminders(client, signed_in, burgas, session):
    signed_in("coordinator", offices=["burgas"])

    with_offsets = create_course(client, *burgas, reminders="2, 48")
    usual = create_course(client, *burgas, first_day="2027-06-07", reminders=" ")

    assert session.get(Series, with_offsets).reminder_offsets == [48.0, 2.0]
    assert session.get(Series, usual).reminder_offsets is None


def test_the_series_pages_speak_bulgarian(client, signed_in, burgas):
    signed_in("coordinator", offices=["burgas"], locale="bg")
    planner = client.get("/console/series/new").text
    series_id = create_course(client, *burgas)

    page = client.get(f"/console/series/{series_id}").text

    assert "Планиране на поредица" in planner and "понеделник" in planner
    assert "Напомняния: часове преди всяко занятие" in planner
    assert "понеделник, сряда" in page and "Записване" in page
    assert "март 2027" in page


def test_a_cancelled_date_is_shown_as_such(client, signed_in, burgas, session):
    signed_in("coordinator", offices=["burgas"])
    series_id = create_course(client, *burgas)
    series = session.get(Series, series_id)
    booking = session.scalars(
        select(Booking).where(Booking.series_id == series_id).order_by(Booking.starts_at)
    ).first()
    cancel_occurrence(session, series, booking, Actor("tests"), "teacher ill")
    session.commit()

    page = client.get(f"/console/series/{series_id}").text

    assert "occ cancelled" in cell(page, "2027-03-01") and "cancelled" in cell(page, "2027-03-01")
    assert "cancelled: teacher ill" in page
    assert page.count('class="occ confirmed"') == 6
