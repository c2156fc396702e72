"""The board in Chromium at 1366 px and on a 390 px phone: legible chips and a legend, one's
own office and the coming week, an empty cell that books, and no page scrolling sideways."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import time
from typing import Any

import pytest
from sqlalchemy import select

from service.access import accounts
from service.console.board import default_week
from service.directory.catalogue import HoursSpec, ResourceSpec, create_resource
from service.models import Booking, Office, OutboxMessage
from service.plumbing.clock import to_sofia, utcnow
from service.plumbing.db import session_scope
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in
from tests.browser.test_series_planner import ROOM, TEACHER, fill_course

COORDINATOR = "board@example.org"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
# Every element of the page, and what sticks out of the viewport or scrolls inside it.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const e of document.querySelectorAll('body *')) {
    const box = e.getBoundingClientRect();
    const scrolls = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible';
    if (box.width > 1 && (box.right > width + 1 || scrolls)) {
      wide.push(`${e.tagName}.${e.className} right=${Math.round(box.right)}`);
    }
  }
  return {page: document.documentElement.scrollWidth, wide: wide.slice(0, 8)};
}"""


@pytest.fixture(scope="module")
def board_server(fresh_database: Any) -> Iterator[str]:
    """The demo, a Burgas coordinator, a teacher and room for a series, SMS needing attention."""
    app = seeded_app(fresh_database, "board-tests")
    with session_scope(app) as session:
        hours = [HoursSpec("burgas", d, time(9), time(17, 30)) for d in range(5)]
        teacher = ResourceSpec(
            kind="teacher", name=TEACHER, offices=["burgas"], languages=["bg"], working_hours=hours
        )
        create_resource(session, teacher)
        create_resource(session, ResourceSpec(kind="room", name=ROOM, office="burgas", capacity=12))
        accounts.create_user(
            session, email=COORDINATOR, password=PASSWORD, role="coordinator", offices=["burgas"]
        )
        messages = session.scalars(
            select(OutboxMessage)
            .join(Booking, OutboxMessage.booking_id == Booking.id)
            .join(Booking.office)
            .where(Office.code == "burgas")
            .order_by(OutboxMessage.id)
            .limit(3)
        ).all()
        assert messages, "the demo should queue SMS in Burgas"
        for message, status in zip(messages, ("failed", "review", "undelivered"), strict=False):
            message.status, message.error_code = status, "30003"
    with serve(app) as url:
        yield url


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 768})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone390(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    try:
        yield context.new_page()
    finally:
        context.close()


def assert_nothing_scrolls_sideways(page: Any, name: str) -> None:
    found = page.evaluate(OVERFLOW)
    assert found["page"] <= 390 and not found["wide"], f"{name}: {found}"


def test_the_board_opens_on_ones_office_and_the_coming_week_all_five_days_in_view(
    desktop: Any, board_server: str, check_page: Any
) -> None:
    sign_in(desktop, board_server, COORDINATOR)
    desktop.wait_for_url(re.compile(r"/console/board$"))

    assert desktop.get_by_label("Office").input_value() == "burgas"
    monday = default_week(to_sofia(utcnow()).date())
    assert desktop.get_by_label("Week of").input_value() == monday.isoformat()
    heads = desktop.locator(".board thead th a")
    for n, day in enumerate(WEEKDAYS):
        head = heads.nth(n)
        assert head.inner_text().startswith(day)
        box = head.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366, day
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366

    chip = desktop.locator("a.block.confirmed").first
    text = chip.inner_text()
    assert re.search(r"\d\d:\d\d\u2013\d\d:\d\d · [A-Z][a-z ]+ · \w+", text), text
    assert re.search(r"·\s+attendees:\s+\d+", text), text
    legend = desktop.get_by_role("list", name="What the colours and marks mean")
    assert "busy at another office" in legend.inner_text()
    assert "tentative" in legend.inner_text()
    check_page(desktop, "board-1366")

    heads.nth(1).click()  # Tuesday alone
    desktop.wait_for_url(re.compile(r"day=\d{4}-\d\d-\d\d"))
    assert desktop.get_by_role("heading", name="Day board").is_visible()
    assert desktop.evaluate("document.documentElement.scrollWidth") <= 1366
    check_page(desktop, "board-day-1366")


def test_clicking_an_empty_cell_opens_find_and_book_for_that_person_and_day(
    desktop: Any, board_server: str
) -> None:
    sign_in(desktop, board_server, COORDINATOR)
    desktop.wait_for_url(re.compile(r"/console/board$"))
    cell = desktop.locator(".board tbody td:not(.closed) a.book").first
    day = re.search(r"day=(\d{4}-\d\d-\d\d)", cell.get_attribute("href") or "")
    assert day is not None
    cell.click()
    desktop.wait_for_url(re.compile(r"/console/find\?"))
    assert desktop.get_by_label("Office").input_value() == "burgas"
    assert desktop.get_by_label("Date").input_value() == day.group(1)
    desktop.locator("#slots").wait_for()


def test_at_390_px_the_board_is_a_day_agenda_and_no_page_scrolls_sideways(
    phone390: Any, board_server: str, check_page: Any
) -> None:
    base, phone = board_server, phone390
    sign_in(phone, base, COORDINATOR)
    phone.wait_for_url(re.compile(r"/console/board$"))
    assert not phone.locator(".board").is_visible()
    agenda = phone.locator(".agenda section")
    assert agenda.count() >= 5 and agenda.first.is_visible()
    assert agenda.first.locator("h2").inner_text().startswith("Monday")
    assert_nothing_scrolls_sideways(phone, "board")
    check_page(phone, "board-390")

    phone.locator(".agenda a.entry").first.click()
    phone.wait_for_url(re.compile(r"/console/bookings/\d+$"))
    assert_nothing_scrolls_sideways(phone, "booking")
    check_page(phone, "booking-390")

    phone.goto(f"{base}/console/reminders")
    assert phone.locator("tr[data-notification-id]").count() >= 1
    status = phone.locator("td.sms-status").first
    assert status.is_visible() and status.bounding_box()["x"] + 10 < 390
    resend = phone.get_by_role("button", name=re.compile("^Mark handled")).first
    assert resend.is_visible() and resend.bounding_box()["x"] + 10 < 390
    assert_nothing_scrolls_sideways(phone, "reminders")
    check_page(phone, "reminders-390")

    phone.goto(f"{base}/console/series/new")
    fill_course(phone)
    phone.get_by_label("Number of weeks", exact=True).fill("3")
    phone.get_by_role("button", name="Preview").click()
    phone.locator("#plan-summary").wait_for()
    friday = phone.locator("table.month thead th").nth(4)
    assert friday.bounding_box()["x"] + friday.bounding_box()["width"] <= 390
    assert_nothing_scrolls_sideways(phone, "series preview")
    phone.get_by_role("button", name="Commit: create the series").click()
    phone.wait_for_url(re.compile(r"/console/series/\d+$"))
    assert_nothing_scrolls_sideways(phone, "series")
    check_page(phone, "series-390")
