"""A beneficiary's interpreter needs and avoided interpreters are protection data: recorded,
they never reach a feed, an SMS, the statistics, a staff or read-only token, a staff user's
console pages or the logs."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from service.access import accounts
from service.models import OutboxMessage
from service.plumbing.clock import to_sofia
from service.web.observability import JsonFormatter
from tests.console.conftest import PASSWORD, sign_in
from tests.feed_helpers import fetch, subscribe, working_day

REASON = "Brother-in-law of the Tarnovo trafficking ring"
NEED_DIALECT = "ar-SD"
FEARED_NAME = "Qasim Zahrawi"
SECRETS = (REASON, NEED_DIALECT, FEARED_NAME)


def leaked(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_needs_and_avoided_interpreters_reach_no_one_but_coordinators(
    client, factory, session, admin, caplog
):
    caplog.set_level(logging.DEBUG)
    feared = factory.interpreter("ar", offices=("sofia",), gender="male")
    feared.name = FEARED_NAME
    chosen = factory.interpreter(
        "ar",
        offices=("sofia",),
        gender="female",
        dialects=("ar-SY",),
        trainings=("children",),
    )
    person = factory.beneficiary(
        language="ar", phone="+359888765432", sms_consent=True, offices=("sofia",)
    )
    coordinator = factory.headers("coordinator", offices=["sofia"])
    recorded = [
        client.put(
            f"/api/v1/beneficiaries/{person.id}/interpreter-needs",
            json={"gender": "female", "dialect": NEED_DIALECT, "child_trained": True},
            headers=coordinator,
        ),
        client.put(
            f"/api/v1/beneficiaries/{person.id}/avoided-interpreters/{feared.id}",
            json={"reason": REASON},
            headers=coordinator,
        ),
    ]
    assert [r.status_code for r in recorded] == [200, 200]
    start = working_day(3, hour=11)
    booked = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "resource_ids": [chosen.id],
            "beneficiary_ids": [person.id],
        },
        headers=coordinator,
    )
    assert booked.status_code == 201, booked.json
    booking_id = booked.json["id"]
    everything = {}

    # feeds: the office's, the booked interpreter's and the public one, at every privacy
    for body in (
        {"scope": "office", "office": "sofia", "privacy": "full"},
        {"scope": "office", "office": "sofia", "privacy": "limited"},
        {"scope": "resource", "resource_id": chosen.id, "privacy": "full"},
        {"scope": "resource", "resource_id": feared.id, "privacy": "full"},
        {"scope": "public", "privacy": "public"},
    ):
        feed = fetch(client, subscribe(client, admin, **body))
        assert feed.status_code == 200
        assert "BEGIN:VCALENDAR" in feed.text
        # the avoided interpreter's own calendar bears their name, and says nothing of the avoid
        own = body.get("resource_id") == feared.id
        everything[f"feed {body}"] = feed.text.replace(FEARED_NAME, "") if own else feed.text

    # SMS: the confirmation and reminders queued for the beneficiary
    bodies = session.scalars(select(OutboxMessage.body)).all()
    assert bodies, "the booking queued SMS"
    everything["sms"] = "\n".join(b or "" for b in bodies)

    # statistics, JSON and CSV
    month = to_sofia(start).strftime("%Y-%m")
    for suffix in ("", "&format=csv"):
        answer = client.get(f"/api/v1/statistics?from={month}&to={month}{suffix}", headers=admin)
        assert answer.status_code == 200
        everything[f"statistics{suffix}"] = answer.text

    # a staff token (the booked interpreter) and a read-only token
    for role, extra in (("staff", {"resource_id": chosen.id}), ("read_only", {})):
        headers = factory.headers(role, **extra)
        for url in (
            f"/api/v1/beneficiaries/{person.id}/interpreter-needs",
            f"/api/v1/beneficiaries/{person.id}/avoided-interpreters",
        ):
            answer = client.get(url, headers=headers)
            assert answer.status_code == 404, (role, url)
            everything[f"{role} {url}"] = answer.text
        beneficiary = client.get(f"/api/v1/beneficiaries/{person.id}", headers=headers)
        assert beneficiary.status_code in (403, 404)
        for url in (f"/api/v1/bookings/{booking_id}", "/api/v1/bookings", "/api/v1/resources"):
            answer = client.get(url, headers=headers)
            assert answer.status_code == 200, (role, url)
            everything[f"{role} {url}"] = answer.text
        everything[f"{role} beneficiary"] = beneficiary.text

    # the console pages a staff user sees
    accounts.create_user(
        session, email="staff@example.org", password=PASSWORD, role="staff", resource_id=chosen.id
    )
    session.commit()
    assert sign_in(client, "staff@example.org").status_code == 302
    for url in (
        "/console/calendar",
        "/console/board?office=sofia",
        f"/console/bookings/{booking_id}",
        "/console/series",
        f"/console/beneficiaries/{person.id}",
    ):
        page = client.get(url)
        assert page.status_code in (200, 403), url
        everything[f"console {url}"] = page.text

    # the resources list may name the avoided interpreter (they work there), never why
    for where in [k for k in everything if k.endswith("/api/v1/resources")]:
        assert FEARED_NAME in everything[where]
        everything[where] = everything[where].replace(FEARED_NAME, "")
    leaks = {where: leaked(text) for where, text in everything.items() if leaked(text)}
    assert leaks == {}

    formatter = JsonFormatter()
    logs = "\n".join(formatter.format(record) for record in caplog.records)
    assert len(caplog.records) > 20
    assert leaked(logs) == []

    # while the coordinator sees it all
    seen = client.get(
        f"/api/v1/beneficiaries/{person.id}/avoided-interpreters", headers=coordinator
    )
    assert (seen.json[0]["interpreter_name"], seen.json[0]["reason"]) == (FEARED_NAME, REASON)
