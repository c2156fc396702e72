"""The admin's pages in Chromium: erasure, statistics, adding and deactivating a user."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from service.access import accounts
from service.models import Beneficiary
from service.plumbing.db import session_scope
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in

ADMIN_EMAIL = "admin@example.org"


@pytest.fixture(scope="module")
def admin_server(fresh_database: Any) -> Iterator[tuple[str, int, str]]:
    """A server of its own (an erasure changes its data) with an admin; yields the URL and
    one demo beneficiary's id and case reference."""
    app = seeded_app(fresh_database, "admin-tests")
    with session_scope(app) as session:
        accounts.create_user(
            session, email=ADMIN_EMAIL, password=PASSWORD, role="admin", locale="en"
        )
        person = session.scalars(select(Beneficiary).order_by(Beneficiary.id)).first()
        assert person is not None
        found = (person.id, person.case_reference)
    with serve(app) as url:
        yield url, *found


def test_an_admin_erases_a_beneficiary_after_typing_the_reference(page, admin_server, check_page):
    base, person_id, reference = admin_server
    sign_in(page, base, ADMIN_EMAIL)
    page.wait_for_url(re.compile(r"/console/board"))
    page.goto(f"{base}/console/beneficiaries/{person_id}")
    assert page.get_by_role("link", name=re.compile("Download everything")).is_visible()
    page.get_by_role("link", name="Erase their data…").click()
    page.get_by_role("heading", name=f"Erase the data of {reference}").wait_for()
    check_page(page, "erasure")

    page.get_by_label(re.compile("Type the case reference")).fill("not the reference")
    page.get_by_role("button", name="Erase for good").click()
    page.locator("#confirmation-error").wait_for()
    check_page(page, "erasure-error")

    page.get_by_label(re.compile("Type the case reference")).fill(reference)
    page.get_by_role("button", name="Erase for good").click()
    page.get_by_role("heading", name="Data erased").wait_for()
    assert f"erased-{person_id}" in page.locator("main").inner_text()
    check_page(page, "erased")


def test_the_statistics_show_a_chart_with_its_table(page, admin_server, check_page):
    base = admin_server[0]
    sign_in(page, base, ADMIN_EMAIL)
    page.wait_for_url(re.compile(r"/console/board"))
    page.get_by_role("link", name="Statistics").click()
    page.get_by_role("heading", name="Statistics", exact=True).wait_for()
    page.get_by_label("From month").fill("2026-01")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"from=2026-01"))
    chart = page.get_by_role("img", name="Bookings by month and language")
    assert chart.is_visible() and chart.evaluate("e => e.tagName") == "svg"
    assert page.locator("#bookings-chart rect").count() >= 1  # the demo's bookings
    assert page.locator("#chart-table tbody tr").count() == 12
    assert page.get_by_role("link", name="Download these counts (CSV)").is_visible()
    check_page(page, "statistics")


def test_an_admin_adds_a_user_and_deactivates_them_after_asking(page, admin_server, check_page):
    base = admin_server[0]
    sign_in(page, base, ADMIN_EMAIL)
    page.wait_for_url(re.compile(r"/console/board"))
    page.get_by_role("link", name="Users").click()
    page.get_by_role("link", name="Add a user").click()
    check_page(page, "user-new")
    page.get_by_label("Email").fill("new.coordinator@example.org")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_role("button", name="Add the user").click()
    page.locator("#offices-error").wait_for()
    check_page(page, "user-new-error")
    page.get_by_label("Burgas").check()
    page.get_by_role("button", name="Add the user").click()
    made = page.locator("#made-password code").inner_text()
    assert len(made) >= accounts.MIN_PASSWORD_LENGTH
    check_page(page, "user-made")

    page.get_by_role("link", name=re.compile(r"Deactivate….*new\.coordinator")).click()
    page.get_by_role("heading", name="Deactivate new.coordinator@example.org?").wait_for()
    check_page(page, "user-deactivate")
    page.get_by_role("button", name="Deactivate new.coordinator@example.org").click()
    page.get_by_role("status").filter(has_text="can no longer sign in").wait_for()
    row = page.locator("tr", has_text="new.coordinator@example.org")
    assert "deactivated" in row.inner_text()
