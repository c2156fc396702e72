"""When a scope's feeds last changed, without a row that every writer of the scope must lock.

A transaction that changes a scope's feeds appends one `FeedChangeLog` row per scope just
before it commits: an INSERT, never an UPDATE, so two bookings of one office never wait on
each other.  The scheduler folds the log into one `FeedChange` row per scope (`fold_changes`).
A reader takes the folded row and the log rows not yet folded in one statement.

Why the validators stay true although log ids may commit out of order:

* ETag: the number of changes (folded + waiting) grows by one with every commit, whatever its
  id, and folding keeps it; with the latest change's time (microseconds) it never repeats,
  even after a database is restored and changed again.
* If-Modified-Since: a log row's time is taken before its commit, so a row committing late
  may carry a time earlier than a Last-Modified already sent without it.  So while any row
  waits, the feed counts as modified.  A fold stamps the scope with a time at least a second
  after the clock it read once the rows were committed (and after the previous fold), and
  Last-Modified is never later than the moment before the reader's query: a change missed by
  a reader is folded after that reader's query, so its stamp is later than any date sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.models import FeedChange, FeedChangeLog
from service.plumbing.clock import utcnow

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def whole_second(instant: datetime) -> datetime:
    return instant.replace(microsecond=0)


@dataclass(frozen=True)
class ScopeChanges:
    """What a reader saw of a scope's changes: the folded row and the log rows still waiting."""

    folded: int = 0
    folded_at: datetime = EPOCH  # the last fold's stamp (whole seconds)
    last_row_at: datetime = EPOCH  # the latest folded change
    waiting: int = 0
    waiting_at: datetime | None = None  # the latest waiting change

    @property
    def count(self) -> int:
        """Return how many changes the scope has had; every commit adds one, folding none."""
        return self.folded + self.waiting

    @property
    def latest(self) -> datetime:
        return max(self.last_row_at, self.waiting_at or EPOCH)

    @property
    def settled(self) -> bool:
        """Tell whether every change is folded, so that the fold's stamp dates them all."""
        return self.waiting == 0

    @property
    def modified_at(self) -> datetime:
        """Return when the scope last changed, in whole seconds (may be ahead of the clock)."""
        return max(self.folded_at, whole_second(self.waiting_at or EPOCH))


def change_columns(scope: Any) -> list[ColumnElement[Any]]:
    """Return the columns a reader selects for a scope column, `FeedChange` outer-joined."""
    return [
        FeedChange.counter.label("folded"),
        FeedChange.changed_at.label("folded_at"),
        FeedChange.last_row_at.label("last_row_at"),
        *waiting_columns(scope),
    ]


def waiting_columns(scope: Any) -> list[ColumnElement[Any]]:
    """Return how many log rows of a scope wait to be folded, and the latest one's time."""
    of_scope = FeedChangeLog.scope == scope
    return [
        select(func.count()).where(of_scope).scalar_subquery().label("waiting"),
        select(func.max(FeedChangeLog.changed_at))
        .where(of_scope)
        .scalar_subquery()
        .label("waiting_at"),
    ]


def scope_changes(row: Any) -> ScopeChanges:
    """Read `change_columns` from a result row."""
    return ScopeChanges(
        folded=row.folded or 0,
        folded_at=row.folded_at or EPOCH,
        last_row_at=row.last_row_at or EPOCH,
        waiting=row.waiting or 0,
        waiting_at=_aware(row.waiting_at),
    )


def _aware(value: datetime | str | None) -> datetime | None:
    """A max() over SQLite's text comes back as text or naive; it is UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def read_changes(session: Session, scope: str) -> ScopeChanges:
    """Return a scope's changes in one statement."""
    folded = select(FeedChange).where(FeedChange.scope == scope).subquery()
    row = session.execute(
        select(
            select(folded.c.counter).scalar_subquery().label("folded"),
            select(folded.c.changed_at).scalar_subquery().label("folded_at"),
            select(folded.c.last_row_at).scalar_subquery().label("last_row_at"),
            *waiting_columns(scope),
        )
    ).one()
    return scope_changes(row)


def log_changes(session: Session, scopes: Iterable[str]) -> None:
    """Append one change row per scope, in one INSERT that waits for no other writer."""
    now = utcnow()
    rows = [{"scope": scope, "changed_at": now} for scope in sorted(set(scopes))]
    if rows:
        session.execute(insert(FeedChangeLog), rows)  # one cached statement, however many


def fold_changes(session: Session) -> int:
    """Fold the committed log rows into each scope's `FeedChange` row; return how many.

    Scopes another fold is working on are skipped (SKIP LOCKED): it folds them.  Writers never
    lock `FeedChange` rows, so a fold never waits for a booking nor a booking for a fold.
    """
    scopes = set(session.scalars(select(FeedChangeLog.scope).distinct()))
    if not scopes:
        return 0
    known = set(session.scalars(select(FeedChange.scope).where(FeedChange.scope.in_(scopes))))
    if scopes - known:
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        session.execute(
            dialect.insert(FeedChange)
            .values(
                [
                    {"scope": s, "counter": 0, "changed_at": EPOCH, "last_row_at": EPOCH}
                    for s in sorted(scopes - known)
                ]
            )
            .on_conflict_do_nothing(index_elements=["scope"])
        )
    locked = {
        row.scope: row
        for row in session.execute(
            select(FeedChange.scope, FeedChange.changed_at, FeedChange.last_row_at)
            .where(FeedChange.scope.in_(scopes))
            .order_by(FeedChange.scope)
            .with_for_update(skip_locked=True)
        )
    }
    if not locked:
        return 0
    gone = session.execute(
        delete(FeedChangeLog)
        .where(FeedChangeLog.scope.in_(locked))
        .returning(FeedChangeLog.scope, FeedChangeLog.changed_at)
    ).all()
    # Taken after the DELETE read the log: later than every commit of a row it folded.
    stamp = whole_second(utcnow()) + SECOND
    folded: dict[str, list[datetime]] = defaultdict(list)
    for scope, changed_at in gone:
        folded[scope].append(changed_at)
    for scope, times in sorted(folded.items()):
        row = locked[scope]
        session.execute(
            update(FeedChange)
            .where(FeedChange.scope == scope)
            .values(
                counter=FeedChange.counter + len(times),
                changed_at=max(stamp, row.changed_at + SECOND),
                last_row_at=max(row.last_row_at, *times),
            )
        )
    return len(gone)
