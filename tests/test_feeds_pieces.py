"""Stored pieces and change counters: rollbacks, rebuilding, listing feeds."""

from __future__ import annotations

from sqlalchemy import delete, select

from service.booking.bookings import Actor, change_status
from service.feeds.changes import read_changes
from service.models import FeedChange, FeedChangeLog, FeedItem, FeedMembership, FeedPiece
from tests.feed_helpers import fetch, subscribe, uids, working_day


def counters(session) -> dict[str, int]:
    """How many changes each scope has had, folded or not."""
    scopes = set(session.scalars(select(FeedChange.scope))) | set(
        session.scalars(select(FeedChangeLog.scope))
    )
    return {scope: read_changes(session, scope).count for scope in scopes}


def test_a_rolled_back_change_leaves_pieces_and_counters_alone(client, factory, admin, session):
    interpreter = factory.interpreter()
    booking = factory.booking([interpreter], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    before = fetch(client, feed)
    seen = counters(session)
    assert seen == {f"office:{booking.office_id}": 1, f"resource:{interpreter.id}": 1}

    change_status(session, booking, "cancel", Actor("tests"), reason="x")
    session.rollback()
    session.commit()

    assert counters(session) == seen
    after = fetch(client, feed, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 304


def test_one_transaction_bumps_each_scope_once(factory, session):
    interpreter = factory.interpreter()
    for hour in (9, 11, 13):
        factory.booking([interpreter], working_day(5, hour), policy=None)
    assert counters(session)[f"resource:{interpreter.id}"] == 3


def test_rebuild_feeds_renders_bookings_made_before_feeds_existed(
    app, client, factory, admin, session
):
    interpreter = factory.interpreter()
    booking = factory.booking([interpreter], working_day(5))
    for model in (FeedPiece, FeedMembership, FeedItem):
        session.execute(delete(model).where(model.booking_id == booking.id))
    session.commit()
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    before = fetch(client, feed)
    assert uids(before.data) == []

    with app.app_context():
        result = app.test_cli_runner().invoke(args=["rebuild-feeds"])

    assert result.exit_code == 0, result.output
    assert "1 bookings" in result.output
    after = fetch(client, feed, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert uids(after.data) == [f"booking-{booking.id}@zapis"]


def test_listing_feeds_shows_those_you_may_manage_without_their_urls(client, factory, admin):
    factory.offices()
    sofia = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    burgas = subscribe(client, admin, scope="office", office="burgas", privacy="busy")
    revoked = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    client.delete(f"/api/v1/feeds/{revoked['id']}", headers=admin)
    coordinator = factory.headers("coordinator", offices=["burgas"])

    everything = client.get("/api/v1/feeds", headers=admin).json
    mine = client.get("/api/v1/feeds", headers=coordinator).json

    assert [f["id"] for f in everything] == [sofia["id"], burgas["id"]]
    assert [f["id"] for f in mine] == [burgas["id"]]
    assert mine[0]["office"] == "burgas"
    assert mine[0]["scope"] == "office"
    assert all("url" not in f for f in everything)
