"""Subscribing to feeds and reading them as a calendar client does: content, changes, 304."""
# ruff: noqa: RUF001  (Bulgarian text is meant to contain Cyrillic look-alikes)

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from tests.feed_helpers import (
    events,
    fetch,
    fold_a_while_ago,
    next_working_day,
    path_of,
    subscribe,
    uids,
    working_day,
)


def book(client, headers, resource_ids, start, minutes=60, **extra):
    body = {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(minutes=minutes)).isoformat(),
        "resource_ids": resource_ids,
    } | extra
    answer = client.post("/api/v1/bookings", json=body, headers=headers)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_an_office_feed_shows_exactly_the_bookings_in_its_window(client, factory, admin):
    interpreter = factory.interpreter("ar")
    room = factory.room("sofia")
    soon_at = working_day(7)  # once: a second call just after midnight is another day
    soon = book(client, admin, [interpreter.id, room.id], soon_at)
    later = book(client, admin, [interpreter.id], working_day(200, 14), status="tentative")
    recorded = {"record_past": True, "record_past_reason": "booked on paper"}
    past = book(client, admin, [interpreter.id], working_day(-60), **recorded)
    too_old = book(client, admin, [interpreter.id], working_day(-120), **recorded)
    too_far = book(client, admin, [interpreter.id], working_day(380))
    factory.office("burgas")
    elsewhere = book(
        client,
        admin,
        [factory.interpreter(offices=("burgas",)).id],
        working_day(8),
        office="burgas",
    )
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")

    answer = fetch(client, feed)

    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    found = events(answer.data)
    assert [str(e["uid"]) for e in found] == [
        f"booking-{b['id']}@zapis" for b in (past, soon, later)
    ]
    by_uid = {str(e["uid"]): e for e in found}
    first = by_uid[f"booking-{soon['id']}@zapis"]
    assert first.decoded("dtstart") == soon_at
    assert first.decoded("dtend") == soon_at + timedelta(hours=1)
    assert str(first["status"]) == "CONFIRMED"
    assert str(by_uid[f"booking-{later['id']}@zapis"]["status"]) == "TENTATIVE"
    assert "Sofia, ul. Primerna 1" in str(first["location"])
    assert room.name in str(first["location"])
    assert first["categories"].cats == ["Устен превод"]
    assert f"booking-{elsewhere['id']}@zapis".encode() not in answer.data

    wider = fetch(client, feed, "?past_days=200&future_days=400")
    assert f"booking-{too_old['id']}@zapis" in uids(wider.data)
    assert f"booking-{too_far['id']}@zapis" in uids(wider.data)


def test_the_answer_gives_a_url_and_its_webcal_form_on_the_public_base(app, client, factory, admin):
    factory.office("sofia")
    app.config["PUBLIC_BASE_URL"] = "https://zapis.example.org/"
    try:
        feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    finally:
        app.config["PUBLIC_BASE_URL"] = None
    assert feed["url"].startswith("https://zapis.example.org/calendars/")
    assert feed["url"].endswith(".ics")
    assert feed["webcal_url"] == "webcal://" + feed["url"].removeprefix("https://")
    token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # 32 random bytes, base64url
    assert {"id", "url", "webcal_url"} <= feed.keys()


def test_rescheduling_raises_sequence_and_moves_the_event(client, factory, admin):
    interpreter = factory.interpreter()
    booked_at = working_day(10)
    booking = book(client, admin, [interpreter.id], booked_at)
    feed = subscribe(client, admin, scope="resource", resource_id=interpreter.id, privacy="limited")
    (before,) = events(fetch(client, feed).data)

    moved_to = next_working_day(booked_at, 14)
    answer = client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={
            "version": booking["version"],
            "starts_at": moved_to.isoformat(),
            "ends_at": (moved_to + timedelta(minutes=90)).isoformat(),
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json

    (after,) = events(fetch(client, feed).data)
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    assert after.decoded("dtstart") == moved_to
    assert after.decoded("dtend") == moved_to + timedelta(minutes=90)
    assert after.decoded("dtstamp") >= before.decoded("dtstamp")


def test_confirming_a_tentative_booking_updates_status_and_sequence(client, factory, admin):
    interpreter = factory.interpreter()
    booking = book(client, admin, [interpreter.id], working_day(10), status="tentative")
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    (before,) = events(fetch(client, feed).data)

    client.post(f"/api/v1/bookings/{booking['id']}/confirm", headers=admin)

    (after,) = events(fetch(client, feed).data)
    assert (str(before["status"]), str(after["status"])) == ("TENTATIVE", "CONFIRMED")
    assert after["sequence"] == before["sequence"] + 1


def test_cancelling_removes_the_event_and_moves_etag_and_last_modified_forward(
    client, factory, admin
):
    interpreter = factory.interpreter()
    kept = book(client, admin, [interpreter.id], working_day(10))
    gone = book(client, admin, [interpreter.id], working_day(10, 14))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    first = fetch(client, feed)
    assert len(events(first.data)) == 2

    client.post(f"/api/v1/bookings/{gone['id']}/cancel", json={"reason": "ill"}, headers=admin)

    second = fetch(client, feed)
    assert uids(second.data) == [f"booking-{kept['id']}@zapis"]
    assert second.headers["ETag"] != first.headers["ETag"]
    assert parsedate_to_datetime(second.headers["Last-Modified"]) >= parsedate_to_datetime(
        first.headers["Last-Modified"]
    )
    # The client's cached copy is stale: its validators no longer match.
    again = fetch(client, feed, **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    again = fetch(client, feed, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert again.status_code == 200


def test_changes_within_one_second_never_date_last_modified_after_the_response(
    client, factory, admin
):
    """Last-Modified is never later than Date (RFC 9110 8.8.2.1), yet no change goes unseen."""
    interpreter = factory.interpreter()
    feed = subscribe(client, admin, scope="resource", resource_id=interpreter.id, privacy="busy")
    held = fetch(client, feed)  # what a client revalidating by date only keeps
    etags = [held.headers["ETag"]]
    for hour in (9, 11, 13):
        booking = book(client, admin, [interpreter.id], working_day(20, hour))
        client.post(f"/api/v1/bookings/{booking['id']}/cancel", json={"reason": "x"}, headers=admin)
        answer = fetch(client, feed)
        answered_at = datetime.now(UTC)
        assert parsedate_to_datetime(answer.headers["Last-Modified"]) <= answered_at
        since = fetch(client, feed, **{"If-Modified-Since": held.headers["Last-Modified"]})
        assert since.status_code == 200  # two changes ago: never a 304
        etags.append(answer.headers["ETag"])
        held = answer
    assert len(set(etags)) == len(etags)


def test_unchanged_feeds_answer_304_to_either_validator(
    client, session, factory, admin, monkeypatch
):
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="limited")
    fold_a_while_ago(session, monkeypatch)  # a date is trusted once changes are folded
    full = fetch(client, feed)
    assert full.headers["ETag"].startswith('W/"')  # weak: shared by the gzip body
    assert full.headers["Cache-Control"] == "private, no-cache"

    by_etag = fetch(client, feed, **{"If-None-Match": full.headers["ETag"]})
    by_date = fetch(client, feed, **{"If-Modified-Since": full.headers["Last-Modified"]})
    listed = fetch(client, feed, **{"If-None-Match": f'"other", {full.headers["ETag"]}'})

    for answer in (by_etag, by_date, listed):
        assert answer.status_code == 304
        assert answer.data == b""
        assert answer.headers["ETag"] == full.headers["ETag"]
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    mixed = fetch(
        client,
        feed,
        **{"If-None-Match": '"other"', "If-Modified-Since": full.headers["Last-Modified"]},
    )
    assert mixed.status_code == 200
    assert mixed.data == full.data


def test_same_data_gives_the_same_bytes_and_etag(client, factory, admin):
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    one, two = fetch(client, feed), fetch(client, feed)
    assert one.data == two.data
    assert one.headers["ETag"] == two.headers["ETag"]
    other_window = fetch(client, feed, "?past_days=10")
    assert other_window.headers["ETag"] != one.headers["ETag"]


def test_head_answers_the_headers_of_get_without_a_body(client, factory, admin):
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    got = fetch(client, feed)
    head = client.head(path_of(feed["url"]))
    assert head.status_code == 200
    assert head.data == b""
    for name in ("ETag", "Last-Modified", "Content-Type", "Content-Length"):
        assert head.headers[name] == got.headers[name]
    conditional = client.head(path_of(feed["url"]), headers={"If-None-Match": got.headers["ETag"]})
    assert conditional.status_code == 304
    star = fetch(client, feed, **{"If-None-Match": "*"})
    assert star.status_code == 304


def test_unknown_and_revoked_tokens_answer_the_same_404(client, factory, admin):
    factory.office("sofia")
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    assert fetch(client, feed).status_code == 200

    revoked = client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin)
    assert revoked.status_code == 204

    gone = fetch(client, feed)
    never = client.get("/calendars/" + "A" * 43 + ".ics")
    assert gone.status_code == never.status_code == 404
    assert gone.data == never.data
    assert gone.headers["Content-Type"] == never.headers["Content-Type"]
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin).status_code == 404


def test_rotating_gives_a_new_url_and_the_old_one_stops(client, factory, admin):
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    before = fetch(client, feed)

    answer = client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=admin)

    assert answer.status_code == 200
    rotated = answer.json
    assert rotated["id"] == feed["id"]
    assert rotated["url"] != feed["url"]
    assert fetch(client, feed).status_code == 404
    now = fetch(client, rotated)
    assert now.status_code == 200
    assert now.data == before.data


def test_window_beyond_its_limits_is_refused_naming_the_field(client, factory, admin):
    factory.office("sofia")
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    for query, field in (
        ("?past_days=731", "past_days"),
        ("?past_days=-1", "past_days"),
        ("?future_days=0", "future_days"),
        ("?future_days=5000", "future_days"),
        ("?future_days=soon", "future_days"),
    ):
        answer = fetch(client, feed, query)
        assert answer.status_code == 422, query
        assert field in answer.json["errors"]["query"]


def test_cyrillic_description_survives_folding(client, factory, admin):
    interpreter = factory.interpreter("ar")
    beneficiary = factory.beneficiary(language="ar")
    notes = "Бенефициентът идва с придружител; " * 6 + "край"
    book(
        client,
        admin,
        [interpreter.id],
        working_day(5),
        beneficiary_ids=[beneficiary.id],
        notes=notes,
    )
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")

    ics = fetch(client, feed).data

    assert max(len(line) for line in ics.split(b"\r\n")) <= 75
    ics.decode("utf-8")  # folding never splits a character
    (event,) = events(ics)
    description = str(event["description"])
    assert f"Бележки: {notes}" in description
    assert "Бенефициенти: " + beneficiary.case_reference in description
    assert str(event["summary"]) == "Устен превод · ar"


def test_english_feed_of_a_person_whose_locale_is_en(client, factory, admin):
    counsellor = factory.person("counsellor", locale="en", specialities=("legal",))
    book(client, admin, [counsellor.id], working_day(5), type="counselling")
    feed = subscribe(client, admin, scope="resource", resource_id=counsellor.id, privacy="limited")
    assert feed["locale"] == "en"
    (event,) = events(fetch(client, feed).data)
    assert str(event["summary"]) == "Counselling"
    assert "Status: Confirmed" in str(event["description"])


def test_moving_a_booking_to_another_person_moves_it_between_their_feeds(client, factory, admin):
    first, second = factory.interpreter(), factory.interpreter()
    booking = book(client, admin, [first.id], working_day(10))
    old = subscribe(client, admin, scope="resource", resource_id=first.id, privacy="busy")
    new = subscribe(client, admin, scope="resource", resource_id=second.id, privacy="busy")
    old_before, new_before = fetch(client, old), fetch(client, new)
    start = working_day(10)

    client.post(
        f"/api/v1/bookings/{booking['id']}/reschedule",
        json={
            "version": booking["version"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
            "resource_ids": [second.id],
        },
        headers=admin,
    )

    old_after, new_after = fetch(client, old), fetch(client, new)
    assert uids(old_after.data) == []
    assert uids(new_after.data) == [f"booking-{booking['id']}@zapis"]
    assert old_after.headers["ETag"] != old_before.headers["ETag"]
    assert new_after.headers["ETag"] != new_before.headers["ETag"]
    (event,) = events(new_after.data)
    assert event["sequence"] == 1  # another person is a new revision of the event
