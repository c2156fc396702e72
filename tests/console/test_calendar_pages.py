"""My calendar: a feed link shown once with webcal:// and a QR code, rotate, revoke; time off."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import segno
from icalendar import Calendar

from service.access.auth import Principal
from service.feeds import FeedRequest, create_feed
from service.models import Feed, TimeOff
from service.plumbing.clock import sofia_instant
from tests.console.conftest import csrf_token, find_query, sign_in, work_day

FEED_URL = re.compile(r'value="http://localhost(/calendars/[A-Za-z0-9_-]+\.ics)"')


def _post(client, path, **data):
    page = client.get("/console/calendar")
    return client.post(path, data=data | {"csrf_token": csrf_token(page.text)})


def _feed_path(html):
    found = FEED_URL.search(html)
    assert found, "the page shows no feed URL"
    return found.group(1)


def _staff_link(client, signed_in, factory):
    """Sign in as a staff member, make their calendar link and return its path."""
    person = factory.interpreter(offices=("burgas",))
    signed_in("staff", resource_id=person.id)
    return _feed_path(_post(client, "/console/calendar/feeds").text)


def _feed_id(client, action):
    """The id of the link whose `action` (rotate or revoke) form the calendar page shows."""
    found = re.search(
        rf"/console/calendar/feeds/(\d+)/{action}", client.get("/console/calendar").text
    )
    assert found, f"the page has no {action} form"
    return found.group(1)


def test_staff_start_on_their_calendar_page(client, make_user, factory):
    person = factory.interpreter(offices=("burgas",))
    user = make_user("staff", resource_id=person.id)
    assert sign_in(client, user.email).location == "/console/calendar"
    assert client.get("/console/").location == "/console/calendar"


def test_a_staff_link_is_shown_once_with_webcal_and_a_qr_code(client, signed_in, factory, session):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    factory.booking([person], sofia_instant(day, time(10)), office="burgas")
    signed_in("staff", resource_id=person.id)
    response = _post(client, "/console/calendar/feeds")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    path = _feed_path(response.text)
    webcal = re.search(r'id="webcal" href="(webcal://[^"]+)"', response.text).group(1)
    assert webcal == "webcal://localhost" + path
    drawn = re.search(r'<svg[^>]*class="qr-code".*?</svg>', response.text, re.S).group(0)
    expected = segno.make(webcal, error="m").svg_inline(scale=4, border=2)
    assert re.search(r' d="([^"]+)"', drawn).group(1) == re.search(r' d="([^"]+)"', expected).group(
        1
    )
    feed = session.query(Feed).one()
    assert (feed.kind, feed.resource_id, feed.privacy) == ("resource", person.id, "limited")
    assert feed.api_token_id is None and feed.created_by.startswith("staff")

    served = client.get(path)
    assert served.status_code == 200
    assert len(Calendar.from_ical(served.data).walk("VEVENT")) == 1

    again = client.get("/console/calendar").text
    assert path not in again and "<svg" not in again
    assert feed.title in again and "Make my calendar link" not in again


def test_rotating_gives_a_new_url_and_the_old_one_answers_404(client, signed_in, factory):
    old = _staff_link(client, signed_in, factory)
    feed_id = _feed_id(client, "rotate")
    rotated = _post(client, f"/console/calendar/feeds/{feed_id}/rotate")
    new = _feed_path(rotated.text)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_revoking_ends_the_link(client, signed_in, factory):
    path = _staff_link(client, signed_in, factory)
    feed_id = _feed_id(client, "revoke")
    response = _post(client, f"/console/calendar/feeds/{feed_id}/revoke")
    assert response.status_code == 302
    assert client.get(path).status_code == 404
    assert "Make my calendar link" in client.get("/console/calendar").text


def test_rotate_without_the_csrf_token_is_refused(client, signed_in, factory):
    _staff_link(client, signed_in, factory)
    feed_id = _feed_id(client, "rotate")
    assert client.post(f"/console/calendar/feeds/{feed_id}/rotate").status_code == 400


def test_staff_cannot_rotate_someone_elses_link(client, signed_in, factory, session):
    colleague = factory.interpreter(offices=("burgas",))
    feed, _token = create_feed(
        session,
        Principal(0, "colleague@example.org", "staff", frozenset(), colleague.id),
        FeedRequest(scope="resource", privacy="limited", resource_id=colleague.id),
    )
    session.commit()
    person = factory.interpreter(offices=("burgas",))
    signed_in("staff", resource_id=person.id)
    # someone else's link is outside a staff member's scope: not found
    assert _post(client, f"/console/calendar/feeds/{feed.id}/rotate").status_code == 404
    assert _post(client, f"/console/calendar/feeds/{feed.id}/revoke").status_code == 404


def test_a_coordinator_makes_a_full_link_of_each_of_their_offices(
    client, signed_in, factory, session
):
    factory.office("sofia")
    signed_in("coordinator", offices=["burgas", "harmanli"])
    html = client.get("/console/calendar").text
    assert 'value="burgas"' in html and 'value="harmanli"' in html and 'value="sofia"' not in html
    _feed_path(_post(client, "/console/calendar/feeds", office="harmanli").text)
    feed = session.query(Feed).one()
    assert (feed.kind, feed.office_code, feed.privacy) == ("office", "harmanli", "full")
    # scoped like an API feed of the same coordinator: other offices' bookings show as busy
    assert feed.scope_offices == ["burgas", "harmanli"]
    html = client.get("/console/calendar").text
    assert 'value="harmanli"' not in html and 'value="burgas"' in html
    refused = _post(client, "/console/calendar/feeds", office="sofia")
    assert refused.status_code == 422 and session.query(Feed).count() == 1


def _slot_times(client, day):
    html = client.get("/console/find", query_string=find_query(day)).text
    return {datetime.fromisoformat(v) for v in re.findall(r'value="\d+\|([^"]+)"', html)}


def test_time_off_entered_is_listed_and_no_longer_offered(client, signed_in, factory, session):
    day = work_day()
    person = factory.interpreter("ar", offices=("burgas",))
    signed_in("staff", resource_id=person.id)
    ten = sofia_instant(day, time(10))
    assert ten in _slot_times(client, day)
    response = _post(
        client,
        "/console/calendar/time-off",
        starts_at=f"{day.isoformat()}T09:30",
        ends_at=f"{day.isoformat()}T12:00",
        reason="leave",
    )
    assert response.status_code == 302, response.text
    away = session.query(TimeOff).one()
    assert (away.starts_at, away.ends_at) == (
        sofia_instant(day, time(9, 30)),
        sofia_instant(day, time(12)),
    )
    assert "leave" in client.get("/console/calendar").text
    offered = _slot_times(client, day)
    assert ten not in offered and sofia_instant(day, time(9)) not in offered
    assert sofia_instant(day, time(13)) in offered


def test_time_off_over_a_booking_names_the_booking(client, signed_in, factory, session):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    booking = factory.booking([person], sofia_instant(day, time(10)), office="burgas")
    signed_in("staff", resource_id=person.id)
    response = _post(
        client,
        "/console/calendar/time-off",
        starts_at=f"{day.isoformat()}T08:00",
        ends_at=f"{day.isoformat()}T18:00",
    )
    assert response.status_code == 409
    assert f'href="/console/bookings/{booking.id}"' in response.text
    assert session.query(TimeOff).count() == 0


def test_time_off_ending_before_it_starts_is_a_form_error(client, signed_in, factory):
    day = work_day()
    person = factory.interpreter(offices=("burgas",))
    signed_in("staff", resource_id=person.id)
    response = _post(
        client,
        "/console/calendar/time-off",
        starts_at=f"{day.isoformat()}T12:00",
        ends_at=f"{(day - timedelta(days=1)).isoformat()}T12:00",
    )
    assert response.status_code == 422
    assert 'id="ends_at-error"' in response.text


def test_only_staff_enter_time_off_here(client, signed_in):
    signed_in("coordinator")
    assert "My time off" not in client.get("/console/calendar").text
    assert (
        _post(client, "/console/calendar/time-off", starts_at="2030-01-01T10:00").status_code == 403
    )
