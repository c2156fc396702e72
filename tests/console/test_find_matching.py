# ruff: noqa: RUF001 - the Bulgarian pages are checked in Cyrillic
"""Find and book for beneficiaries: interpreters in the API's order with their reasons in words,
and why nobody matches, without the avoid reason."""

from __future__ import annotations

import re
from datetime import time, timedelta

from service.plumbing.clock import sofia_instant
from tests.console.conftest import find_query, work_day


def _legends(html: str) -> list[str]:
    return re.findall(r"<legend>([^<]+)</legend>", html)


def _named(factory, name, **kwargs):
    interpreter = factory.interpreter(offices=("burgas",), **kwargs)
    interpreter.name = name
    factory.session.commit()
    return interpreter


def _nothing(html: str) -> str:
    assert 'id="nothing-free"' in html
    return html.split('id="nothing-free">', 1)[1].split("</p>", 1)[0]


def test_interpreters_come_in_the_api_s_order_with_their_reasons(client, signed_in, factory, admin):
    day = work_day()
    _named(factory, "Amal", dialects=("ar-IQ",))
    _named(factory, "Basma")
    served = _named(factory, "Chadi", dialects=("ar-SY",))
    syrian = _named(factory, "Dana", dialects=("ar-SY",))
    person = factory.needs(factory.beneficiary(offices=("burgas",)), dialect="ar-SY")
    before = sofia_instant(day, time(9))
    factory.booking([served], before, office="burgas", beneficiary_ids=[person.id], minutes=90)
    user = signed_in("coordinator", offices=["burgas"])

    html = client.get(
        "/console/find", query_string=find_query(day, beneficiaries=person.case_reference)
    ).text

    assert _legends(html)[:4] == ["Chadi", "Dana", "Basma", "Amal"]
    assert "speaks Syrian Arabic" in html
    assert f"worked with the beneficiary on {day.strftime('%d.%m.%Y')}" in html
    assert "1.5 h this month" in html
    assert "already at this office that day" in html
    assert "speaks Iraqi Arabic, not Syrian Arabic" in html
    assert f'value="{person.case_reference}"' in html  # the booking is for them already
    api = client.get(
        "/api/v1/availability",
        query_string={
            "kind": "interpreter",
            "language": "ar",
            "office": "burgas",
            "start": sofia_instant(day, time(0)).isoformat(),
            "end": sofia_instant(day + timedelta(days=1), time(0)).isoformat(),
            "duration": 60,
            "beneficiary_ids": [person.id],
        },
        headers=admin,
    ).json
    names = {served.id: "Chadi", syrian.id: "Dana"}
    assert [names.get(r["resource_id"]) for r in api][:2] == ["Chadi", "Dana"]

    user.locale = "bg"
    factory.session.commit()
    html = client.get(
        "/console/find", query_string=find_query(day, beneficiaries=person.case_reference)
    ).text
    assert "говори сирийски арабски" in html
    assert "работил е с бенефициера на" in html
    assert "1,5 ч този месец" in html


def test_an_unknown_case_reference_is_said_on_the_field(client, signed_in, factory):
    _named(factory, "Amal")
    factory.beneficiary(case_reference="SOF-1", offices=("sofia",))  # not Burgas's
    signed_in("coordinator", offices=["burgas"])

    html = client.get("/console/find", query_string=find_query(work_day(), beneficiaries="SOF-1"))

    assert html.status_code == 200
    assert "Amal" not in _legends(html.text)
    assert 'class="error"' in html.text


def test_staff_are_not_offered_the_matching_field(client, signed_in, factory):
    me = _named(factory, "Amal")
    signed_in("staff", resource_id=me.id)
    html = client.get("/console/find", query_string=find_query(work_day())).text
    assert 'name="beneficiaries"' not in html.split("</form>", 1)[0]


def test_why_nobody_matches_names_the_rules_but_not_the_avoid_reason(client, signed_in, factory):
    day = work_day()
    avoided = _named(factory, "Amal", gender="female", trainings=("children",))
    _named(factory, "Basma", gender="male", trainings=("children",))
    _named(factory, "Chadi", gender="female")
    child = factory.needs(
        factory.beneficiary(offices=("burgas",)),
        gender="female",
        child_trained=True,
        avoid=(avoided,),
    )
    user = signed_in("coordinator", offices=["burgas"])
    query = find_query(day, beneficiaries=child.case_reference)

    said = _nothing(client.get("/console/find", query_string=query).text)

    assert "Nobody who matches is free then." in said
    assert f"On the avoid list of {child.case_reference}: Amal." in said
    assert f"Not the female interpreter {child.case_reference} asked for: Basma." in said
    assert "Not trained for work with children: Chadi." in said
    assert "known from home" not in said
    user.locale = "bg"
    factory.session.commit()
    said = _nothing(client.get("/console/find", query_string=query).text)
    assert "Без обучение за работа с деца: Chadi." in said


def test_why_nobody_is_free_names_who_is_at_their_hour_limit(client, signed_in, factory):
    day = work_day()
    tired = _named(factory, "Amal", max_hours_day=1, limited_types=("interpretation",))
    factory.booking([tired], sofia_instant(day, time(9)), office="burgas")
    signed_in("coordinator", offices=["burgas"])

    said = _nothing(client.get("/console/find", query_string=find_query(day)).text)

    assert "At their hour limit that day: Amal." in said
