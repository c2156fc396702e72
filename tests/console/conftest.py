"""Console fixtures: accounts, signing in through the form (with its CSRF token), a work day."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from service.access import accounts
from service.booking.calendar_rules import public_holiday
from service.models import User
from service.plumbing.clock import to_sofia, utcnow
from tests.factories import Factory

PASSWORD = "correct horse battery"
CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1) or found.group(2)


def work_day(days_ahead: int = 7) -> date:
    """A weekday at least `days_ahead` days ahead that is no Bulgarian public holiday."""
    day = to_sofia(utcnow()).date() + timedelta(days=days_ahead)
    while day.weekday() >= 5 or public_holiday(day):
        day += timedelta(days=1)
    return day


def find_query(day: date, **extra: str) -> dict[str, str]:
    """The find page's query for an hour with an Arabic interpreter in Burgas on `day`."""
    values = {
        "kind": "interpreter",
        "language": "ar",
        "modality": "in_person",
        "office": "burgas",
        "day": day.isoformat(),
        "minutes": "60",
    }
    return values | extra


@contextmanager
def select_statements(engine: Engine) -> Iterator[list[str]]:
    """Collect the SELECT statements run on `engine` inside the block."""
    selects: list[str] = []

    def collect(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    event.listen(engine, "before_cursor_execute", collect)
    try:
        yield selects
    finally:
        event.remove(engine, "before_cursor_execute", collect)


@pytest.fixture
def make_user(session: Session, factory: Factory) -> Callable[..., User]:
    def make(role: str = "coordinator", **kwargs: Any) -> User:
        if role == "coordinator":
            kwargs.setdefault("offices", ["burgas"])
        for code in kwargs.get("offices", ()):
            factory.office(code)
        factory.count += 1
        kwargs.setdefault("email", f"{role}{factory.count}@example.org")
        kwargs.setdefault("locale", "en")
        user = accounts.create_user(session, password=PASSWORD, role=role, **kwargs)
        session.commit()
        return user

    return make


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    page = client.get("/console/login")
    return client.post(
        "/console/login",
        data={"email": email, "password": password, "csrf_token": csrf_token(page.text)},
    )


@pytest.fixture
def signed_in(client: FlaskClient, make_user: Callable[..., User]) -> Callable[..., User]:
    """Sign the test client in as a new user of the role and scope given."""

    def enter(role: str = "coordinator", **kwargs: Any) -> User:
        user = make_user(role, **kwargs)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.text
        return user

    return enter
