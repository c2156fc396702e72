"""Per-process snapshots of the reference data: API tokens, offices with their opening hours
and closures, resources with what booking checks read, and the time off to come.

A snapshot is immutable once built and is swapped whole, so the threads of a process share
it without locks. Its label is the token of `reference_generation`, which every change to a
cached table rewrites in its own transaction (service/directory/reference_changes.py). A session reads
the token once per transaction (one small statement) and keeps the snapshot it got; when
the token differs from the process's snapshot's, the data is loaded again, after reading the
token, so a concurrent change can only make a snapshot newer than its label, never older.

ORM instances in a snapshot are detached and never changed; a session gets its own copies
with `merge(load=False)` (no SQL), so relationships such as `booking.office` need no query.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.util import identity_key

from service.directory.reference_changes import SNAPSHOT, changes_cached_data
from service.models import ApiToken, Office, ReferenceGeneration, Resource, TimeOff
from service.plumbing.clock import utcnow

# Time off that ended this long before a snapshot was built is left out of it.
TIME_OFF_PAST = timedelta(days=2)

T = TypeVar("T", Office, Resource)


@dataclass(frozen=True)
class TokenFacts:
    id: int
    name: str
    token_hash: str
    role: str
    offices: frozenset[str]
    resource_id: int | None
    expires_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class Away:
    """A resource's time off, as the booking checks read it."""

    resource_id: int
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Snapshot:
    token: str
    tokens: Mapping[str, TokenFacts]  # by SHA-256 digest
    offices: Mapping[str, Office]  # by code
    resources: Mapping[int, Resource]
    time_off: Mapping[int, tuple[Away, ...]]  # by resource, ending after `horizon`
    horizon: datetime


_snapshots: WeakKeyDictionary[Engine, Snapshot] = WeakKeyDictionary()
_lock = threading.Lock()


def snapshot(session: Session) -> Snapshot:
    """Return the session's snapshot, reading the generation once per transaction."""
    if changes_cached_data(session):
        session.flush()  # writes a new token, so the snapshot is rebuilt with the change
    held: Snapshot | None = session.info.get(SNAPSHOT)
    if held is not None:
        return held
    token = session.scalar(select(ReferenceGeneration.token).where(ReferenceGeneration.id == 1))
    engine = session.get_bind().engine
    held = _snapshots.get(engine)
    if held is None or held.token != token:
        held = _load(session, token or "")
        with _lock:
            _snapshots[engine] = held
    session.info[SNAPSHOT] = held
    return held


def _load(session: Session, token: str) -> Snapshot:
    """Read the cached tables in the session's transaction into detached instances."""
    horizon = utcnow() - TIME_OFF_PAST
    # On the session's connection (its transaction), never committing nor rolling it back.
    with Session(bind=session.connection(), join_transaction_mode="rollback_only") as loader:
        offices = loader.scalars(
            select(Office).options(
                selectinload(Office.opening_hours), selectinload(Office.closures)
            )
        ).all()
        resources = loader.scalars(
            select(Resource).options(
                selectinload(Resource.working_hours),
                selectinload(Resource.offices),
                selectinload(Resource.language_rows),
                selectinload(Resource.modality_rows),
                selectinload(Resource.speciality_rows),
                selectinload(Resource.dialect_rows),
                selectinload(Resource.training_rows),
            )
        ).all()
        for resource in resources:
            resource.room_office  # noqa: B018 - loads it from the identity map, no SQL
        tokens = {
            t.token_hash: TokenFacts(
                t.id,
                t.name,
                t.token_hash,
                t.role,
                frozenset(t.offices),
                t.resource_id,
                t.expires_at,
                t.revoked_at,
            )
            for t in loader.scalars(select(ApiToken))
        }
        away: dict[int, list[Away]] = {}
        for row in loader.execute(
            select(TimeOff.resource_id, TimeOff.starts_at, TimeOff.ends_at)
            .where(TimeOff.ends_at > horizon)
            .order_by(TimeOff.starts_at, TimeOff.id)
        ):
            away.setdefault(row.resource_id, []).append(Away(*row))
    return Snapshot(
        token=token,
        tokens=tokens,
        offices={o.code: o for o in offices},
        resources={r.id: r for r in resources},
        time_off={rid: tuple(spans) for rid, spans in away.items()},
        horizon=horizon,
    )


def _attach(session: Session, cls: type[T], obj: T) -> T:
    """Return the session's instance of `obj`: the one it holds, else a copy merged in."""
    held = session.identity_map.get(identity_key(cls, obj.id))
    if held is not None:
        return held
    return session.merge(obj, load=False)


def token(session: Session, digest: str) -> TokenFacts | None:
    return snapshot(session).tokens.get(digest)


def office(session: Session, code: str) -> Office | None:
    """Return the office with this code, its opening hours and closures loaded, or None."""
    found = snapshot(session).offices.get(code)
    return _attach(session, Office, found) if found is not None else None


def resources(session: Session, ids: Iterable[int]) -> list[Resource]:
    """Return the resources with these ids that exist (inactive ones too), in `ids` order."""
    held = snapshot(session).resources
    return [_attach(session, Resource, held[i]) for i in ids if i in held]


def person_ids(session: Session, ids: Iterable[int]) -> frozenset[int]:
    """Return those of `ids` that are people (interpreters, counsellors, teachers)."""
    held = snapshot(session).resources
    return frozenset(i for i in ids if i in held and held[i].is_person)


def first_time_off(
    session: Session, resource_ids: Iterable[int], starts_at: datetime, ends_at: datetime
) -> Away | None:
    """Return the first time off of these resources that overlaps the span, or None."""
    ids = list(resource_ids)
    held = snapshot(session)
    if starts_at < held.horizon:  # older time off is not in the snapshot
        row = session.execute(
            select(TimeOff.resource_id, TimeOff.starts_at, TimeOff.ends_at)
            .where(
                TimeOff.resource_id.in_(ids),
                TimeOff.starts_at < ends_at,
                TimeOff.ends_at > starts_at,
            )
            .order_by(TimeOff.starts_at, TimeOff.id)
            .limit(1)
        ).first()
        return Away(*row) if row is not None else None
    overlapping = [
        span
        for rid in ids
        for span in held.time_off.get(rid, ())
        if span.starts_at < ends_at and span.ends_at > starts_at
    ]
    return min(overlapping, key=lambda span: span.starts_at, default=None)
