# ruff: noqa: RUF001 - the console's Bulgarian words are asserted as the user reads them
"""The interpreter rules in the console: refusals in words, the override and who sees it."""

from __future__ import annotations

from datetime import time, timedelta

from service.booking.bookings import Actor
from service.booking.policy import BookingPolicy
from service.models import Booking, Enrolment
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.series.series import SeriesRequest, create_series
from tests.console.conftest import csrf_token, work_day
from tests.console.test_language_pages import _book
from tests.console.test_series_pages import page_post, plan_data, post

REASON = "Единственият свободен преводач тази седмица"


def _slot(interpreter, day, hour=11):
    return f"{interpreter.id}|{sofia_instant(day, time(hour)).isoformat()}"


def test_a_gender_preference_is_refused_in_bulgarian_then_overridden_with_a_reason(
    client, signed_in, factory, session
):
    day = work_day()
    man = factory.interpreter("ar", offices=("burgas",), gender="male")
    person = factory.needs(factory.beneficiary(offices=("burgas",)), gender="female")
    signed_in("coordinator", offices=["burgas"], locale="bg")

    refused = _book(client, day, _slot(man, day), person.case_reference)
    assert refused.status_code == 422
    assert f"{person.case_reference} поиска преводачът да е жена; {man.name} не е." in refused.text
    assert 'name="interpreter_override"' in refused.text
    assert session.query(Booking).count() == 0

    no_reason = _book(client, day, _slot(man, day), person.case_reference, interpreter_override="y")
    assert no_reason.status_code == 422
    assert "Посочете защо правилата за преводачи не се спазват." in no_reason.text

    booked = _book(
        client,
        day,
        _slot(man, day),
        person.case_reference,
        interpreter_override="y",
        interpreter_override_reason=REASON,
    )
    assert booked.status_code == 302, booked.text
    detail = client.get(booked.location).text
    assert 'id="interpreter-override"' in detail
    assert f"пола на преводача: {REASON}" in detail
    stored = session.query(Booking).one()
    assert (stored.interpreter_override_rules, stored.interpreter_override_reason) == (
        "gender",
        REASON,
    )

    client.post("/console/logout", data={"csrf_token": csrf_token(detail)})
    signed_in("staff", resource_id=man.id, locale="bg")
    seen = client.get(booked.location)
    assert seen.status_code == 200
    assert 'id="interpreter-override"' not in seen.text and REASON not in seen.text


def test_an_avoided_interpreter_is_refused_with_no_override_offered(
    client, signed_in, factory, session
):
    day = work_day()
    feared = factory.interpreter("ar", offices=("burgas",))
    person = factory.needs(factory.beneficiary(offices=("burgas",)), avoid=(feared,))
    signed_in("coordinator", offices=["burgas"])

    refused = _book(
        client,
        day,
        _slot(feared, day),
        person.case_reference,
        interpreter_override="y",
        interpreter_override_reason="I say so",
    )

    assert refused.status_code == 422
    assert (
        f"{feared.name} is on the avoid list of {person.case_reference}: "
        "choose another interpreter." in refused.text
    )
    assert "known from home" not in refused.text
    assert 'name="interpreter_override"' not in refused.text
    assert session.query(Booking).count() == 0


def test_an_hour_limit_is_worded_with_the_hours_and_the_types(client, signed_in, factory):
    day = work_day()
    interpreter = factory.interpreter(
        "ar", offices=("burgas",), max_hours_day=1, limited_types=("interpretation",)
    )
    factory.booking([interpreter], sofia_instant(day, time(9)), minutes=60, office="burgas")
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])

    refused = _book(client, day, _slot(interpreter, day, 14), person.case_reference)

    assert refused.status_code == 422
    assert (
        f"With this session {interpreter.name} would have 2 hours of interpretation in one day; "
        "the limit is 1." in refused.text
    )
    assert 'name="interpreter_override"' in refused.text


def test_the_enrol_form_refuses_then_enrols_with_an_override(client, signed_in, factory, session):
    man = factory.interpreter("ar", offices=("burgas",), gender="male")
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    start = sofia_instant(work_day(), time(10))
    series, _plan = create_series(
        session,
        SeriesRequest(
            type="language_class",
            office="burgas",
            title="Bulgarian A1",
            rrule="FREQ=WEEKLY;COUNT=3",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            resource_ids=[teacher.id, man.id],
        ),
        Actor("tests"),
        BookingPolicy(),
    )
    session.commit()
    person = factory.needs(factory.beneficiary(offices=("burgas",)), gender="female")
    signed_in("coordinator", offices=["burgas"])

    refused = page_post(client, series.id, "enrol", {"case_reference": person.case_reference})
    assert refused.status_code == 422
    assert f"{person.case_reference} asked for an interpreter who is a woman" in refused.text
    assert 'name="interpreter_override"' in refused.text

    enrolled = page_post(
        client,
        series.id,
        "enrol",
        {
            "case_reference": person.case_reference,
            "interpreter_override": "y",
            "interpreter_override_reason": "She agreed after we asked her",
        },
    )
    assert enrolled.status_code == 302, enrolled.text
    row = session.query(Enrolment).one()
    assert row.interpreter_override_rules == "gender"
    assert row.interpreter_override_reason == "She agreed after we asked her"


def test_moving_a_booking_past_an_hour_limit_is_refused_then_moved_with_a_reason(
    client, signed_in, factory, session
):
    day = work_day()
    other_day = work_day((day - to_sofia(utcnow()).date()).days + 1)  # the next one after
    interpreter = factory.interpreter(
        "ar", offices=("burgas",), max_hours_day=2, limited_types=("interpretation",)
    )
    factory.booking([interpreter], sofia_instant(other_day, time(9)), minutes=90, office="burgas")
    shown = factory.booking([interpreter], sofia_instant(day, time(9)), office="burgas")
    signed_in("coordinator", offices=["burgas"])

    def move(**extra):
        page = client.get(f"/console/bookings/{shown.id}")
        return client.post(
            f"/console/bookings/{shown.id}/reschedule",
            data={
                "csrf_token": csrf_token(page.text),
                "version": str(shown.version),
                "day": other_day.isoformat(),
                "starts": "14:00",
                "ends": "15:00",
                **extra,
            },
        )

    refused = move()
    assert refused.status_code == 422
    assert f"{interpreter.name} would have 2.5 hours of interpretation in one day" in refused.text
    assert 'name="interpreter_override"' in refused.text

    moved = move(interpreter_override="y", interpreter_override_reason="Urgent hearing")
    assert moved.status_code == 302, moved.text
    session.expire_all()
    stored = session.get(Booking, shown.id)
    assert sofia_instant(other_day, time(14)) == stored.starts_at
    assert (stored.interpreter_override_rules, stored.interpreter_override_reason) == (
        "hours_day",
        "Urgent hearing",
    )


def test_a_course_past_an_interpreters_weekly_hours_is_shown_refused_then_planned_with_a_reason(
    client, signed_in, factory, session
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    interpreter = factory.interpreter(
        "ar", offices=("burgas",), max_hours_week=3, limited_types=("language_class",)
    )
    signed_in("coordinator", offices=["burgas"])
    data = plan_data(teacher, room, second=str(interpreter.id))  # Mondays and Wednesdays, 2 h

    preview = post(client, "/console/series/preview", data)
    assert preview.status_code == 200, preview.text
    assert 'id="hour-limits"' in preview.text
    assert (
        f"{interpreter.name} would have 4 hours of language class in one week; the limit is 3"
        in preview.text.replace("\n    ", " ")
    )
    assert 'name="interpreter_override"' in preview.text

    refused = post(client, "/console/series/new", data)
    assert refused.status_code == 422
    assert session.query(Booking).count() == 0

    planned = post(
        client,
        "/console/series/new",
        data | {"interpreter_override": "y", "interpreter_override_reason": "Exam week"},
    )
    assert planned.status_code == 302, planned.text
    rules = {b.interpreter_override_rules for b in session.query(Booking)}
    assert rules == {None, "hours_week"}
