"""The authorisation matrix: every API operation, every role, an object inside and outside the
caller's scope, checked against the access policy's rules.

The operations come from the live OpenAPI spec, so an endpoint without a row here fails the
suite. Inside means Burgas (the coordinator's office; the staff member's own interpreter),
outside means Sofia. `ok` is any answer but 401/403/404 (a 409 or 422 from the operation
itself still shows the caller was let through); `no` is 403 or 404; `hid` is 404 only, for
objects whose existence must not be confirmed.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.access_worlds import build_world

ROLES = ("admin", "coordinator", "staff", "read_only")
OK, NO, HID = "ok", "no", "hid"


def every(inside: str, outside: str | None = None) -> dict[str, tuple[str, str]]:
    return dict.fromkeys(ROLES, (inside, outside or inside))


def rule(
    coordinator: tuple[str, str],
    staff: tuple[str, str],
    read_only: tuple[str, str],
) -> dict[str, tuple[str, str]]:
    return {
        "admin": (OK, OK),
        "coordinator": coordinator,
        "staff": staff,
        "read_only": read_only,
    }


PUBLIC = every(OK)
ADMIN_ONLY = rule((NO, NO), (NO, NO), (NO, NO))
BENEFICIARY = rule((OK, HID), (NO, NO), (NO, NO))
BENEFICIARY_LIST = rule((OK, OK), (NO, NO), (NO, NO))
READ_SCHEDULE = rule((OK, HID), (OK, HID), (OK, OK))
CHANGE_SCHEDULE = rule((OK, HID), (NO, HID), (NO, NO))
CREATE_SCHEDULE = rule((OK, NO), (NO, NO), (NO, NO))
ROSTER_READ = rule((OK, HID), (OK, HID), (NO, NO))
ROSTER_CHANGE = rule((OK, HID), (NO, HID), (NO, NO))
REGISTER = rule((OK, HID), (OK, HID), (NO, NO))
MESSAGES = rule((OK, HID), (NO, NO), (NO, NO))
OFFICE_CHANGE = rule((OK, NO), (NO, NO), (NO, NO))
TIME_OFF = rule((OK, NO), (OK, NO), (NO, NO))
# protection data: not even a refusal confirms that the beneficiary exists
NEEDS = rule((OK, HID), (HID, HID), (HID, HID))

EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "GET /api/v1/offices": PUBLIC,
    "GET /api/v1/offices/{code}/closed-days": PUBLIC,
    "POST /api/v1/offices/{code}/closed-days": OFFICE_CHANGE,
    "DELETE /api/v1/offices/{code}/closed-days/{day}": OFFICE_CHANGE,
    "GET /api/v1/resources": PUBLIC,
    "POST /api/v1/resources": ADMIN_ONLY,
    "GET /api/v1/resources/{resource_id}": PUBLIC,
    "GET /api/v1/resources/{resource_id}/time-off": TIME_OFF,
    "POST /api/v1/resources/{resource_id}/time-off": TIME_OFF,
    "GET /api/v1/resources/{resource_id}/freebusy": PUBLIC,
    "PUT /api/v1/resources/{resource_id}/interpreter-offer": ADMIN_ONLY,
    "GET /api/v1/beneficiaries": BENEFICIARY_LIST,
    "POST /api/v1/beneficiaries": rule((OK, NO), (NO, NO), (NO, NO)),
    "GET /api/v1/beneficiaries/{beneficiary_id}": BENEFICIARY,
    "PATCH /api/v1/beneficiaries/{beneficiary_id}": BENEFICIARY,
    # before the erasure below, which leaves nothing to change
    "GET /api/v1/beneficiaries/{beneficiary_id}/interpreter-needs": NEEDS,
    "PUT /api/v1/beneficiaries/{beneficiary_id}/interpreter-needs": NEEDS,
    "GET /api/v1/beneficiaries/{beneficiary_id}/avoided-interpreters": NEEDS,
    "PUT /api/v1/beneficiaries/{beneficiary_id}/avoided-interpreters/{interpreter_id}": NEEDS,
    "DELETE /api/v1/beneficiaries/{beneficiary_id}/avoided-interpreters/{interpreter_id}": NEEDS,
    "POST /api/v1/beneficiaries/{beneficiary_id}/erase": ADMIN_ONLY,
    "GET /api/v1/beneficiaries/{beneficiary_id}/export": BENEFICIARY,
    "GET /api/v1/beneficiaries/{beneficiary_id}/consent": BENEFICIARY,
    "GET /api/v1/bookings": PUBLIC,
    "POST /api/v1/bookings": CREATE_SCHEDULE,
    "GET /api/v1/bookings/{booking_id}": READ_SCHEDULE,
    "POST /api/v1/bookings/{booking_id}/confirm": CHANGE_SCHEDULE,
    "POST /api/v1/bookings/{booking_id}/cancel": CHANGE_SCHEDULE,
    "POST /api/v1/bookings/{booking_id}/complete": CHANGE_SCHEDULE,
    "POST /api/v1/bookings/{booking_id}/no-show": CHANGE_SCHEDULE,
    "POST /api/v1/bookings/{booking_id}/reschedule": CHANGE_SCHEDULE,
    "GET /api/v1/bookings/{booking_id}/audit": READ_SCHEDULE,
    "GET /api/v1/bookings/{booking_id}.ics": READ_SCHEDULE,
    "GET /api/v1/bookings/{booking_id}/notifications": MESSAGES,
    "GET /api/v1/availability": PUBLIC,
    "GET /api/v1/availability/suggest": PUBLIC,
    "GET /api/v1/tokens": ADMIN_ONLY,
    "POST /api/v1/tokens": ADMIN_ONLY,
    "DELETE /api/v1/tokens/{token_id}": ADMIN_ONLY,
    "GET /api/v1/series": PUBLIC,
    "POST /api/v1/series": CREATE_SCHEDULE,
    "GET /api/v1/series/{series_id}": READ_SCHEDULE,
    "PATCH /api/v1/series/{series_id}": CHANGE_SCHEDULE,
    "GET /api/v1/series/{series_id}/occurrences": READ_SCHEDULE,
    "POST /api/v1/series/{series_id}/occurrences/{occurrence_id}/cancel": CHANGE_SCHEDULE,
    "POST /api/v1/series/{series_id}/occurrences/{occurrence_id}/move": CHANGE_SCHEDULE,
    "GET /api/v1/series/{series_id}/exceptions": READ_SCHEDULE,
    "POST /api/v1/series/{series_id}/cancel": CHANGE_SCHEDULE,
    "POST /api/v1/series/{series_id}/end": CHANGE_SCHEDULE,
    "GET /api/v1/series/{series_id}/audit": READ_SCHEDULE,
    "POST /api/v1/series/{series_id}/split": CHANGE_SCHEDULE,
    "GET /api/v1/series/{series_id}/enrolments": ROSTER_READ,
    "POST /api/v1/series/{series_id}/enrolments": ROSTER_CHANGE,
    "DELETE /api/v1/series/{series_id}/enrolments/{enrolment_id}": ROSTER_CHANGE,
    "GET /api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance": REGISTER,
    "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance": REGISTER,
    "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance/{beneficiary_id}": (
        REGISTER
    ),
    "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/walk-ins": REGISTER,
    "GET /api/v1/series/{series_id}/figures": READ_SCHEDULE,
    "GET /api/v1/feeds": rule((OK, OK), (OK, OK), (NO, NO)),
    "POST /api/v1/feeds": rule((OK, NO), (NO, NO), (NO, NO)),
    "POST /api/v1/feeds/{feed_id}/rotate": rule((OK, HID), (NO, NO), (NO, NO)),
    "DELETE /api/v1/feeds/{feed_id}": rule((OK, HID), (NO, NO), (NO, NO)),
    "POST /api/v1/notifications/{outbox_id}/resend": MESSAGES,
    "POST /api/v1/notifications/{outbox_id}/handled": MESSAGES,
    "GET /api/v1/replies": BENEFICIARY_LIST,
    "GET /api/v1/statistics": rule((OK, NO), (NO, NO), (OK, OK)),
    # staff: their own month, whichever office is asked
    "GET /api/v1/interpreters/month": rule((OK, NO), (OK, OK), (NO, NO)),
}


def spec_operations(client: Any) -> list[str]:
    spec = client.get("/openapi.json").json
    return sorted(
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in ("get", "post", "put", "patch", "delete") and path.startswith("/api/v1")
    )


def test_every_operation_of_the_api_has_a_rule_in_the_matrix(client):
    assert sorted(EXPECTED) == spec_operations(client)


def _request(operation: str, w: dict[str, Any]) -> tuple[str, str, dict[str, Any] | None]:
    """Return the method, URL and body that exercise `operation` on the objects of `w`."""
    method, template = operation.split(" ", 1)
    url = template.format(**w)
    start = w["start"] + timedelta(days=30)
    span = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()}
    queries = {
        "/api/v1/offices/{code}/closed-days": "?start=2027-01-01&end=2027-01-31",
        "/api/v1/resources/{resource_id}/freebusy": "?start={a}&end={b}",
        "/api/v1/availability": "?start={a}&end={b}&duration=60&kind=interpreter",
        "/api/v1/availability/suggest": "?start={a}&end={b}&duration=60&resource_ids={r}",
        "/api/v1/statistics": "?from=2027-01&to=2027-02&office={office}",
        "/api/v1/interpreters/month": "?month=2027-01&office={office}",
    }
    if method == "GET" and template in queries:
        a, b = start.isoformat().replace("+", "%2B"), (start + timedelta(days=1)).isoformat()
        url += queries[template].format(
            a=a, b=b.replace("+", "%2B"), r=w["interpreter"], office=w["office"]
        )
    bodies: dict[str, dict[str, Any]] = {
        "POST /api/v1/offices/{code}/closed-days": {"day": w["day"], "reason": "training"},
        "POST /api/v1/resources": {"kind": "room", "name": "Matrix room", "office": w["office"]},
        "POST /api/v1/resources/{resource_id}/time-off": span,
        "POST /api/v1/beneficiaries": {
            "case_reference": f"M-{w['office']}",
            "language": "ar",
            "offices": [w["office"]],
        },
        "PATCH /api/v1/beneficiaries/{beneficiary_id}": {"discreet": True},
        "PUT /api/v1/resources/{resource_id}/interpreter-offer": {"gender": "female"},
        "PUT /api/v1/beneficiaries/{beneficiary_id}/interpreter-needs": {"gender": "female"},
        "PUT /api/v1/beneficiaries/{beneficiary_id}/avoided-interpreters/{interpreter_id}": {
            "reason": "matrix"
        },
        "POST /api/v1/bookings": {
            "type": "interpretation",
            "office": w["office"],
            "resource_ids": [w["interpreter"]],
            "beneficiary_ids": [w["beneficiary_id"]],
            **span,
        },
        "POST /api/v1/bookings/{booking_id}/cancel": {"reason": "matrix"},
        "POST /api/v1/bookings/{booking_id}/reschedule": {"version": w["booking_version"], **span},
        "POST /api/v1/tokens": {"name": "matrix", "role": "read_only"},
        "POST /api/v1/series": {
            "type": "language_class",
            "office": w["office"],
            "title": "Matrix",
            "rrule": "FREQ=WEEKLY;COUNT=2",
            "resource_ids": [w["teacher"]],
            **span,
        },
        "PATCH /api/v1/series/{series_id}": {"title": "Renamed"},
        "POST /api/v1/series/{series_id}/occurrences/{occurrence_id}/cancel": {"reason": "x"},
        "POST /api/v1/series/{series_id}/occurrences/{occurrence_id}/move": span,
        "POST /api/v1/series/{series_id}/cancel": {"reason": "matrix"},
        "POST /api/v1/series/{series_id}/end": {"last_day": w["day"]},
        "POST /api/v1/series/{series_id}/split": {
            "occurrence_id": w["occurrence_id"],
            "title": "Split",
        },
        "POST /api/v1/series/{series_id}/enrolments": {"beneficiary_id": w["beneficiary_id"]},
        "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance": {
            "marks": [{"beneficiary_id": w["beneficiary_id"], "mark": "present"}]
        },
        "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/attendance/{beneficiary_id}": {
            "mark": "present"
        },
        "PUT /api/v1/series/{series_id}/occurrences/{occurrence_id}/walk-ins": {"walk_ins": 2},
        "POST /api/v1/feeds": {"scope": "office", "office": w["office"], "privacy": "busy"},
    }
    return method, url, bodies.get(operation)


@pytest.fixture
def worlds(client, factory, session, admin):
    return {
        "inside": build_world(client, factory, session, admin, "burgas"),
        "outside": build_world(client, factory, session, admin, "sofia"),
    }


def _headers(factory, role: str, worlds: dict[str, Any]) -> dict[str, str]:
    if role == "coordinator":
        return factory.headers("coordinator", offices=["burgas"])
    if role == "staff":
        return factory.headers("staff", resource_id=worlds["inside"]["interpreter"])
    return factory.headers(role)


def _judge(expected: str, status: int) -> bool:
    if expected == OK:
        return status not in (401, 403, 404) and status < 500
    if expected == HID:
        return status == 404
    return status in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_each_role_as_the_policy_says(client, factory, worlds, role):
    headers = _headers(factory, role, worlds)
    wrong = []
    # Changes run in this order (a feed is rotated before it is revoked); each is judged
    # only on whether the caller was let through.
    for operation, expected in EXPECTED.items():
        for where, verdict in zip(("inside", "outside"), expected[role], strict=True):
            method, url, body = _request(operation, worlds[where])
            answer = client.open(url, method=method, json=body, headers=headers)
            if not _judge(verdict, answer.status_code):
                wrong.append(f"{operation} {where}: {answer.status_code}, expected {verdict}")
    assert wrong == []
