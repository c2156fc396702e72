"""Bookings made at the same moment in one office each reach the feed and count as a change."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select

from service import create_app
from service.feeds.changes import fold_changes, read_changes
from service.models import FeedChangeLog
from service.plumbing.db import session_scope
from tests.factories import Factory
from tests.feed_helpers import fetch, uids, working_day

THREADS = 6


def test_simultaneous_bookings_in_one_office_all_reach_its_feed(fresh_database):
    app = create_app({"DATABASE_URL": fresh_database(), "TESTING": True})
    try:
        with session_scope(app) as session:
            factory = Factory(session)
            people = [factory.interpreter().id for _ in range(THREADS)]
            admin = factory.headers("admin")
        start = working_day(5)
        barrier = threading.Barrier(THREADS)
        answers: list[int] = []

        def book(person: int) -> None:
            client = app.test_client()
            body = {
                "type": "interpretation",
                "office": "sofia",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
                "resource_ids": [person],
            }
            barrier.wait()
            answers.append(client.post("/api/v1/bookings", json=body, headers=admin).status_code)

        threads = [threading.Thread(target=book, args=(p,)) for p in people]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert answers == [201] * THREADS
        client = app.test_client()
        feed = client.post(
            "/api/v1/feeds",
            json={"scope": "office", "office": "sofia", "privacy": "busy"},
            headers=admin,
        ).json
        assert len(uids(fetch(client, feed).data)) == THREADS
        with session_scope(app) as session:
            scope = session.scalar(
                select(FeedChangeLog.scope).where(FeedChangeLog.scope.like("office:%"))
            )
            assert read_changes(session, scope).count == THREADS
            assert fold_changes(session) == 2 * THREADS  # each booking: its office and its person
            assert read_changes(session, scope).count == THREADS
    finally:
        app.extensions["zapis.engine"].dispose()
