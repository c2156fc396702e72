"""Change the reference generation with every change to the tables the processes cache.

Session hooks see every ORM change (new, dirty or deleted instances of the cached classes,
and bulk INSERT/UPDATE/DELETE on their tables) and write a fresh generation token in the
same transaction, so no operation has to remember to. Registered on import (service/__init__).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, update
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from service.models import (
    ApiToken,
    Base,
    Closure,
    Office,
    OpeningHours,
    ReferenceGeneration,
    Resource,
    ResourceDialect,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    ResourceTraining,
    TimeOff,
    WorkingHours,
    resource_offices,
)

CACHED_CLASSES: tuple[type[Base], ...] = (
    ApiToken,
    Office,
    OpeningHours,
    Closure,
    Resource,
    ResourceLanguage,
    ResourceModality,
    ResourceSpeciality,
    ResourceDialect,
    ResourceTraining,
    WorkingHours,
    TimeOff,
)
CACHED_TABLES: frozenset[str] = frozenset(
    {str(cls.__tablename__) for cls in CACHED_CLASSES} | {resource_offices.name}
)
# session.info key: the snapshot of service/directory/reference_cache.py this transaction reads
SNAPSHOT = "zapis.reference_snapshot"


def bump(session: Session) -> None:
    """Write a fresh generation token in the session's transaction."""
    session.execute(
        update(ReferenceGeneration)
        .where(ReferenceGeneration.id == 1)
        .values(token=uuid.uuid4().hex)
        .execution_options(synchronize_session=False)
    )
    session.info.pop(SNAPSHOT, None)  # the next read sees the change


def changes_cached_data(session: Session) -> bool:
    """Tell whether the session holds unflushed changes to cached instances."""
    return any(isinstance(obj, CACHED_CLASSES) for obj in (*session.new, *session.deleted)) or any(
        isinstance(obj, CACHED_CLASSES) and session.is_modified(obj) for obj in session.dirty
    )


@event.listens_for(Session, "before_flush")
def _before_flush(session: Session, _flush: UOWTransaction, _instances: Any) -> None:
    if changes_cached_data(session):
        bump(session)


def _target_table(state: ORMExecuteState) -> str | None:
    name = getattr(getattr(state.statement, "table", None), "name", None)
    return name if isinstance(name, str) else None


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    if _target_table(state) in CACHED_TABLES:
        bump(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_snapshot(session: Session, transaction: SessionTransaction) -> None:
    """Read the generation again in the next transaction."""
    if transaction.parent is None:
        session.info.pop(SNAPSHOT, None)


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, _previous: SessionTransaction) -> None:
    """Forget a snapshot that may hold changes a rolled-back savepoint undid."""
    session.info.pop(SNAPSHOT, None)
