"""The console's authorisation matrix: every console route, every role, an object inside and
outside the caller's scope, as the access policy says.

The routes come from the live URL map, so a page without a row here fails the suite. Inside
means Burgas (the coordinator's office; the staff member's own interpreter), outside Sofia.
`ok` is any answer but 401/403/404 and 5xx (a 422 from a form still shows the caller was let
through); `no` is 403 or 404; `hid` is 404 only, for objects whose existence must not be
confirmed; `form` is a refusal by the form itself (an office not offered): 403, 404 or 422.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from service.models import User
from tests.access_worlds import build_world
from tests.console.conftest import csrf_token
from tests.feed_helpers import series_start_after

ROLES = ("admin", "coordinator", "staff", "read_only")
OK, NO, HID, FORM = "ok", "no", "hid", "form"


def every(verdict: str) -> dict[str, tuple[str, str]]:
    return dict.fromkeys(ROLES, (verdict, verdict))


def rule(
    coordinator: tuple[str, str], staff: tuple[str, str], read_only: tuple[str, str]
) -> dict[str, tuple[str, str]]:
    return {"admin": (OK, OK), "coordinator": coordinator, "staff": staff, "read_only": read_only}


OPEN = every(OK)
ADMIN_ONLY = rule((NO, NO), (NO, NO), (NO, NO))
BENEFICIARY = rule((OK, HID), (NO, NO), (NO, NO))
BENEFICIARY_NEW = rule((OK, FORM), (NO, NO), (NO, NO))
SECTION = rule((OK, OK), (NO, NO), (NO, NO))
READ_SCHEDULE = rule((OK, HID), (OK, HID), (OK, OK))
CHANGE_SCHEDULE = rule((OK, HID), (NO, HID), (NO, NO))
# staff may book only themselves, with no beneficiary: the forms offer nothing else
CREATE_SCHEDULE = rule((OK, FORM), (FORM, FORM), (NO, NO))
REGISTER = rule((OK, HID), (OK, HID), (NO, NO))
ROSTER_CHANGE = rule((OK, HID), (NO, HID), (NO, NO))
MESSAGES = rule((OK, HID), (NO, NO), (NO, NO))
FEED_CHANGE = rule((OK, HID), (NO, NO), (NO, NO))

# Read pages first, then changes in an order that keeps the objects alive for the next row;
# signing out comes last.
EXPECTED: dict[str, dict[str, tuple[str, str]]] = {
    "GET /console/": OPEN,
    "GET /console/account": OPEN,
    "GET /console/board": OPEN,
    "GET /console/find": OPEN,
    "GET /console/find/rooms": OPEN,
    "GET /console/calendar": OPEN,
    "GET /console/series": OPEN,
    "GET /console/series/new": rule((OK, OK), (OK, OK), (NO, NO)),
    "GET /console/series/{series_id}": READ_SCHEDULE,
    "GET /console/series/{series_id}/occurrences/{occurrence_id}": REGISTER,
    "GET /console/bookings/{booking_id}": READ_SCHEDULE,
    "GET /console/beneficiaries": SECTION,
    "GET /console/beneficiaries/new": SECTION,
    "GET /console/beneficiaries/{beneficiary_id}": BENEFICIARY,
    "GET /console/beneficiaries/{beneficiary_id}/export": BENEFICIARY,
    "GET /console/beneficiaries/{beneficiary_id}/erase": ADMIN_ONLY,
    "GET /console/reminders": SECTION,
    "GET /console/statistics": rule((OK, OK), (NO, NO), (OK, OK)),
    # staff: their own month (the matrix's staff member is an interpreter)
    "GET /console/interpreters/month": rule((OK, OK), (OK, OK), (NO, NO)),
    "GET /console/users": ADMIN_ONLY,
    "GET /console/users/new": ADMIN_ONLY,
    "GET /console/users/{user_id}/reset": ADMIN_ONLY,
    "GET /console/users/{user_id}/deactivate": ADMIN_ONLY,
    "GET /console/users/{user_id}/reactivate": ADMIN_ONLY,
    "POST /console/account/locale": OPEN,
    "POST /console/account/password": OPEN,
    "POST /console/beneficiaries/new": BENEFICIARY_NEW,
    "POST /console/beneficiaries/{beneficiary_id}/consent": BENEFICIARY,
    "POST /console/beneficiaries/{beneficiary_id}/discreet": BENEFICIARY,
    "POST /console/beneficiaries/{beneficiary_id}/offices": BENEFICIARY,
    "POST /console/beneficiaries/{beneficiary_id}/languages": BENEFICIARY,
    "POST /console/beneficiaries/{beneficiary_id}/needs": BENEFICIARY,
    "POST /console/beneficiaries/{beneficiary_id}/avoided": BENEFICIARY,
    # not confirmed: the page asks first (the interpreter was avoided by the row above)
    "POST /console/beneficiaries/{beneficiary_id}/avoided/{interpreter_id}/remove": BENEFICIARY,
    # without the typed case reference: an admin gets the form back (422), nothing is erased
    "POST /console/beneficiaries/{beneficiary_id}/erase": ADMIN_ONLY,
    "POST /console/book": CREATE_SCHEDULE,
    "POST /console/series/preview": CREATE_SCHEDULE,
    "POST /console/series/new": CREATE_SCHEDULE,
    "POST /console/series/{series_id}/occurrences/{occurrence_id}": REGISTER,
    "POST /console/series/{series_id}/enrolments/{enrolment_id}/withdraw": ROSTER_CHANGE,
    "POST /console/series/{series_id}/enrol": ROSTER_CHANGE,
    # the series' changes are asked here (no `confirm`): each shows what it would do
    "POST /console/series/{series_id}/occurrences/{occurrence_id}/move": ROSTER_CHANGE,
    "POST /console/series/{series_id}/occurrences/{occurrence_id}/cancel": ROSTER_CHANGE,
    "POST /console/series/{series_id}/occurrences/{occurrence_id}/split": ROSTER_CHANGE,
    "POST /console/series/{series_id}/end": ROSTER_CHANGE,
    "POST /console/series/{series_id}/cancel": ROSTER_CHANGE,
    "POST /console/notifications/{outbox_id}/resend": MESSAGES,
    "POST /console/notifications/{outbox_id}/handled": MESSAGES,
    "POST /console/bookings/{booking_id}/reschedule": CHANGE_SCHEDULE,
    "POST /console/bookings/{booking_id}/complete": CHANGE_SCHEDULE,
    "POST /console/bookings/{booking_id}/no_show": CHANGE_SCHEDULE,
    "POST /console/bookings/{booking_id}/cancel": CHANGE_SCHEDULE,
    "POST /console/calendar/feeds": rule((OK, FORM), (OK, OK), (NO, NO)),
    "POST /console/calendar/feeds/{feed_id}/rotate": FEED_CHANGE,
    "POST /console/calendar/feeds/{feed_id}/revoke": FEED_CHANGE,
    # one's own time off: only people (staff bound to a resource) have any
    "POST /console/calendar/time-off": every(NO) | {"staff": (OK, OK)},
    "POST /console/users/new": ADMIN_ONLY,  # an admin's empty form: 422
    "POST /console/users/{user_id}/reset": ADMIN_ONLY,
    "POST /console/users/{user_id}/deactivate": ADMIN_ONLY,
    "POST /console/users/{user_id}/reactivate": ADMIN_ONLY,
}
SIGN_OUT = "POST /console/logout"  # tried last, once: it ends the session
PUBLIC_ROUTES = {"GET /console/login", "POST /console/login", "GET /console/static/{filename}"}


ANY = re.compile(r"<any\(([^)]*)\):\w+>")


def console_routes(app: Flask) -> set[str]:
    """Every console route as 'METHOD /path', `<any(a, b):x>` spelt out, `<int:x>` as {x}."""
    found = set()
    for route in app.url_map.iter_rules():
        if not route.endpoint.startswith("console."):
            continue
        paths = [route.rule]
        if found_any := ANY.search(route.rule):
            paths = [
                route.rule.replace(found_any.group(0), a.strip())
                for a in found_any.group(1).split(",")
            ]
        for path in paths:
            for part in ("int:", "path:"):
                path = path.replace(f"<{part}", "{")
            path = path.replace(">", "}")
            found |= {f"{m} {path}" for m in route.methods - {"HEAD", "OPTIONS"}}
    return found


def test_every_console_route_has_a_rule_in_the_matrix(app):
    assert console_routes(app) - PUBLIC_ROUTES == {*EXPECTED, SIGN_OUT}


def _world(client, factory, session, admin, make_user, office: str) -> dict[str, Any]:
    world = build_world(client, factory, session, admin, office)
    world["user_id"] = make_user("coordinator", offices=[office]).id
    return world


def _form(route: str, w: dict[str, Any]) -> dict[str, Any]:
    """A filled-in form for `route` on the objects of world `w`."""
    # A course of two weeks about a month on, on working days only (weekdays indexes MO-FR).
    start = series_start_after(
        w["start"] + timedelta(days=29), occurrences=2, every_days=7, hour=w["start"].hour
    )
    day, hour = start.date().isoformat(), start.strftime("%H:%M")
    plan = {
        "title": "Matrix course",
        "kind": "language_class",
        "office": w["office"],
        "lead": str(w["teacher"]),
        "first_day": day,
        "starts": "16:00",
        "ends": "17:00",
        "weekdays": ["MO", "TU", "WE", "TH", "FR"][start.weekday()],
        "end_by": "weeks",
        "weeks": "2",
    }
    forms: dict[str, dict[str, Any]] = {
        "POST /console/account/locale": {"locale": "en"},
        "POST /console/account/password": {"current": "x", "new": "y" * 12, "again": "y" * 12},
        "POST /console/beneficiaries/new": {
            "case_reference": f"CM-{w['office']}",
            "language": "fa",
            "office": w["office"],
        },
        "POST /console/beneficiaries/{beneficiary_id}/consent": {"consent": "no"},
        "POST /console/beneficiaries/{beneficiary_id}/discreet": {"discreet": "yes"},
        "POST /console/beneficiaries/{beneficiary_id}/offices": {"offices": [w["office"]]},
        "POST /console/beneficiaries/{beneficiary_id}/languages": {"other_languages": "ar, en"},
        "POST /console/beneficiaries/{beneficiary_id}/needs": {"gender": "female"},
        "POST /console/beneficiaries/{beneficiary_id}/avoided": {
            "interpreter": str(w["interpreter"]),
            "reason": "matrix",
        },
        "POST /console/book": {
            "kind": "interpreter",
            "language": "fa",
            "modality": "in_person",
            "office": w["office"],
            "day": day,
            "minutes": "60",
            "slot": f"{w['interpreter']}|{start.isoformat()}",
            "case_reference": w["case_reference"],
        },
        "POST /console/series/preview": plan,
        "POST /console/series/new": plan,
        "POST /console/series/{series_id}/enrol": {"case_reference": "nobody"},
        "POST /console/series/{series_id}/occurrences/{occurrence_id}/move": {
            "version": "1",
            "day": day,
            "starts": "18:00",
            "ends": "19:00",
        },
        "POST /console/series/{series_id}/occurrences/{occurrence_id}/cancel": {"reason": "x"},
        "POST /console/series/{series_id}/occurrences/{occurrence_id}/split": {
            "starts": "15:00",
            "ends": "16:00",
        },
        "POST /console/series/{series_id}/end": {"last_day": day},
        "POST /console/series/{series_id}/cancel": {"reason": "matrix"},
        "POST /console/bookings/{booking_id}/reschedule": {
            "version": str(w["booking_version"]),
            "day": day,
            "starts": hour,
            "ends": (start + timedelta(hours=1)).strftime("%H:%M"),
        },
        "POST /console/bookings/{booking_id}/cancel": {"reason": "matrix"},
        "POST /console/calendar/feeds": {"office": w["office"]},
        "POST /console/calendar/time-off": {
            "starts": start.strftime("%Y-%m-%dT%H:%M"),
            "ends": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    }
    return forms.get(route, {})


@pytest.fixture
def worlds(client, factory, session, admin, make_user):
    return {
        "inside": _world(client, factory, session, admin, make_user, "burgas"),
        "outside": _world(client, factory, session, admin, make_user, "sofia"),
    }


def _sign_in(signed_in, role: str, worlds: dict[str, Any]) -> User:
    if role == "coordinator":
        return signed_in("coordinator", offices=["burgas"])
    if role == "staff":
        return signed_in("staff", resource_id=worlds["inside"]["interpreter"])
    return signed_in(role)


def _judge(expected: str, status: int) -> bool:
    if expected == OK:
        return status not in (401, 403, 404) and status < 500
    if expected == HID:
        return status == 404
    if expected == FORM:
        return status in (403, 404, 422)
    return status in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_every_console_route_answers_each_role_as_the_policy_says(
    client, signed_in, worlds, role, session
):
    _sign_in(signed_in, role, worlds)
    token = csrf_token(client.get("/console/account").text)
    wrong = []
    for route, expected in EXPECTED.items():
        for where, verdict in zip(("inside", "outside"), expected[role], strict=True):
            method, template = route.split(" ", 1)
            url = template.format(**worlds[where])
            data = _form(route, worlds[where]) | {"csrf_token": token}
            answer = client.open(url, method=method, data=data if method == "POST" else None)
            if not _judge(verdict, answer.status_code):
                wrong.append(f"{route} {where}: {answer.status_code}, expected {verdict}")
    assert not wrong, "\n".join(wrong)
    assert client.post("/console/logout", data={"csrf_token": token}).status_code == 302
