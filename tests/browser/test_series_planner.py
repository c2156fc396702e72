"""The series planner in Chromium: a twelve-week course across the March clock change.

Its own server (a fresh, demo-seeded database with a Burgas teacher and room of its own), so
no other browser test can take the teacher's Mondays and Wednesdays.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from typing import Any

import pytest

from service.access import accounts
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.plumbing.db import session_scope
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in

TEACHER, ROOM, COORDINATOR = "Planner teacher", "Planner room", "planner@example.org"
# Mondays and Wednesdays from Monday 15 March 2027 for twelve weeks (to Sunday 6 June): the
# clocks go forward on Sunday 28 March; Easter Monday (3 May) and 24 May are public holidays.
BEFORE_CHANGE, AFTER_CHANGE = (
    ("2027-03-15", "2027-03-17", "2027-03-22", "2027-03-24"),
    (
        "2027-03-29",
        "2027-03-31",
        "2027-06-02",
    ),
)
HOLIDAYS = {"2027-05-03": "Easter", "2027-05-24": "Day of Slavonic Alphabet"}


@pytest.fixture(scope="module")
def planner_server(fresh_database: Any) -> Iterator[str]:
    app = seeded_app(fresh_database, "planner-tests")
    with session_scope(app) as session:
        hours = [HoursSpec("burgas", d, time(9), time(17, 30)) for d in range(5)]
        create_resource(
            session,
            ResourceSpec(
                kind="teacher",
                name=TEACHER,
                offices=["burgas"],
                languages=["bg"],
                working_hours=hours,
            ),
        )
        create_resource(session, ResourceSpec(kind="room", name=ROOM, office="burgas", capacity=12))
        accounts.create_user(
            session, email=COORDINATOR, password=PASSWORD, role="coordinator", offices=["burgas"]
        )
    with serve(app) as url:
        yield url


def fill_course(page: Any) -> None:
    page.get_by_label("Title", exact=True).fill("Bulgarian A1, spring")
    page.get_by_label("Kind", exact=True).select_option("language_class")
    page.get_by_label(re.compile("^Capacity")).fill("10")
    page.get_by_label("Office", exact=True).select_option("burgas")
    page.get_by_label("Teacher or lead", exact=True).select_option(label=f"{TEACHER} (burgas)")
    page.get_by_label("Room", exact=True).select_option(label=f"{ROOM} (burgas)")
    page.get_by_label("First date", exact=True).fill("2027-03-15")
    page.get_by_label("Starts (Sofia time)", exact=True).fill("10:00")
    page.get_by_label("Ends (Sofia time)", exact=True).fill("12:00")
    page.get_by_label("Monday", exact=True).check()
    page.get_by_label("Wednesday", exact=True).check()
    page.get_by_label("a number of weeks", exact=True).check()
    page.get_by_label("Number of weeks", exact=True).fill("12")


def starts_in(page: Any, day: str) -> list[str]:
    return page.locator(f'td[data-day="{day}"] .occ time').all_inner_texts()


def test_plan_a_twelve_week_course_across_the_clock_change_and_commit_it(
    page: Any, planner_server: str, check_page: Any
) -> None:
    base = planner_server
    sign_in(page, base, COORDINATOR)
    page.wait_for_url(re.compile(r"/console/board"))
    page.get_by_role("link", name="Series").click()
    page.get_by_role("link", name="Plan a series").click()
    page.wait_for_url(re.compile(r"/console/series/new"))
    check_page(page, "series-planner")
    fill_course(page)

    with page.expect_response(lambda r: r.url.endswith("/console/series/preview")) as answer:
        page.get_by_role("button", name="Preview").click()
    page.locator("#plan-summary").wait_for()

    assert answer.value.request.headers.get("hx-request") == "true"
    assert "<html" not in answer.value.text()  # only the calendar came back
    assert "/console/series/new" in page.url
    summary = page.locator("#plan-summary").inner_text()
    assert summary.startswith("22 dates, 2 skipped, 0 with a clash")
    assert page.locator("#plan .occ").count() == 22
    for day in BEFORE_CHANGE + AFTER_CHANGE:
        assert starts_in(page, day) == ["10:00"], day
    times = page.locator("#plan .occ time").all_inner_texts()
    assert set(times) == {"10:00"}
    for day, name in HOLIDAYS.items():
        holiday = page.locator(f'td[data-day="{day}"]')
        assert "skipped" in (holiday.get_attribute("class") or "")
        assert name in holiday.inner_text() and holiday.locator(".skipnote").is_visible()
        assert starts_in(page, day) == []
    captions = page.locator("#plan table.month caption").all_inner_texts()
    assert captions == ["March 2027", "April 2027", "May 2027", "June 2027"]
    check_page(page, "series-preview")

    page.get_by_role("button", name="Commit: create the series").click()
    page.wait_for_url(re.compile(r"/console/series/\d+$"))

    assert "22 dates booked, 2 skipped" in page.locator(".flash").inner_text()
    assert page.get_by_role("heading", name="Bulgarian A1, spring").is_visible()
    rows = page.locator("#occurrences tbody tr")
    assert rows.count() == 22
    assert set(page.locator("#occurrences tbody time").all_inner_texts()) == {"10:00"}
    for day in BEFORE_CHANGE + AFTER_CHANGE:
        assert starts_in(page, day) == ["10:00"], day
    exceptions = page.locator("#exceptions").inner_text()
    assert "Easter" in exceptions and "Slavonic" in exceptions
    assert "Monday, Wednesday" in page.content()
    check_page(page, "series-page")


def test_the_planner_names_a_bad_field_without_leaving_the_page(
    page: Any, planner_server: str, check_page: Any
) -> None:
    base = planner_server
    sign_in(page, base, COORDINATOR)
    page.wait_for_url(re.compile(r"/console/board"))
    page.goto(f"{base}/console/series/new")
    fill_course(page)
    page.get_by_label("Ends (Sofia time)", exact=True).fill("09:00")

    page.get_by_role("button", name="Preview").click()
    page.locator("#plan-errors").wait_for()

    assert "The end must come after the start." in page.locator("#err-ends").inner_text()
    assert (
        page.get_by_label("Title", exact=True).input_value() == "Bulgarian A1, spring"
    )  # form kept
    check_page(page, "series-planner-error")


def test_the_planner_works_at_phone_width(phone: Any, planner_server: str, check_page: Any) -> None:
    base = planner_server
    sign_in(phone, base, COORDINATOR)
    phone.wait_for_url(re.compile(r"/console/board"))
    phone.goto(f"{base}/console/series/new")
    fill_course(phone)
    phone.get_by_label("Number of weeks", exact=True).fill("3")

    phone.get_by_role("button", name="Preview").click()
    phone.locator("#plan-summary").wait_for()

    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, "the page must not scroll sideways; each month scrolls inside"
    check_page(phone, "series-preview-phone")
