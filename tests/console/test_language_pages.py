# ruff: noqa: RUF001 - Bulgarian text on purpose
"""The language rule in the console: the refusal in the user's language, the override, and
the beneficiary's other languages."""

from __future__ import annotations

from datetime import time

from service.models import Booking, Enrolment
from service.plumbing.clock import sofia_instant
from tests.console.conftest import csrf_token, find_query, work_day
from tests.console.test_series_pages import create_course, page_post


def _book(client, day, slot, case_reference, **extra):
    page = client.get("/console/find", query_string=find_query(day))
    data = find_query(day) | {
        "slot": slot,
        "case_reference": case_reference,
        "room": "0",
        "remote_link": "",
        "csrf_token": csrf_token(page.text),
    }
    return client.post("/console/book", data=data | extra)


def test_find_and_book_refuses_an_interpreter_without_a_shared_language_in_bulgarian(
    client, signed_in, factory, session
):
    day = work_day()
    arabic = factory.interpreter("ar", offices=("burgas",))
    speaker = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")
    slot = f"{arabic.id}|{sofia_instant(day, time(11)).isoformat()}"

    refused = _book(client, day, slot, speaker.case_reference)

    assert refused.status_code == 422
    assert "Нямат общ език" in refused.text
    assert speaker.case_reference in refused.text
    assert 'name="language_override"' in refused.text
    assert session.query(Booking).count() == 0

    no_reason = _book(client, day, slot, speaker.case_reference, language_override="y")
    assert no_reason.status_code == 422
    assert "Посочете защо" in no_reason.text

    booked = _book(
        client,
        day,
        slot,
        speaker.case_reference,
        language_override="y",
        language_override_reason="Разбира арабски от училище",
    )
    assert booked.status_code == 302, booked.text
    detail = client.get(booked.location)
    assert 'id="language-override"' in detail.text
    assert "Разбира арабски от училище" in detail.text


def test_staff_are_not_offered_the_override(client, signed_in, factory, session):
    day = work_day()
    arabic = factory.interpreter("ar", offices=("burgas",))
    speaker = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("staff", resource_id=arabic.id, offices=["burgas"])
    slot = f"{arabic.id}|{sofia_instant(day, time(11)).isoformat()}"

    refused = _book(
        client,
        day,
        slot,
        speaker.case_reference,
        language_override="y",
        language_override_reason="I say so",
    )

    assert refused.status_code in (403, 422)
    assert 'name="language_override"' not in refused.text
    assert session.query(Booking).count() == 0


def test_the_beneficiary_page_edits_other_languages(client, signed_in, factory):
    person = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    url = f"/console/beneficiaries/{person.id}"
    page = client.get(url)
    assert 'id="other-languages">—' in page.text

    bad = client.post(
        f"{url}/languages",
        data={"other_languages": "ar, klingon", "csrf_token": csrf_token(page.text)},
    )
    assert bad.status_code == 422
    assert "Unknown language code" in bad.text

    saved = client.post(
        f"{url}/languages",
        data={"other_languages": "AR, en", "csrf_token": csrf_token(page.text)},
    )
    assert saved.status_code == 302
    assert 'id="other-languages">ar, en' in client.get(url).text


def test_enrolling_in_a_class_whose_interpreter_shares_no_language_is_refused_in_bulgarian(
    client, signed_in, factory
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    sorani = factory.interpreter("ckb", offices=("burgas",))
    room = factory.room("burgas", capacity=8)
    speaker = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")
    series_id = create_course(client, teacher, room, second=str(sorani.id))

    refused = page_post(client, series_id, "enrol", {"case_reference": speaker.case_reference})

    assert refused.status_code == 422
    assert "Нямат общ език" in refused.text


def test_a_coordinator_enrols_despite_the_language_rule_with_a_reason(
    client, signed_in, factory, session
):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    sorani = factory.interpreter("ckb", offices=("burgas",))
    room = factory.room("burgas", capacity=8)
    speaker = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"], locale="bg")
    series_id = create_course(client, teacher, room, second=str(sorani.id))
    enrol = {"case_reference": speaker.case_reference}

    refused = page_post(client, series_id, "enrol", enrol)
    assert refused.status_code == 422
    assert 'name="language_override"' in refused.text

    no_reason = page_post(client, series_id, "enrol", enrol | {"language_override": "y"})
    assert no_reason.status_code == 422
    assert "Посочете защо все пак го записвате." in no_reason.text
    assert session.query(Enrolment).count() == 0

    reason = "Разбира кюрдски от семейството"
    enrolled = page_post(
        client,
        series_id,
        "enrol",
        enrol | {"language_override": "y", "language_override_reason": reason},
    )
    assert enrolled.status_code == 302, enrolled.text
    row = session.query(Enrolment).one()
    assert row.beneficiary_id == speaker.id and row.status == "enrolled"
    assert row.language_override_reason == reason


def test_staff_cannot_enrol_despite_the_language_rule(client, signed_in, factory, session):
    teacher = factory.person("teacher", offices=("burgas",), languages=("bg",))
    sorani = factory.interpreter("ckb", offices=("burgas",))
    room = factory.room("burgas", capacity=8)
    speaker = factory.beneficiary(language="ti", offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    series_id = create_course(client, teacher, room, second=str(sorani.id))
    signed_in("staff", resource_id=teacher.id, offices=["burgas"])

    refused = page_post(
        client,
        series_id,
        "enrol",
        {
            "case_reference": speaker.case_reference,
            "language_override": "y",
            "language_override_reason": "I say so",
        },
    )

    assert refused.status_code in (403, 422)
    assert 'name="language_override"' not in refused.text
    assert session.query(Enrolment).count() == 0
