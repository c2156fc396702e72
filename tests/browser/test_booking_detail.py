"""A booking's page and the reminders page in Chromium: cancel and see the reminders go,
resend a failed SMS, read a reply; axe on each page.

This file runs its own server on its own demo database, where a fixture adds what the pages
need through domain operations: a booking of a beneficiary who consents to SMS (so reminders
are queued), failed and unclear messages in Burgas and Sofia, and a reply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from service.access import accounts
from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.calendar_rules import public_holiday
from service.booking.policy import BookingPolicy
from service.directory.beneficiaries import BeneficiaryRequest, register_beneficiary
from service.models import Booking, Office, OutboxMessage, Resource
from service.notify.inbound import handle_inbound
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.db import session_scope
from service.plumbing.errors import DomainError
from tests.browser.conftest import PASSWORD, seeded_app, serve, sign_in

COORDINATOR = "burgas-reminders@example.org"
PHONE = "+359888123456"
REPLY = "I cannot come on that day"


@dataclass(frozen=True)
class Scene:
    url: str
    booking_id: int
    failed_id: int
    review_id: int
    sofia_failed_id: int


def _far_work_day() -> Any:
    day = to_sofia(utcnow()).date() + timedelta(days=12)
    while day.weekday() >= 5 or public_holiday(day):
        day += timedelta(days=1)
    return day


def _book_consenting(session: Any) -> Booking:
    someone = register_beneficiary(
        session,
        BeneficiaryRequest(
            case_reference="BR-REMIND-1",
            language="en",
            phone=PHONE,
            sms_consent=True,
            offices=["burgas"],
        ),
    )
    people = session.scalars(
        select(Resource)
        .where(Resource.kind == "interpreter", Resource.offices.any(Office.code == "burgas"))
        .order_by(Resource.id)
    )
    day = _far_work_day()
    for person in people:
        for hour in range(9, 16):
            start = sofia_instant(day, time(hour))
            request = BookingRequest(
                type="interpretation",
                office="burgas",
                starts_at=start,
                ends_at=start + timedelta(hours=1),
                resource_ids=[person.id],
                beneficiary_ids=[someone.id],
            )
            try:
                with session.begin_nested():
                    return create_booking(session, request, Actor("browser tests"), BookingPolicy())
            except DomainError:
                continue
    raise AssertionError("no free hour in Burgas for the test booking")


def _mark(session: Any, office: str, status: str, skip: set[int]) -> int:
    row = session.scalars(
        select(OutboxMessage)
        .join(Booking, Booking.id == OutboxMessage.booking_id)
        .join(Booking.office)
        .where(
            Office.code == office,
            OutboxMessage.status == "queued",
            OutboxMessage.id.not_in(skip or {0}),
        )
        .order_by(OutboxMessage.id)
    ).first()
    assert row is not None, f"the demo data has no queued SMS in {office}"
    row.status, row.error_code, row.updated_at = status, "30003", utcnow()
    return int(row.id)


@pytest.fixture(scope="module")
def scene(fresh_database: Any) -> Iterator[Scene]:
    app = seeded_app(fresh_database, "browser-remind")
    with session_scope(app) as session:
        accounts.create_user(
            session, email=COORDINATOR, password=PASSWORD, role="coordinator", offices=["burgas"]
        )
        booking = _book_consenting(session)
        mine = {
            m.id for m in session.scalars(select(OutboxMessage).filter_by(booking_id=booking.id))
        }
        failed = _mark(session, "burgas", "failed", mine)
        review = _mark(session, "burgas", "review", mine | {failed})
        sofia_failed = _mark(session, "sofia", "failed", mine)
        handle_inbound(session, phone=PHONE, body=REPLY, message_sid=None, now=utcnow())
        booking_id = booking.id
    with serve(app) as url:
        yield Scene(url, booking_id, failed, review, sofia_failed)


def sms_statuses(page: Any, kind: str) -> list[str]:
    rows = page.locator("table.notices tbody tr").filter(has_text=kind)
    return [rows.nth(n).locator("td.sms-status").inner_text() for n in range(rows.count())]


def test_cancelling_a_booking_cancels_its_reminders(page, scene, check_page):
    sign_in(page, scene.url, COORDINATOR)
    page.wait_for_url(re.compile(r"/console/board"))
    page.goto(f"{scene.url}/console/bookings/{scene.booking_id}")
    reminders = sms_statuses(page, "reminder")
    assert reminders and set(reminders) == {"queued"}
    assert PHONE not in page.content() and "+359******456" in page.content()
    check_page(page, "booking-sms")

    page.get_by_label("Reason").fill("The beneficiary moved to another centre")
    page.get_by_role("button", name="Cancel booking").click()
    page.wait_for_load_state()
    assert page.locator("#booking-status").inner_text() == "cancelled"
    assert set(sms_statuses(page, "reminder")) == {"cancelled"}
    assert set(sms_statuses(page, "confirmation")) <= {"cancelled"}
    assert page.get_by_role("button", name="Cancel booking").count() == 0


def test_the_reminders_page_resends_a_failed_sms_and_shows_the_reply(page, scene, check_page):
    sign_in(page, scene.url, COORDINATOR)
    page.wait_for_url(re.compile(r"/console/board"))
    page.get_by_role("link", name="Reminders").click()
    page.wait_for_url(re.compile(r"/console/reminders"))
    row = page.locator(f'tr[data-notification-id="{scene.failed_id}"]')
    assert row.is_visible()
    assert page.locator(f'tr[data-notification-id="{scene.review_id}"]').is_visible()
    assert page.locator(f'tr[data-notification-id="{scene.sofia_failed_id}"]').count() == 0
    replies = page.locator("table.replies")
    assert REPLY in replies.inner_text() and "BR-REMIND-1" in replies.inner_text()
    check_page(page, "reminders")

    row.get_by_role("button", name="Resend").click()
    page.wait_for_url(re.compile(r"/console/reminders$"))
    assert "queued again" in page.locator(".flash").inner_text()
    assert page.locator(f'tr[data-notification-id="{scene.failed_id}"]').count() == 0

    review = page.locator(f'tr[data-notification-id="{scene.review_id}"]')
    assert review.get_by_role("button", name="Resend").count() == 0
    review.get_by_role("button", name="Mark handled").click()
    page.wait_for_url(re.compile(r"/console/reminders$"))
    assert page.locator(f'tr[data-notification-id="{scene.review_id}"]').count() == 0


def test_the_reminders_page_and_the_day_board_fit_a_phone(phone, scene, check_page):
    sign_in(phone, scene.url, COORDINATOR)
    phone.wait_for_url(re.compile(r"/console/board"))
    phone.goto(f"{scene.url}/console/reminders")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380
    check_page(phone, "reminders-phone")
    day = _far_work_day()
    phone.goto(f"{scene.url}/console/board?office=burgas&day={day.isoformat()}")
    assert phone.get_by_role("heading", name="Day board").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 380  # the board scrolls
    check_page(phone, "day-board-phone")
