"""The console in Chromium: sign in, find and book, the board, a clash, lockout and scope."""

from __future__ import annotations

import re
from datetime import timedelta

from service.booking.calendar_rules import public_holiday
from service.plumbing.clock import to_sofia, utcnow
from tests.browser.conftest import (
    ARABIC_SPEAKER,
    AVOIDED_WOMAN,
    MAN_SYRIAN,
    PASSWORD,
    SURVIVOR,
    TEST_ROOM,
    TIGRINYA_SPEAKER,
    WOMAN_SYRIAN,
    sign_in,
)


def next_work_day():
    day = to_sofia(utcnow()).date() + timedelta(days=1)
    while day.weekday() >= 5 or public_holiday(day):
        day += timedelta(days=1)
    return day


def search_arabic_in_burgas(page, base, day):
    page.goto(f"{base}/console/find")
    page.get_by_label("Who", exact=True).select_option("interpreter")
    page.get_by_label("Language").select_option("ar")
    page.get_by_label("Modality").select_option("in_person")
    page.get_by_label("Office").select_option("burgas")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Duration (minutes)").fill("60")
    with page.expect_response(lambda r: "/console/find?" in r.url) as answer:
        page.get_by_role("button", name="Find free times").click()
    page.locator("#slots fieldset.offer").first.wait_for()
    return answer.value


def choose_first_slot(page, room=TEST_ROOM):
    """Tick the first time of the best-ranked person at which `room` is free too.

    The ranking puts first whoever has the fewest hours this month, so the person (and the
    time the room is free) changes as the tests book.
    """
    offer = page.locator("#slots fieldset.offer").first
    interpreter = offer.locator("legend").inner_text()
    labels = offer.locator("label")
    for n in range(labels.count()):
        # ticking a time draws the room list again: only rooms free then, with their places
        with page.expect_response(lambda r: "/console/find/rooms" in r.url):
            labels.nth(n).click()
        if page.locator("#book-room option", has_text=room).count():
            return interpreter, offer.locator("input[type=radio]").nth(n).get_attribute("value")
    raise AssertionError(f"{room} is not free at any time of {interpreter}")


def fill_booking(page, case_reference=ARABIC_SPEAKER):
    page.get_by_label("Beneficiaries (case references, separated by commas)").fill(case_reference)
    page.get_by_label("Room").select_option(label=f"{TEST_ROOM} (4 places)")


def test_sign_in_find_an_arabic_interpreter_in_burgas_book_her_and_see_the_board(
    page, live_server, check_page
):
    base, day = live_server.url, next_work_day()
    page.goto(f"{base}/console/login")
    check_page(page, "login")
    sign_in(page, base, "burgas@example.org")
    page.wait_for_url(re.compile(r"/console/board"))

    answer = search_arabic_in_burgas(page, base, day)
    assert answer.request.headers.get("hx-request") == "true"  # htmx fetched the slot list
    assert "<html" not in answer.text()  # only the list, swapped into the page
    assert "/console/find?" in page.url  # and the search is in the address bar
    check_page(page, "find-results")
    interpreter, _slot = choose_first_slot(page)
    assert "ar" in interpreter
    fill_booking(page)
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/console/bookings/\d+$"))
    booking_id = page.url.rsplit("/", 1)[1]
    assert page.locator("#booking-status").inner_text() == "confirmed"
    assert interpreter in page.content() and TEST_ROOM in page.content()
    check_page(page, "booking")

    page.goto(f"{base}/console/board?office=burgas&week={day.isoformat()}")
    block = page.locator(f'a.block[data-booking-id="{booking_id}"]')
    assert block.count() == 2  # the interpreter's row and the room's row
    assert block.first.is_visible()
    check_page(page, "board")


def test_booking_a_time_someone_just_took_shows_the_clash(page, live_server, check_page):
    base, day = live_server.url, next_work_day()
    sign_in(page, base, "burgas@example.org")
    page.wait_for_url(re.compile(r"/console/board"))
    other = page.context.new_page()  # a colleague at the next desk, same search
    search_arabic_in_burgas(page, base, day)
    search_arabic_in_burgas(other, base, day)
    _, slot = choose_first_slot(page)
    radio = other.locator(f'input[value="{slot}"]').get_attribute("id")
    with other.expect_response(lambda r: "/console/find/rooms" in r.url):
        other.locator(f'label[for="{radio}"]').click()
    fill_booking(page)
    fill_booking(other)
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/console/bookings/\d+$"))
    first_id = page.url.rsplit("/", 1)[1]

    other.get_by_role("button", name="Book").click()
    clash = other.locator("#clash")
    clash.wait_for()
    assert "This time is taken." in clash.inner_text()
    assert clash.locator(f'a[href="/console/bookings/{first_id}"]').count() >= 1
    check_page(other, "clash")


def test_five_wrong_passwords_lock_the_account(page, live_server, check_page):
    base = live_server.url
    for _ in range(5):
        sign_in(page, base, "locked@example.org", "not the password")
        page.get_by_role("alert").wait_for()
    sign_in(page, base, "locked@example.org", PASSWORD)
    page.get_by_role("alert").wait_for()
    assert "/console/login" in page.url
    assert "locked" in page.get_by_role("alert").inner_text()
    check_page(page, "locked")


def test_a_burgas_coordinator_cannot_open_a_sofia_booking(page, live_server, check_page):
    base = live_server.url
    sign_in(page, base, "burgas@example.org")
    page.wait_for_url(re.compile(r"/console/board"))
    response = page.goto(f"{base}/console/bookings/{live_server.sofia_booking_id}")
    assert response.status == 404  # outside one's offices: not even confirmed to exist
    assert page.get_by_role("heading", name="Not found").is_visible()
    check_page(page, "not-found")


def test_the_board_and_search_work_at_phone_width(phone, live_server, check_page):
    base = live_server.url
    sign_in(phone, base, "burgas@example.org")
    phone.wait_for_url(re.compile(r"/console/board"))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 380, "the page itself must not scroll sideways; the board scrolls inside"
    check_page(phone, "board-phone")
    search_arabic_in_burgas(phone, base, next_work_day())
    check_page(phone, "find-phone")


def test_an_interpreter_who_shares_no_language_is_refused_then_booked_with_a_reason(
    page, live_server, check_page
):
    base, day = live_server.url, next_work_day()
    sign_in(page, base, "burgas@example.org")
    page.wait_for_url(re.compile(r"/console/board"))
    search_arabic_in_burgas(page, base, day)
    interpreter, _slot = choose_first_slot(page)
    fill_booking(page, TIGRINYA_SPEAKER)
    page.get_by_role("button", name="Book").click()

    refusal = page.get_by_role("alert")
    refusal.wait_for()
    assert "They share no language" in refusal.inner_text()
    assert "Tigrinya" in refusal.inner_text() and interpreter in refusal.inner_text()
    check_page(page, "language-refused")

    # a coordinator may book all the same, saying why (the time and room stay chosen)
    assert page.locator("input[name=slot]:checked").count() == 1
    page.get_by_label("Book although they share no language").check()
    page.get_by_label("Why this interpreter all the same").fill(
        "Speaks Arabic too, confirmed by phone"
    )
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/console/bookings/\d+$"))
    assert "Speaks Arabic too, confirmed by phone" in page.content()


def test_a_survivor_is_offered_only_women_she_does_not_avoid_and_is_booked_with_one(
    page, live_server, check_page
):
    base, day = live_server.url, next_work_day()
    sign_in(page, base, "harmanli@example.org")
    page.wait_for_url(re.compile(r"/console/board"))
    page.goto(f"{base}/console/find")
    page.get_by_label("Who", exact=True).select_option("interpreter")
    page.get_by_label("Language").select_option("ar")
    page.get_by_label("Modality").select_option("in_person")
    page.get_by_label("Office").select_option("harmanli")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Duration (minutes)").fill("60")
    page.get_by_label("For (case references)").fill(SURVIVOR)
    page.get_by_role("button", name="Find free times").click()
    page.locator("#slots fieldset.offer").first.wait_for()

    offered = page.locator("#slots fieldset.offer legend").all_inner_texts()
    assert WOMAN_SYRIAN in offered
    assert MAN_SYRIAN not in offered  # she asked for a woman
    assert AVOIDED_WOMAN not in offered  # never, and the page does not say why
    assert "same village" not in page.content()
    woman = page.locator("#slots fieldset.offer", has_text=WOMAN_SYRIAN)
    assert "speaks Syrian Arabic" in woman.locator(".reasons").inner_text()
    check_page(page, "find-survivor")

    with page.expect_response(lambda r: "/console/find/rooms" in r.url):
        woman.locator("label").first.click()
    assert page.get_by_label("Beneficiaries (case references, separated by commas)").input_value()
    page.get_by_label("Beneficiaries (case references, separated by commas)").fill(SURVIVOR)
    page.get_by_role("button", name="Book").click()
    page.wait_for_url(re.compile(r"/console/bookings/\d+$"))
    assert WOMAN_SYRIAN in page.content() and SURVIVOR in page.content()
