"""Idempotency keys: a retried request is answered as the first was, and done only once.

The first request with a key claims it (a row without an answer) before it changes anything,
and records its answer in the same transaction as its change. A retry finds the answer and
gets it again; the same key with a different request is refused. Two copies racing each
other meet on the unique (owner, key): the second waits for the first to commit, then
finds its answer. Answers other than 2xx are not kept: nothing was changed, so a retry runs
again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from service.models import IdempotencyKey
from service.plumbing.errors import Invalid

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Answer:
    status: int
    body: str
    headers: dict[str, str]


def check_key(key: str) -> str:
    """Accept 1 to 255 printable ASCII characters (a UUID is the usual choice)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise Invalid(HEADER, "Give 1 to 255 printable ASCII characters, e.g. a UUID.", "headers")
    return key


def digest_request(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join((method.encode(), path.encode(), body))).hexdigest()


def claim(
    session: Session, owner: str, key: str, request_digest: str, now: datetime, ttl: timedelta
) -> Answer | None:
    """Return the answer kept for this key, or claim the key for this request (None).

    An expired key is forgotten first. Raises IntegrityError (on flush) when another request
    claimed the key meanwhile; the caller rolls back and asks again.
    """
    kept = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )
    if kept is not None and kept.expires_at <= now:
        session.delete(kept)
        session.flush()
        kept = None
    if kept is not None:
        if kept.request_digest != request_digest:
            raise Invalid(
                HEADER, "This key was used for a different request; use a new key.", "headers"
            )
        if kept.status is None or kept.body is None:  # never committed without its answer
            raise RuntimeError(f"idempotency key {kept.id} has no answer")
        return Answer(kept.status, kept.body, dict(kept.headers or {}))
    session.add(
        IdempotencyKey(
            owner=owner,
            key=key,
            request_digest=request_digest,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    session.flush()
    return None


def record_answer(session: Session, owner: str, key: str, answer: Answer) -> None:
    """Keep the answer on the key this request claimed (in its still open transaction)."""
    claimed = session.scalar(
        select(IdempotencyKey).where(IdempotencyKey.owner == owner, IdempotencyKey.key == key)
    )
    if claimed is None:
        raise RuntimeError("record_answer without claim")
    claimed.status, claimed.body, claimed.headers = answer.status, answer.body, answer.headers


def purge_expired_keys(session: Session, now: datetime) -> int:
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.expires_at <= now))
    return int(getattr(result, "rowcount", 0) or 0)
