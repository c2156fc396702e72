"""After a client gives up, its retry with the same Idempotency-Key gets the first answer
and books nothing twice (gunicorn as deployed, PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from service.db import make_engine
from service.models import Booking, OutboxMessage
from tests.clients.hosts import base_env, call, wait_until, web_host
from tests.factories import Factory
from tests.feed_helpers import working_day

pytestmark = pytest.mark.postgres_only


def _count(engine: Any, model: Any) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _seed(engine: Any) -> tuple[dict[str, str], dict[str, Any], int]:
    with Session(engine) as session:
        factory = Factory(session)
        headers = factory.headers("admin")
        interpreter = factory.interpreter("ar")
        person = factory.beneficiary(phone="+359888123456", sms_consent=True, language="ar")
        start = working_day(10)
        body = {
            "type": "interpretation",
            "office": "sofia",
            "resource_ids": [interpreter.id],
            "beneficiary_ids": [person.id],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        }
        return headers, body, interpreter.id


def test_a_retry_after_a_client_timeout_returns_the_original_201(fresh_database, tmp_path):  # type: ignore[no-untyped-def]
    url_db = fresh_database()
    engine = make_engine(url_db)
    headers, body, interpreter_id = _seed(engine)
    keyed = headers | {"Idempotency-Key": str(uuid.uuid4())}
    env = base_env(url_db, DB_LOCK_TIMEOUT_MS="30000")
    try:
        with web_host("web", env, tmp_path) as url:
            holder = engine.connect()
            try:
                holder.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": interpreter_id})
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
