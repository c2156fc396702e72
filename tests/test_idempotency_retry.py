"""After a client gives up, its retry with the same Idempotency-Key gets the first answer
and books nothing twice (gunicorn as deployed, PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.models import Booking, OutboxMessage
from service.plumbing.db import make_engine
from tests.clients.hosts import base_env, call, wait_until, web_host
from tests.held_locks import hold_booking_lock, seed_booking_request

pytestmark = pytest.mark.postgres_only


def _count(engine: Any, model: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_retry_after_a_client_timeout_returns_the_original_201(fresh_database, tmp_path):  # type: ignore[no-untyped-def]
    url_db = fresh_database()
    engine = make_engine(url_db)
    headers, body, interpreter_id = seed_booking_request(engine)
    keyed = headers | {"Idempotency-Key": str(uuid.uuid4())}
    env = base_env(url_db, DB_LOCK_TIMEOUT_MS="30000")
    try:
        with web_host("web", env, tmp_path) as url:
            holder = engine.connect()
            try:
                hold_booking_lock(holder, interpreter_id)
                with pytest.raises(OSError):  # the client gives up while the server waits
                    call(f"{url}/api/v1/bookings", body, keyed, timeout=1)
                # a second copy sent meanwhile waits for the first instead of booking again
                copies: list[tuple[int, Any]] = []
                copy = threading.Thread(
                    target=lambda: copies.append(call(f"{url}/api/v1/bookings", body, keyed))
                )
                copy.start()
            finally:
                holder.rollback()
                holder.close()
            wait_until(lambda: _count(engine, Booking) == 1, "the first booking to commit", 30)
            copy.join(timeout=60)

            status, answer = call(f"{url}/api/v1/bookings", body, keyed)

            assert status == 201, answer
            assert copies == [(201, answer)]
            assert _count(engine, Booking) == 1
            messages = _count(engine, OutboxMessage)
            assert call(f"{url}/api/v1/bookings", body, keyed) == (201, answer)
            assert _count(engine, OutboxMessage) == messages
    finally:
        engine.dispose()
