"""A console form sent twice (a double click, a resent page) creates once."""

from __future__ import annotations

import re

from service.models import Beneficiary
from tests.console.conftest import csrf_token

FORM = {"case_reference": "BG-2026-55001", "language": "fa", "office": "burgas"}
KEY = re.compile(r'name="idempotency_key" value="([0-9a-f]{32})"')


def _page(client):
    html = client.get("/console/beneficiaries/new").text
    found = KEY.search(html)
    assert found, "the form carries no idempotency key"
    return csrf_token(html), found.group(1)


def test_a_registration_sent_twice_registers_once(client, signed_in, session):
    signed_in("coordinator")
    csrf, key = _page(client)
    data = FORM | {"csrf_token": csrf, "idempotency_key": key}

    first = client.post("/console/beneficiaries/new", data=data)
    second = client.post("/console/beneficiaries/new", data=data)

    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert second.headers["Idempotent-Replayed"] == "true"
    assert session.query(Beneficiary).filter_by(case_reference=FORM["case_reference"]).count() == 1


def test_each_drawing_of_the_form_has_its_own_key(client, signed_in):
    signed_in("coordinator")
    assert _page(client)[1] != _page(client)[1]


def test_without_the_key_a_resent_form_is_a_second_registration(client, signed_in):
    signed_in("coordinator")
    csrf, _key = _page(client)
    data = FORM | {"csrf_token": csrf}
    assert client.post("/console/beneficiaries/new", data=data).status_code == 302
    assert client.post("/console/beneficiaries/new", data=data).status_code == 409


def test_a_key_reused_for_another_form_is_refused(client, signed_in, session):
    signed_in("coordinator")
    csrf, key = _page(client)
    data = FORM | {"csrf_token": csrf, "idempotency_key": key}
    assert client.post("/console/beneficiaries/new", data=data).status_code == 302
    other = data | {"case_reference": "BG-2026-55002"}
    assert client.post("/console/beneficiaries/new", data=other).status_code == 422
    assert session.query(Beneficiary).filter_by(case_reference="BG-2026-55002").count() == 0
