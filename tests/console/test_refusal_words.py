# ruff: noqa: RUF001 - Bulgarian text on purpose
"""Every code a domain refusal carries has console words, and Bulgarian pages show them in
Bulgarian, with names, and none of the API's English."""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path

import service
from service.booking.calendar_rules import public_holiday
from service.console.refusal_words import WORDS
from service.interpreters.interpreter_rules import AVOIDED, OVERRIDABLE
from service.models import User
from tests.console.conftest import csrf_token
from tests.console.test_account_pages import _post
from tests.console.test_series_pages import create_course, error_of, page_post, plan_data, post

SOURCE = Path(service.__file__).parent


def raised_codes() -> dict[str, str]:
    """Each code given to `.coded("...")` in service/, with a file that gives it."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "coded"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.setdefault(node.args[0].value, str(path.relative_to(SOURCE)))
    # The interpreter rules name their refusal after the rule broken (`f"interpreter_{rule}"`).
    for rule in (AVOIDED, *OVERRIDABLE):
        found.setdefault(f"interpreter_{rule}", "interpreter_rules.py")
    return found


def test_every_code_raised_in_service_has_console_words():
    codes = raised_codes()
    assert len(codes) > 100  # the collector finds the codes at all
    missing = {code: where for code, where in codes.items() if code not in WORDS}
    assert not missing, f"add words for these codes to service/console/refusal_words.py: {missing}"


def test_every_worded_code_is_still_raised():
    assert set(WORDS) - set(raised_codes()) == set()


def test_a_plan_in_bulgarian_names_the_room_the_person_and_the_holiday(
    client, signed_in, factory, session
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    sofia_room = factory.room("sofia")
    signed_in("admin", locale="bg")

    elsewhere = post(client, "/console/series/preview", plan_data(teacher, sofia_room))
    assert elsewhere.status_code == 422
    assert f"{sofia_room.name} не е в офиса в Бургас." in error_of(elsewhere.text, "resources")
    assert "is not in the" not in elsewhere.text

    session.get(type(teacher), teacher.id).working_hours.clear()  # works no hours at all now
    session.commit()
    preview = post(client, "/console/series/preview", plan_data(teacher, room)).text
    assert f"{teacher.name} не работи по това време." in preview
    assert "does not work" not in preview and f"Resource {teacher.id}" not in preview
    liberation_day = public_holiday(date(2027, 3, 3), "bg")
    assert liberation_day and liberation_day in preview  # the skipped date, named in Bulgarian
    assert "public holiday" not in preview


def test_a_register_before_the_class_is_refused_in_bulgarian(client, signed_in, factory):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    person = factory.beneficiary(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")
    series_id = create_course(client, teacher, room)
    page_post(client, series_id, "enrol", {"case_reference": person.case_reference})
    page = client.get(f"/console/series/{series_id}").text
    booking_id = re.search(rf"/console/series/{series_id}/occurrences/(\d+)", page).group(1)
    url = f"/console/series/{series_id}/occurrences/{booking_id}"
    form = client.get(url).text

    answer = client.post(url, data={"csrf_token": csrf_token(form), f"mark-{person.id}": "present"})

    assert answer.status_code == 409
    assert "Присъствието се отбелязва след като занятието започне." in answer.text
    assert "Attendance is recorded" not in answer.text


def test_ending_a_series_after_its_last_date_is_refused_in_bulgarian(client, signed_in, factory):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    room = factory.room("burgas", capacity=10)
    signed_in("coordinator", offices=["burgas"], locale="bg")
    series_id = create_course(client, teacher, room)  # four weeks from 1 March 2027

    answer = page_post(client, series_id, "end", {"last_day": "2027-03-31"})

    assert answer.status_code == 422
    assert "Поредицата няма дати след този ден, които да прекрати." in answer.text
    assert "no occurrence after that day" not in answer.text


def test_an_existing_email_is_refused_in_bulgarian_by_its_code(
    client, signed_in, make_user, session
):
    user = make_user("coordinator")
    signed_in("admin", locale="bg")

    answer = _post(
        client, "/console/users/new", "/console/users/new", email=user.email, role="read_only"
    )

    assert answer.status_code == 422
    assert "Вече има профил с този имейл." in answer.text
    assert "exists already" not in answer.text and user.email not in answer.text.split("<form")[0]
    assert session.query(User).count() == 2
