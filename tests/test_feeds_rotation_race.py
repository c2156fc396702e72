"""Rotating or revoking one feed at the same moment: one change wins, the others answer 409.

The change is one conditional UPDATE (`WHERE id AND token_hash AND revoked_at IS NULL`). On
PostgreSQL two requests can both read the feed before either writes; the threaded test makes
them do so and expects one success and one 409. SQLite runs one writer at a time (BEGIN
IMMEDIATE), so its racing requests run one after the other, each seeing the other's change:
there the test checks that nothing fails with 500 and that at most one URL works.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select, update

from service import create_app
from service.feeds import subscriptions
from service.models import Feed
from service.plumbing.db import session_scope
from tests.factories import Factory
from tests.feed_helpers import fetch, subscribe

OFFICE_FEED = {"scope": "office", "office": "sofia", "privacy": "busy"}


def _meanwhile(monkeypatch, change: Callable[[Any, int], None]) -> None:
    """Run `change(session, feed_id)` just after a rotation or revocation read the feed."""
    authorize = subscriptions.authorize_feed

    def read_then_changed(session, principal, feed):  # type: ignore[no-untyped-def]
        authorize(session, principal, feed)
        change(session, feed.id)

    monkeypatch.setattr(subscriptions, "authorize_feed", read_then_changed)


def _rotated_by_another(session, feed_id: int) -> None:  # type: ignore[no-untyped-def]
    session.execute(
        update(Feed).where(Feed.id == feed_id).values(token_hash="0" * 64),
        execution_options={"synchronize_session": False},
    )


def _revoked_by_another(session, feed_id: int) -> None:  # type: ignore[no-untyped-def]
    session.execute(
        update(Feed).where(Feed.id == feed_id).values(revoked_at=subscriptions.utcnow()),
        execution_options={"synchronize_session": False},
    )


@pytest.mark.parametrize("another", [_rotated_by_another, _revoked_by_another])
@pytest.mark.parametrize("action", ["rotate", "revoke"])
def test_a_change_that_finds_the_feed_changed_since_it_read_it_answers_409(
    client, session, factory, admin, monkeypatch, action, another
):
    factory.office("sofia")
    feed = subscribe(client, admin, **OFFICE_FEED)
    _meanwhile(monkeypatch, another)

    if action == "rotate":
        answer = client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=admin)
    else:
        answer = client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin)

    assert answer.status_code == 409, answer.json
    assert "meanwhile" in answer.json["message"]
    assert "url" not in answer.json
    # The loser wrote nothing. (The stand-in for the winner ran in the loser's own transaction,
    # so it was rolled back with it: the feed is as it was.)
    session.expire_all()
    row = session.get(Feed, feed["id"])
    assert (row.rotated_at, row.revoked_at) == (None, None)
    assert fetch(client, feed).status_code == 200


def _race(app, actions: list[tuple[str, dict[str, str]]], feed_id: int) -> list[Any]:
    """Run each (action, headers) in its own thread and client; return (status, json) each."""
    answers: list[Any] = [None] * len(actions)

    def run(index: int, action: str, headers: dict[str, str]) -> None:
        client = app.test_client()
        if action == "rotate":
            answer = client.post(f"/api/v1/feeds/{feed_id}/rotate", headers=headers)
        else:
            answer = client.delete(f"/api/v1/feeds/{feed_id}", headers=headers)
        answers[index] = (answer.status_code, answer.get_json(silent=True))

    threads = [
        threading.Thread(target=run, args=(i, action, headers))
        for i, (action, headers) in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


@pytest.mark.parametrize("second", ["rotate", "revoke"])
def test_racing_rotations_or_a_revocation_of_one_feed_give_one_winner(
    fresh_database, monkeypatch, second
):
    app = create_app({"DATABASE_URL": fresh_database(), "TESTING": True})
    try:
        with session_scope(app) as session:
            factory = Factory(session)
            factory.office("sofia")
            first_admin, second_admin = factory.headers("admin"), factory.headers("admin")
        postgres = app.extensions["zapis.engine"].dialect.name == "postgresql"
        client = app.test_client()
        for _ in range(3):
            feed = subscribe(client, first_admin, **OFFICE_FEED)
            if postgres:  # both requests read the feed before either writes
                barrier = threading.Barrier(2)
                monkeypatch.setattr(
                    subscriptions,
                    "authorize_feed",
                    _then_wait(subscriptions.authorize_feed, barrier),
                )
            answers = _race(app, [("rotate", first_admin), (second, second_admin)], feed["id"])
            monkeypatch.undo()

            statuses = [status for status, _ in answers]
            assert 500 not in statuses and None not in answers, answers
            new_urls = [body for status, body in answers if status == 200]
            serving = [body for body in new_urls if fetch(client, body).status_code == 200]
            assert fetch(client, feed).status_code == 404  # the old URL is gone either way
            assert len(serving) <= 1
            with session_scope(app) as session:
                revoked = session.scalar(select(Feed.revoked_at).where(Feed.id == feed["id"]))
            if postgres:
                won = 204 if second == "revoke" else 200
                assert sorted(statuses) in (sorted([200, 409]), sorted([won, 409])), answers
                assert all(body["message"] for status, body in answers if status == 409)
                assert len(serving) == (0 if revoked else 1)
            else:  # one after the other: a later rotation replaces, a revocation ends
                assert set(statuses) <= {200, 204, 404, 409}, answers
                assert len(serving) == (0 if revoked else 1)
    finally:
        app.extensions["zapis.engine"].dispose()


def _then_wait(authorize, barrier: threading.Barrier):  # type: ignore[no-untyped-def]
    def read_then_wait(session, principal, feed):  # type: ignore[no-untyped-def]
        authorize(session, principal, feed)
        barrier.wait(timeout=20)

    return read_then_wait
