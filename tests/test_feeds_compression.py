"""Feeds and .ics downloads are gzipped when a client asks, and still answer 304 cheaply."""

from __future__ import annotations

import gzip

from tests.feed_helpers import fetch, fold_a_while_ago, subscribe, working_day
from tests.test_feeds import book

GZIP = {"Accept-Encoding": "gzip, deflate"}


def busy_feed(client, factory, admin) -> dict:
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    return subscribe(client, admin, scope="office", office="sofia", privacy="full")


def test_a_feed_is_gzipped_when_asked_and_plain_otherwise(client, factory, admin):
    feed = busy_feed(client, factory, admin)

    plain = fetch(client, feed)
    zipped = fetch(client, feed, **GZIP)

    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert int(zipped.headers["Content-Length"]) == len(zipped.data) < len(plain.data)
    for answer in (plain, zipped):
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert answer.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert zipped.headers["ETag"] == plain.headers["ETag"]  # weak, equivalent bodies


def test_a_gzipped_feed_revalidates_with_304(client, session, factory, admin, monkeypatch):
    feed = busy_feed(client, factory, admin)
    fold_a_while_ago(session, monkeypatch)  # a date is trusted once changes are folded
    zipped = fetch(client, feed, **GZIP)

    by_etag = fetch(client, feed, **GZIP, **{"If-None-Match": zipped.headers["ETag"]})
    by_date = fetch(client, feed, **GZIP, **{"If-Modified-Since": zipped.headers["Last-Modified"]})

    for answer in (by_etag, by_date):
        assert answer.status_code == 304
        assert answer.data == b""
        assert answer.headers["ETag"] == zipped.headers["ETag"]
        assert "Accept-Encoding" in answer.headers["Vary"]
        assert "Content-Encoding" not in answer.headers


def test_a_booking_download_is_gzipped_when_asked(client, factory, admin):
    interpreter = factory.interpreter()
    booking = book(client, admin, [interpreter.id], working_day(5))
    path = f"/api/v1/bookings/{booking['id']}.ics"

    plain = client.get(path, headers=admin)
    zipped = client.get(path, headers=admin | GZIP)

    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == plain.data
    assert plain.data.startswith(b"BEGIN:VCALENDAR")


def test_json_answers_are_not_compressed(client, factory, admin):
    busy_feed(client, factory, admin)
    listed = client.get("/api/v1/bookings", headers=admin | GZIP)
    assert listed.status_code == 200
    assert "Content-Encoding" not in listed.headers
    assert len(listed.json) == 1
