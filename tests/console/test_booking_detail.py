"""A booking's page: move, complete, no-show, its SMS; reminders needing attention; day board."""

from __future__ import annotations

import re
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from service.booking.calendar_rules import public_holiday
from service.models import Booking, OutboxMessage
from service.notify.inbound import handle_inbound
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from tests.console.conftest import csrf_token, select_statements, work_day

PHONE = "+359888123456"


def past_work_day():
    day = to_sofia(utcnow()).date() - timedelta(days=7)
    while day.weekday() >= 5 or public_holiday(day):
        day -= timedelta(days=1)
    return day


def held_booking(factory, person, office):
    """A booking at 10:00 a week ago, recorded after the fact (nothing is booked in the past)."""
    start = sofia_instant(past_work_day(), time(10))
    return factory.booking([person], start, office=office, record_past=True)


def page_and_token(client, booking_id):
    page = client.get(f"/console/bookings/{booking_id}")
    assert page.status_code == 200, page.text
    return page.text, csrf_token(page.text)


def move(client, booking, day, starts, ends, version=None):
    _html, token = page_and_token(client, booking.id)
    return client.post(
        f"/console/bookings/{booking.id}/reschedule",
        data={
            "csrf_token": token,
            "version": str(booking.version if version is None else version),
            "day": day.isoformat(),
            "starts": starts,
            "ends": ends,
        },
    )


def fresh(session, booking_id):
    session.expire_all()
    return session.get(Booking, booking_id)


@pytest.fixture
def burgas_booking(factory):
    person = factory.interpreter(offices=("burgas",))
    return factory.booking([person], sofia_instant(work_day(), time(10)), office="burgas")


def test_moving_a_booking_converts_sofia_time_and_is_audited(
    client, signed_in, session, burgas_booking
):
    signed_in("coordinator", offices=["burgas"])
    day = work_day(8)
    response = move(client, burgas_booking, day, "11:30", "12:15")
    assert response.status_code == 302, response.text
    moved = fresh(session, burgas_booking.id)
    assert moved.starts_at == sofia_instant(day, time(11, 30))
    assert moved.ends_at == sofia_instant(day, time(12, 15))
    detail = client.get(f"/console/bookings/{moved.id}").text
    assert "11:30\u201312:15" in detail
    assert "is moved" in detail and "rescheduled" in detail  # the flash and the audit row


def test_the_move_form_shows_the_current_sofia_day_and_times(client, signed_in, burgas_booking):
    signed_in("coordinator", offices=["burgas"])
    html, _token = page_and_token(client, burgas_booking.id)
    assert f'value="{work_day().isoformat()}"' in html
    assert (
        'name="starts" pattern="([01][0-9]|2[0-3]):[0-5][0-9]" placeholder="HH:MM" required type="text" value="10:00"'
        in html
    )  # 24 h, whatever the browser
    assert f'name="version" type="hidden" value="{burgas_booking.version}"' in html


def test_a_move_onto_a_taken_time_names_the_booking_it_collides_with(
    client, signed_in, factory, session
):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    first = factory.booking([person], sofia_instant(day, time(10)), office="burgas")
    second = factory.booking([person], sofia_instant(day, time(13)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    response = move(client, second, day, "10:30", "11:30")
    assert response.status_code == 409
    assert 'id="clash"' in response.text
    assert f'href="/console/bookings/{first.id}"' in response.text
    assert person.name in response.text
    assert fresh(session, second.id).starts_at == sofia_instant(day, time(13))


def test_a_move_from_a_stale_page_is_refused_with_a_clear_message(
    client, signed_in, session, burgas_booking
):
    signed_in("coordinator", offices=["burgas"])
    stale = burgas_booking.version
    assert move(client, burgas_booking, work_day(), "14:00", "15:00").status_code == 302
    again = move(client, burgas_booking, work_day(), "15:00", "16:00", version=stale)
    assert again.status_code == 409
    assert 'id="stale"' in again.text and "changed this booking" in again.text
    assert "it is now" in again.text and "14:00\u201315:00 (confirmed)" in again.text
    assert fresh(session, burgas_booking.id).starts_at == sofia_instant(work_day(), time(14))
    # what was typed is kept, against the current version, so moving again is one click
    current = fresh(session, burgas_booking.id).version
    assert 'placeholder="HH:MM" required type="text" value="15:00"' in again.text
    assert f'name="version" type="hidden" value="{current}"' in again.text
    assert (
        move(client, burgas_booking, work_day(), "15:00", "16:00", version=current).status_code
        == 302
    )


def test_a_move_outside_opening_hours_says_why(client, signed_in, session, burgas_booking):
    signed_in("coordinator", offices=["burgas"])
    response = move(client, burgas_booking, work_day(), "22:00", "23:00")
    assert response.status_code == 422
    assert "Outside the opening hours" in response.text
    assert fresh(session, burgas_booking.id).starts_at == sofia_instant(work_day(), time(10))


def test_an_end_before_the_start_is_refused(client, signed_in, burgas_booking):
    signed_in("coordinator", offices=["burgas"])
    response = move(client, burgas_booking, work_day(), "12:00", "11:00")
    assert response.status_code == 422
    assert "The end must come after the start." in response.text


@pytest.mark.parametrize(
    ("action", "status", "words"),
    [("complete", "completed", "Mark completed"), ("no_show", "no-show", "Mark as no-show")],
)
def test_a_booking_that_took_place_is_completed_or_marked_no_show(
    client, signed_in, factory, session, action, status, words
):
    person = factory.interpreter(offices=("burgas",))
    past = held_booking(factory, person, "burgas")
    signed_in("coordinator", offices=["burgas"])
    html, token = page_and_token(client, past.id)
    assert words in html
    assert "Cancel booking" in html  # still confirmed
    response = client.post(f"/console/bookings/{past.id}/{action}", data={"csrf_token": token})
    assert response.status_code == 302
    detail = client.get(f"/console/bookings/{past.id}").text
    assert re.search(rf'id="booking-status">{status}<', detail)
    assert "Mark completed" not in detail and "Move booking" not in detail
    assert "Cancel booking" not in detail


def test_a_future_booking_offers_no_complete_and_refuses_one(client, signed_in, burgas_booking):
    signed_in("coordinator", offices=["burgas"])
    html, token = page_and_token(client, burgas_booking.id)
    assert "Mark completed" not in html and "Mark as no-show" not in html
    assert "Move booking" in html and "Cancel booking" in html
    response = client.post(
        f"/console/bookings/{burgas_booking.id}/complete", data={"csrf_token": token}
    )
    assert response.status_code == 409
    assert "has not started yet" in response.text


def test_read_only_sees_no_buttons_and_cannot_act(client, signed_in, factory):
    person = factory.interpreter(offices=("burgas",))
    past = held_booking(factory, person, "burgas")
    signed_in("read_only")
    html, token = page_and_token(client, past.id)
    for words in ("Move booking", "Mark completed", "Mark as no-show", "Cancel booking"):
        assert words not in html
    assert (
        client.post(f"/console/bookings/{past.id}/complete", data={"csrf_token": token}).status_code
        == 403
    )
    refused = move(client, past, work_day(), "10:00", "11:00")
    assert refused.status_code == 403


def test_a_burgas_coordinator_cannot_act_on_a_sofia_booking(client, signed_in, factory, session):
    person = factory.interpreter(offices=("sofia",))
    sofia = held_booking(factory, person, "sofia")
    signed_in("coordinator", offices=["burgas"])
    token = csrf_token(client.get("/console/board?office=burgas").text)
    data = {"csrf_token": token}
    assert client.post(f"/console/bookings/{sofia.id}/no_show", data=data).status_code == 404
    moved = client.post(
        f"/console/bookings/{sofia.id}/reschedule",
        data=data
        | {"version": "1", "day": work_day().isoformat(), "starts": "10:00", "ends": "11:00"},
    )
    assert moved.status_code == 404  # outside their offices: not found, not confirmed to exist
    assert fresh(session, sofia.id).status == "confirmed"


def consenting_booking(factory, office="burgas", **beneficiary):
    person = factory.interpreter(offices=(office,))
    values = {"phone": PHONE, "sms_consent": True, "offices": (office,)} | beneficiary
    someone = factory.beneficiary(**values)
    booking = factory.booking(
        [person], sofia_instant(work_day(), time(10)), office=office, beneficiary_ids=[someone.id]
    )
    return booking, someone


def test_a_bookings_sms_are_listed_by_kind_and_status_with_masked_numbers(
    client, signed_in, factory
):
    booking, _someone = consenting_booking(factory)
    signed_in("coordinator", offices=["burgas"])
    html, _token = page_and_token(client, booking.id)
    assert "confirmation" in html and "reminder" in html and "queued" in html
    assert "beneficiary" in html
    assert "+359******456" in html
    assert PHONE not in html and PHONE[4:] not in html


def test_a_minors_sms_go_to_the_guardian_and_say_so(client, signed_in, factory):
    booking, _child = consenting_booking(
        factory, phone=None, is_minor=True, guardian_phone="+359887654321"
    )
    signed_in("admin")
    html, _token = page_and_token(client, booking.id)
    assert "guardian" in html and "+359******321" in html and "887654321" not in html


def test_cancelling_cancels_the_queued_reminders_on_the_page(client, signed_in, factory):
    booking, _someone = consenting_booking(factory)
    signed_in("coordinator", offices=["burgas"])
    _html, token = page_and_token(client, booking.id)
    client.post(
        f"/console/bookings/{booking.id}/cancel", data={"csrf_token": token, "reason": "ill"}
    )
    html = client.get(f"/console/bookings/{booking.id}").text
    statuses = re.findall(r'class="sms-status (\w+)"', html)
    assert statuses and set(statuses) == {"cancelled"}


def set_status(session, booking, status, error="30003"):
    row = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.booking_id == booking.id)
        .order_by(OutboxMessage.id)
    ).first()
    row.status, row.error_code, row.updated_at = status, error, utcnow()
    session.commit()
    return row


def test_the_reminders_page_lists_what_needs_attention_in_the_users_offices(
    client, signed_in, factory, session
):
    failed_here, _a = consenting_booking(factory, "burgas")
    review_here, _b = consenting_booking(factory, "burgas")
    failed_there, _c = consenting_booking(factory, "sofia")
    failed = set_status(session, failed_here, "failed")
    review = set_status(session, review_here, "review", "lease_expired")
    elsewhere = set_status(session, failed_there, "failed")
    signed_in("coordinator", offices=["burgas"])
    html = client.get("/console/reminders").text
    listed = [int(i) for i in re.findall(r'<tr data-notification-id="(\d+)"', html)]
    assert listed == [review.id, failed.id]  # newest first, Sofia's left out, queued ones too
    assert elsewhere.id not in listed
    assert f'href="/console/bookings/{failed_here.id}"' in html
    assert "+359******456" in html and PHONE not in html
    assert html.count(">Resend</button>") == 1  # a message in review is never resent
    assert "to check (outcome unknown)" in html and "lease_expired" in html


def test_an_admin_sees_every_office_and_pages_through(
    client, signed_in, factory, session, monkeypatch
):
    monkeypatch.setattr("service.console.views_reminders.PAGE_SIZE", 2)
    rows = [
        set_status(session, consenting_booking(factory, code)[0], "failed")
        for code in ("burgas", "sofia", "burgas")
    ]
    signed_in("admin")
    first = client.get("/console/reminders").text
    second = client.get("/console/reminders?page=2").text
    shown = re.findall(r'<tr data-notification-id="(\d+)"', first + second)
    assert sorted(map(int, shown)) == sorted(r.id for r in rows)
    assert "Page 1 of 2" in first and "Page 2 of 2" in second
    assert client.get("/console/reminders?page=zero").status_code == 400


def test_resending_queues_a_copy_once_and_clears_the_row(client, signed_in, factory, session):
    booking, _someone = consenting_booking(factory)
    failed = set_status(session, booking, "failed")
    signed_in("coordinator", offices=["burgas"])
    token = csrf_token(client.get("/console/reminders").text)
    response = client.post(f"/console/notifications/{failed.id}/resend", data={"csrf_token": token})
    assert response.status_code == 302 and response.location == "/console/reminders"
    copy = session.scalar(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == f"resend:{failed.id}")
    )
    assert copy is not None and copy.status == "queued" and copy.to == PHONE
    html = client.get("/console/reminders").text
    assert "queued again" in html
    assert f'data-notification-id="{failed.id}"' not in html
    again = client.post(f"/console/notifications/{failed.id}/resend", data={"csrf_token": token})
    assert again.status_code == 302
    assert "resent already" in client.get("/console/reminders").text


def test_resending_from_the_booking_page_leads_back_to_it(client, signed_in, factory, session):
    booking, _someone = consenting_booking(factory)
    failed = set_status(session, booking, "undelivered")
    signed_in("admin")
    html, token = page_and_token(client, booking.id)
    assert html.count(">Resend</button>") == 1
    response = client.post(
        f"/console/notifications/{failed.id}/resend", data={"csrf_token": token, "back": "booking"}
    )
    assert response.location == f"/console/bookings/{booking.id}"


def test_only_coordinators_of_the_office_and_admins_resend(client, signed_in, factory, session):
    booking, _someone = consenting_booking(factory, "sofia")
    failed = set_status(session, booking, "failed")
    signed_in("coordinator", offices=["burgas"])
    token = csrf_token(client.get("/console/reminders").text)
    url = f"/console/notifications/{failed.id}/resend"
    assert client.post(url, data={"csrf_token": token}).status_code == 404  # not their office
    client.post("/console/logout", data={"csrf_token": token})
    signed_in("read_only")
    page = client.get("/console/reminders")
    assert page.status_code == 403  # read_only has no reminders page at all
    token = csrf_token(page.text)
    assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert (
        session.scalar(
            select(OutboxMessage).where(OutboxMessage.dedupe_key == f"resend:{failed.id}")
        )
        is None
    )


def test_replies_are_shown_to_coordinators_of_the_office_only(client, signed_in, factory, session):
    booking, someone = consenting_booking(factory, "burgas")
    handle_inbound(session, phone=PHONE, body="I can't come, sorry", message_sid=None, now=utcnow())
    session.commit()
    signed_in("coordinator", offices=["burgas"])
    html = client.get("/console/reminders").text
    assert "I can&#39;t come, sorry" in html and someone.case_reference in html
    assert f'href="/console/bookings/{booking.id}"' in html
    assert "I can&#39;t come" in client.get(f"/console/bookings/{booking.id}").text
    token = csrf_token(html)
    client.post("/console/logout", data={"csrf_token": token})
    signed_in("coordinator", offices=["sofia"])
    assert "I can&#39;t come" not in client.get("/console/reminders").text
    client.post(
        "/console/logout", data={"csrf_token": csrf_token(client.get("/console/reminders").text)}
    )
    signed_in("read_only")
    page = client.get("/console/reminders").text
    assert "I can&#39;t come" not in page and "Replies from beneficiaries" not in page
    assert "I can&#39;t come" not in client.get(f"/console/bookings/{booking.id}").text


def test_staff_have_no_reminders_page(client, signed_in, factory):
    me = factory.interpreter(offices=("burgas",))
    signed_in("staff", resource_id=me.id)
    assert client.get("/console/reminders").status_code == 403
    assert 'href="/console/reminders"' not in client.get("/console/board").text


def test_the_day_board_shows_one_day_and_shades_a_closure(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    today = factory.booking([person], sofia_instant(day, time(10)), office="burgas")
    later = factory.booking(
        [person], sofia_instant(day + timedelta(days=1), time(10)), office="burgas"
    )
    signed_in("coordinator", offices=["burgas"])
    html = client.get(f"/console/board?office=burgas&day={day.isoformat()}").text
    assert "Day board" in html and person.name in html
    assert f'data-booking-id="{today.id}"' in html and f'data-booking-id="{later.id}"' not in html
    assert 'class="closed"' not in html
    factory.closure("burgas", day)
    closed = client.get(f"/console/board?office=burgas&day={day.isoformat()}").text
    assert 'class="closed"' in closed and "staff training" in closed
    week = client.get(f"/console/board?office=burgas&week={day.isoformat()}").text
    assert f'href="/console/board?office=burgas&amp;day={day.isoformat()}"' in week


def test_the_day_board_of_a_sunday_is_shaded(client, signed_in, factory):
    day = work_day()
    sunday = day + timedelta(days=6 - day.weekday())
    factory.interpreter(offices=("burgas",))
    signed_in("coordinator", offices=["burgas"])
    html = client.get(f"/console/board?office=burgas&day={sunday.isoformat()}").text
    assert 'class="closed"' in html and "no opening hours" in html


def test_the_day_board_takes_a_few_queries_however_many_bookings(
    client, signed_in, factory, engine
):
    day = work_day()
    people = [factory.interpreter(offices=("burgas",)) for _ in range(4)]
    for hour, person in enumerate(people, start=9):
        factory.booking([person], sofia_instant(day, time(hour)), office="burgas")
        factory.booking([person], sofia_instant(day, time(hour + 4)), office="burgas")
    signed_in("coordinator", offices=["burgas"])
    with select_statements(engine) as selects:
        html = client.get(f"/console/board?office=burgas&day={day.isoformat()}").text
    assert html.count('class="block') == 8
    assert len(selects) <= 6, "\n\n".join(selects)


def test_a_bad_day_is_a_400_page(client, signed_in, factory):
    factory.office("burgas")
    signed_in("admin")
    response = client.get("/console/board?office=burgas&day=31-12-2026")
    assert response.status_code == 400 and "<html" in response.text


def test_marking_a_message_handled_takes_it_off_the_list(client, signed_in, factory, session):
    booking, _someone = consenting_booking(factory)
    review = set_status(session, booking, "review", "lease_expired")
    user = signed_in("coordinator", offices=["burgas"])
    html = client.get("/console/reminders").text
    assert "Mark handled" in html
    response = client.post(
        f"/console/notifications/{review.id}/handled", data={"csrf_token": csrf_token(html)}
    )
    assert response.status_code == 302
    after = client.get("/console/reminders").text
    assert "is marked handled" in after and f'data-notification-id="{review.id}"' not in after
    session.expire_all()
    assert session.get(OutboxMessage, review.id).handled_by == user.email
    detail = client.get(f"/console/bookings/{booking.id}").text
    assert "handled" in detail and "Mark handled" not in detail


def test_a_queued_message_cannot_be_marked_handled(client, signed_in, factory, session):
    booking, _someone = consenting_booking(factory)
    queued = session.scalars(
        select(OutboxMessage).where(OutboxMessage.booking_id == booking.id)
    ).first()
    signed_in("admin")
    html, token = page_and_token(client, booking.id)
    assert "Mark handled" not in html
    response = client.post(
        f"/console/notifications/{queued.id}/handled", data={"csrf_token": token}
    )
    assert response.status_code == 302
    assert "Not changed" in client.get(response.location).text
    session.expire_all()
    assert session.get(OutboxMessage, queued.id).handled_at is None


def test_a_move_without_a_time_or_version_is_refused_and_names_the_field(
    client, signed_in, session, burgas_booking
):
    signed_in("coordinator", offices=["burgas"])
    missing_time = move(client, burgas_booking, work_day(), "", "11:00")
    assert missing_time.status_code == 422
    assert re.search(
        r'name="starts"[^>]*>\s*<span class="error" id="starts-error">', missing_time.text
    )
    assert 'aria-describedby="starts-error"' in missing_time.text  # read out with the field
    bad_version = move(client, burgas_booking, work_day(), "11:00", "12:00", version="x")
    assert bad_version.status_code == 422 and "Reload the page" in bad_version.text
    assert fresh(session, burgas_booking.id).starts_at == sofia_instant(work_day(), time(10))
