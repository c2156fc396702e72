"""A real server and a real Chromium: the console on a fresh, migrated, demo-seeded database.

Chromium comes from the system (/usr/bin/chromium, `apt-get install chromium`); Playwright's
own browser download is never used. Without Chromium, Node or axe-core the tests fail, they
are never skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import make_server

from service import create_app
from service.access import accounts
from service.demo.demo import seed_demo
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.interpreters.interpreter_needs import NeedsChange, avoid_interpreter, set_needs
from service.models import Booking, Office
from service.plumbing.db import session_scope
from tests.clients.npm import install_client_packages
from tests.conftest import ARTIFACTS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CLIENTS = Path(__file__).resolve().parents[1] / "clients"
AXE = CLIENTS / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "browser tests password"
TEST_ROOM = "Burgas quiet room"
ARABIC_SPEAKER = "BG-2026-99990"
TIGRINYA_SPEAKER = "BG-2026-99991"
# A survivor of Harmanli who asks for a woman speaking Syrian Arabic and avoids one of them.
SURVIVOR = "BG-2026-99992"
WOMAN_SYRIAN, MAN_SYRIAN, AVOIDED_WOMAN = "Amal (ar-SY)", "Karim (ar-SY)", "Rana (ar-SY)"


@dataclass(frozen=True)
class LiveServer:
    url: str
    sofia_booking_id: int


def seeded_app(fresh_database: Callable[[], str], name: str) -> Flask:
    """Create the app on a fresh, migrated database holding the demo data."""
    app = create_app({"DATABASE_URL": fresh_database(), "SECRET_KEY": f"{name}-" + "k" * 32})
    with session_scope(app) as session:
        seed_demo(session)
    return app


@contextmanager
def serve(app: Flask) -> Iterator[str]:
    """Serve the app on a free local port in a thread; yield its base URL, then stop it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.extensions["zapis.engine"].dispose()


def _seed_survivor(session: Any) -> None:
    """Three Syrian-Arabic interpreters of Harmanli and a survivor who may meet one of them."""
    hours = [HoursSpec("harmanli", day, time(9), time(17, 30)) for day in range(5)]
    interpreters = {
        name: create_resource(
            session,
            ResourceSpec(
                kind="interpreter",
                name=name,
                offices=["harmanli"],
                languages=["ar"],
                modalities=["in_person"],
                working_hours=hours,
                gender=gender,
                dialects=["ar-SY"],
            ),
        )
        for name, gender in (
            (WOMAN_SYRIAN, "female"),
            (MAN_SYRIAN, "male"),
            (AVOIDED_WOMAN, "female"),
        )
    }
    survivor = register_beneficiary(
        session,
        BeneficiaryRequest(case_reference=SURVIVOR, language="ar", offices=["harmanli"]),
    )
    set_needs(session, survivor, NeedsChange(gender="female", dialect="ar-SY"), "tests")
    avoid_interpreter(
        session, survivor, interpreters[AVOIDED_WOMAN].id, "from the same village", "tests"
    )


@pytest.fixture(scope="session")
def live_server(fresh_database: Any) -> Iterator[LiveServer]:
    app = seeded_app(fresh_database, "browser-tests")
    with session_scope(app) as session:
        create_resource(
            session, ResourceSpec(kind="room", name=TEST_ROOM, office="burgas", capacity=4)
        )
        # an Arabic speaker of Burgas, whom the Arabic interpreters found may book
        register_beneficiary(
            session,
            BeneficiaryRequest(case_reference=ARABIC_SPEAKER, language="ar", offices=["burgas"]),
        )
        # and a Tigrinya speaker of Burgas, whom they may not
        register_beneficiary(
            session,
            BeneficiaryRequest(case_reference=TIGRINYA_SPEAKER, language="ti", offices=["burgas"]),
        )
        _seed_survivor(session)
        for email, offices in (
            ("burgas@example.org", ["burgas"]),
            ("locked@example.org", ["burgas"]),
            ("harmanli@example.org", ["harmanli"]),
        ):
            accounts.create_user(
                session, email=email, password=PASSWORD, role="coordinator", offices=offices
            )
        sofia_booking_id = session.scalar(
            select(Booking.id).join(Booking.office).where(Office.code == "sofia").limit(1)
        )
    assert sofia_booking_id is not None
    with serve(app) as url:
        yield LiveServer(url, sofia_booking_id)


@pytest.fixture(scope="session")
def axe_script() -> Path:
    install_client_packages(AXE)
    return AXE


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="en-US", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def check_page(axe_script: Path) -> Any:
    """Screenshot the page into tests/artifacts/ and fail on serious or critical axe findings."""

    def check(page: Any, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)
        page.add_script_tag(path=str(axe_script))
        result = page.evaluate("async () => await axe.run(document)")
        bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
        report = [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in bad
        ]
        assert not bad, f"axe on {name}:\n" + "\n".join(report)

    return check


def sign_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/console/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
