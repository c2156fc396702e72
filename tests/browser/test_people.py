"""My calendar in Chromium: a staff member makes their calendar link and sees webcal and QR."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from service.access import accounts
from service.models import Resource
from service.plumbing.db import session_scope
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in

STAFF_EMAIL = "interpreter@example.org"
ADMIN_EMAIL = "admin@example.org"


@pytest.fixture(scope="module")
def staff_server(fresh_database: Any) -> Iterator[str]:
    """A server of its own whose demo data has a staff account linked to an interpreter."""
    app = seeded_app(fresh_database, "people-tests")
    with session_scope(app) as session:
        person = session.scalar(
            select(Resource).where(Resource.kind == "interpreter").order_by(Resource.id).limit(1)
        )
        assert person is not None
        accounts.create_user(
            session,
            email=STAFF_EMAIL,
            password=PASSWORD,
            role="staff",
            resource_id=person.id,
            locale="en",
        )
        accounts.create_user(
            session, email=ADMIN_EMAIL, password=PASSWORD, role="admin", locale="en"
        )
    with serve(app) as url:
        yield url


def test_a_staff_member_makes_their_calendar_link_and_sees_webcal_and_the_qr(
    page, staff_server, check_page
):
    sign_in(page, staff_server, STAFF_EMAIL)
    page.wait_for_url(re.compile(r"/console/calendar$"))
    check_page(page, "calendar")
    page.get_by_role("button", name="Make my calendar link").click()
    page.locator("#new-link").wait_for()
    webcal = page.get_by_role("link", name="Open in my calendar app")
    assert webcal.get_attribute("href").startswith("webcal://127.0.0.1:")
    qr = page.get_by_role("img", name=re.compile("QR code of the calendar link"))
    assert qr.is_visible() and qr.evaluate("e => e.tagName") == "svg"
    address = page.get_by_label("Or copy the address").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/calendars/[\w-]+\.ics", address)
    check_page(page, "calendar-link")

    feed = page.request.get(address)
    assert feed.status == 200 and feed.text().startswith("BEGIN:VCALENDAR")
    page.goto(f"{staff_server}/console/calendar")
    assert address not in page.content()
    assert page.get_by_role("button", name="Revoke").is_visible()


def test_the_beneficiary_account_and_users_pages_pass_axe(page, staff_server, check_page):
    base = staff_server
    sign_in(page, base, ADMIN_EMAIL)
    page.wait_for_url(re.compile(r"/console/board"))
    page.get_by_role("link", name="Beneficiaries").click()
    page.get_by_label("Case reference").fill("BG-2026")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("status").filter(has_text="found").wait_for()
    check_page(page, "beneficiaries")
    page.locator("table.people tbody a").first.click()
    page.get_by_role("heading", name="History of consent").wait_for()
    check_page(page, "beneficiary")

    page.goto(f"{base}/console/beneficiaries/new")
    page.get_by_label("Case reference").fill("BG-2026-99999")
    page.get_by_label("Preferred language (ISO 639 code, e.g. ar, fa, uk)").fill("ar")
    page.get_by_label("Phone number (only with consent to SMS)").fill("0888 123 456")
    page.get_by_role("button", name="Register").click()
    assert "agrees to SMS" in page.locator("#phone-error").inner_text()
    check_page(page, "beneficiary-new-error")

    page.get_by_role("link", name="My account").click()
    check_page(page, "account")
    page.get_by_role("link", name="Users").click()
    assert page.locator(f"tr:has-text('{STAFF_EMAIL}')").is_visible()
    check_page(page, "users")
