"""A course changed in Chromium: plan it, enrol two people, move one class and cancel another,
each time reading who will be told before confirming; at laptop and phone width.

Its own server, so no other browser test takes the teacher's Mondays and Wednesdays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from typing import Any

import pytest

from service.access import accounts
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.plumbing.db import session_scope
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in
from tests.browser.test_series_planner import fill_course

COORDINATOR = "changes@example.org"
TEXTED, UNTEXTED = "BR-TEXT-1", "BR-QUIET-2"


@pytest.fixture(scope="module")
def changes_server(fresh_database: Any) -> Iterator[str]:
    app = seeded_app(fresh_database, "series-changes-tests")
    with session_scope(app) as session:
        hours = [HoursSpec("burgas", d, time(9), time(17, 30)) for d in range(5)]
        create_resource(
            session,
            ResourceSpec(
                kind="teacher",
                name="Planner teacher",
                offices=["burgas"],
                languages=["bg"],
                working_hours=hours,
            ),
        )
        create_resource(
            session, ResourceSpec(kind="room", name="Planner room", office="burgas", capacity=12)
        )
        accounts.create_user(
            session, email=COORDINATOR, password=PASSWORD, role="coordinator", offices=["burgas"]
        )
        for reference, consent in ((TEXTED, True), (UNTEXTED, False)):
            register_beneficiary(
                session,
                BeneficiaryRequest(
                    case_reference=reference,
                    language="ar",
                    phone="+359888200001" if consent else None,
                    sms_consent=consent,
                    offices=["burgas"],
                ),
            )
    with serve(app) as url:
        yield url


def plan_and_enrol(page: Any, base: str, first_day: str) -> None:
    page.goto(f"{base}/console/series/new")
    fill_course(page)
    page.get_by_label("First date", exact=True).fill(first_day)
    page.get_by_label("Number of weeks", exact=True).fill("4")
    page.get_by_role("button", name="Preview").click()
    page.locator("#plan-summary").wait_for()
    page.get_by_role("button", name="Commit: create the series").click()
    page.wait_for_url(re.compile(r"/console/series/\d+$"))
    for reference in (TEXTED, UNTEXTED):
        page.get_by_label("Beneficiary (case reference)").fill(reference)
        page.get_by_role("button", name="Enrol", exact=True).click()
        page.wait_for_url(re.compile(r"/console/series/\d+"))


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page scrolls sideways: {width} > {viewport}"


# Each width plans its own course (the teacher cannot hold two at once): the first Monday,
# the Wednesday moved to the Thursday, and the next Monday cancelled.
COURSES = {
    1366: ("2027-03-15", ("17 Mar", "2027-03-18", "Thursday 18 March"), ("22 Mar", "2027-03-22")),
    390: ("2027-04-12", ("14 Apr", "2027-04-15", "Thursday 15 April"), ("19 Apr", "2027-04-19")),
}


@pytest.mark.parametrize("width", sorted(COURSES))
def test_move_and_cancel_one_class_and_see_who_is_told(
    browser: Any, changes_server: str, check_page: Any, width: int
) -> None:
    first_day, (moved, new_day, new_words), (dropped, dropped_day) = COURSES[width]
    context = browser.new_context(
        locale="en-US", viewport={"width": width, "height": 900}, is_mobile=width < 500
    )
    page = context.new_page()
    try:
        base = changes_server
        sign_in(page, base, COORDINATOR)
        page.wait_for_url(re.compile(r"/console/board"))
        plan_and_enrol(page, base, first_day)
        series_url = re.compile(re.escape(page.url.split("#")[0]) + "$")
        rule = page.locator("#rule").inner_text()
        assert rule.startswith("every Monday and Wednesday, 4 weeks")
        assert "FREQ=" not in page.content()
        assert page.locator("#roster").is_visible()
        check_page(page, f"series-changes-{width}")

        # Move the second class (a Wednesday) to the Thursday, 14:00.
        page.get_by_role("link", name=f"Move or cancel the date of {moved}").click()
        page.get_by_label("New date").fill(new_day)
        page.get_by_label("Starts at").fill("14:00")
        page.get_by_label("Ends at").fill("16:00")
        page.get_by_role("button", name="Show what moving changes").click()
        page.get_by_role("heading", name="Who will be told").wait_for()

        changes = page.locator("#what-changes").inner_text()
        assert f"moves to {new_words} 2027, 14:00" in changes
        told = page.locator("#told").inner_text()
        assert f"{TEXTED}: an SMS with the new time" in told and UNTEXTED not in told
        assert f"{UNTEXTED}: no consent to SMS" in page.locator("#untold").inner_text()
        assert "+359" not in page.content()
        no_sideways_scroll(page)
        check_page(page, f"series-move-confirm-{width}")
        page.get_by_role("button", name="Yes, move this date").click()
        page.wait_for_url(series_url)
        assert "is moved" in page.locator(".flash").inner_text()
        assert page.locator(f'td[data-day="{new_day}"] .occ time').all_inner_texts() == ["14:00"]

        # Cancel the third class (the next Monday).
        page.get_by_role("link", name=f"Move or cancel the date of {dropped}").click()
        page.get_by_label("Reason").fill("The teacher is ill")
        page.get_by_role("button", name="Show what cancelling changes").click()
        page.get_by_role("heading", name="Who will be told").wait_for()

        assert "Cancelled: Monday" in page.locator("#what-changes").inner_text()
        told = page.locator("#told").inner_text()
        assert f"{TEXTED}: an SMS that this date is cancelled" in told
        no_sideways_scroll(page)
        check_page(page, f"series-cancel-confirm-{width}")
        page.get_by_role("button", name="Yes, cancel this date").click()
        page.wait_for_url(series_url)

        assert "is cancelled" in page.locator(".flash").inner_text()
        cancelled = page.locator(f'td[data-day="{dropped_day}"] .occ')
        assert "cancelled" in (cancelled.get_attribute("class") or "")
        no_sideways_scroll(page)
    finally:
        context.close()
