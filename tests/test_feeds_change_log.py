"""A feed's validators come from an append-only change log: no writer waits, no change is missed.

Each transaction that changes a scope appends a log row; the scheduler folds them.  Log ids
can commit out of order (a lower id after a higher one a reader has already seen), so the
ETag counts changes, and a date revalidation trusts only folded changes.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from service.booking.bookings import Actor, BookingRequest, create_booking
from service.booking.policy import BookingPolicy
from service.feeds import Window, feed_validators, fold_changes, office_feed_spec
from service.feeds import pieces as feed_pieces
from service.feeds.changes import read_changes
from service.models import FeedChangeLog
from service.notify.jobs import run_once
from service.plumbing.clock import utcnow
from service.plumbing.db import make_engine
from tests.factories import Factory
from tests.feed_helpers import fetch, fold_a_while_ago, subscribe, working_day
from tests.test_feeds import book


def test_a_date_revalidation_is_trusted_once_the_change_is_folded(
    client, session, factory, admin, monkeypatch
):
    interpreter = factory.interpreter()
    book(client, admin, [interpreter.id], working_day(5))
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="busy")
    first = fetch(client, feed)

    by_etag = fetch(client, feed, **{"If-None-Match": first.headers["ETag"]})
    by_date = fetch(client, feed, **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert by_etag.status_code == 304
    assert by_date.status_code == 200  # the change waits to be folded: its time is not trusted

    fold_a_while_ago(session, monkeypatch)
    folded = fetch(client, feed)
    assert folded.headers["ETag"] == first.headers["ETag"]  # folding is no change
    assert folded.data == first.data
    by_date = fetch(client, feed, **{"If-Modified-Since": folded.headers["Last-Modified"]})
    assert by_date.status_code == 304


def test_the_scheduler_folds_the_log_and_keeps_every_count(app, client, session, factory, admin):
    interpreter = factory.interpreter()
    for hour in (9, 11):
        book(client, admin, [interpreter.id], working_day(5, hour))
    scope = f"resource:{interpreter.id}"
    assert read_changes(session, scope).waiting == 2

    run_once(app)

    changes = read_changes(session, scope)
    assert (changes.waiting, changes.count) == (0, 2)
    assert changes.folded_at > utcnow() - timedelta(seconds=5)


def _log_row(session, scope: str, row_id: int, at: datetime) -> None:
    session.execute(insert(FeedChangeLog).values(id=row_id, scope=scope, changed_at=at))


def test_a_change_committed_after_a_later_one_was_read_still_changes_the_validators(
    session, factory
):
    factory.office("sofia")
    spec = office_feed_spec(session, "sofia", "busy")
    window = Window()
    stamped = utcnow() - timedelta(seconds=3)  # a transaction logs its change, then lingers
    _log_row(session, spec.scope, 1000, utcnow() - timedelta(seconds=1))  # a later id commits
    seen = feed_validators(session, spec, window)

    _log_row(session, spec.scope, 999, stamped)  # the lingering one commits at last
    after = feed_validators(session, spec, window)

    assert after.etag != seen.etag
    assert after.modified_since(seen.last_modified)
    fold_changes(session)
    folded = feed_validators(session, spec, window)
    assert folded.etag == after.etag
    assert folded.modified_since(seen.last_modified)  # the fold dates it after the read
    assert folded.last_modified >= seen.last_modified


def test_a_restored_database_changed_again_never_repeats_an_etag(session, factory):
    factory.office("sofia")
    spec = office_feed_spec(session, "sofia", "busy")
    window = Window()
    _log_row(session, spec.scope, 1, utcnow() - timedelta(minutes=5))
    fold_changes(session)
    backed_up = feed_validators(session, spec, window)
    _log_row(session, spec.scope, 2, utcnow() - timedelta(minutes=4))
    lost = feed_validators(session, spec, window)

    session.execute(FeedChangeLog.__table__.delete().where(FeedChangeLog.id == 2))  # restored
    assert feed_validators(session, spec, window).etag == backed_up.etag  # the same content
    _log_row(session, spec.scope, 2, utcnow())  # the same id and count, a new change

    assert read_changes(session, spec.scope).count == 2
    assert feed_validators(session, spec, window).etag not in (backed_up.etag, lost.etag)


@pytest.mark.postgres_only
def test_two_bookings_of_one_office_commit_without_waiting_for_each_other(
    fresh_database, is_postgres, monkeypatch
):
    """One booking lingers after logging its feed change; another of the same office commits.

    Every connection gives up on a lock after one second, so any wait would fail the test.
    """
    assert is_postgres, "this test needs TEST_DATABASE_URL (PostgreSQL)"
    engine = make_engine(fresh_database(), pool_size=4, max_overflow=0)

    @event.listens_for(engine, "connect")
    def _impatient(connection, _record) -> None:  # type: ignore[no-untyped-def]
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '1s'")

    try:
        with Session(engine) as session:
            factory = Factory(session)
            rooms = [factory.room("sofia").id, factory.room("sofia").id]
            session.commit()
        make_session = sessionmaker(engine)
        start = working_day(10)

        def request(room: int) -> BookingRequest:
            return BookingRequest(
                type="counselling",
                office="sofia",
                resource_ids=[room],
                starts_at=start,
                ends_at=start + timedelta(hours=1),
            )

        def validators():  # type: ignore[no-untyped-def]
            with make_session() as session:
                return feed_validators(
                    session, office_feed_spec(session, "sofia", "busy"), Window()
                )

        logged, release = threading.Event(), threading.Event()
        log_changes = feed_pieces.log_changes

        def log_then_linger(session, scopes) -> None:  # type: ignore[no-untyped-def]
            log_changes(session, scopes)
            if threading.current_thread().name == "lingering":
                logged.set()
                assert release.wait(20)

        monkeypatch.setattr(feed_pieces, "log_changes", log_then_linger)
        errors: list[BaseException] = []

        def lingering() -> None:
            try:
                with make_session() as session:
                    create_booking(session, request(rooms[0]), Actor("first"), BookingPolicy())
                    session.commit()
            except BaseException as error:
                errors.append(error)
                logged.set()

        before = validators()
        first = threading.Thread(target=lingering, name="lingering")
        first.start()
        assert logged.wait(20)
        with make_session() as session:
            create_booking(session, request(rooms[1]), Actor("second"), BookingPolicy())
            session.commit()
        between = validators()
        release.set()
        first.join(timeout=20)
        assert errors == []
        after = validators()

        assert len({before.etag, between.etag, after.etag}) == 3
        assert after.modified_since(between.last_modified)
        with make_session() as session:
            scope = office_feed_spec(session, "sofia").scope
            assert read_changes(session, scope).count == 2
            fold_changes(session)
            session.commit()
        folded = validators()
        assert folded.etag == after.etag
        assert folded.modified_since(between.last_modified)
        with make_session() as session:
            assert session.scalar(select(FeedChangeLog.id).limit(1)) is None  # all folded
    finally:
        engine.dispose()
