"""Engine and session set-up: one session per request, SQLite tuned for serialized writers."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


@dataclass(frozen=True)
class Deadlines:
    """How long one statement may wait for a lock, and run at all, in milliseconds (0: no limit).

    Both are shorter than gunicorn's worker timeout, so a request stuck behind a lock is
    rolled back and answered 503 by the app instead of being killed mid-way.
    """

    lock_timeout_ms: int = 0
    statement_timeout_ms: int = 0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Deadlines:
        return cls(int(config["DB_LOCK_TIMEOUT_MS"]), int(config["DB_STATEMENT_TIMEOUT_MS"]))


class RequestSession(Session):
    """A session whose commits can be held: while `held`, commit() only flushes, so that what
    a request changes and the stored answer of its idempotency key commit together."""

    held = False

    def commit(self) -> None:
        if self.held:
            self.flush()
            return
        super().commit()


def _tune_sqlite(engine: Engine, deadlines: Deadlines) -> None:
    """Make every SQLite transaction a serialized writer (BEGIN IMMEDIATE) with WAL and FKs."""
    busy_ms = deadlines.lock_timeout_ms or 30_000

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, deadlines: Deadlines = Deadlines(), **kwargs: Any) -> Engine:
    """Create an engine for `url`, with the SQLite tuning when it is SQLite, and `deadlines`
    on every connection (PostgreSQL's lock_timeout and statement_timeout; SQLite's busy
    timeout)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _tune_sqlite(engine, deadlines)
        return engine
    options = (
        f"-c lock_timeout={int(deadlines.lock_timeout_ms)} "
        f"-c statement_timeout={int(deadlines.statement_timeout_ms)}"
    )
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options}, **kwargs)


def init_app(app: Flask) -> None:
    # Parameters can hold phone numbers and names: keep them out of error messages and logs.
    engine = make_engine(
        app.config["DATABASE_URL"], Deadlines.from_config(app.config), hide_parameters=True
    )
    app.extensions["zapis.engine"] = engine
    # Operations read their settings from `session.info["config"]`, never from Flask globals.
    app.extensions["zapis.sessionmaker"] = sessionmaker(
        engine, class_=RequestSession, expire_on_commit=False, info={"config": app.config}
    )
    app.teardown_appcontext(_close_session)


def get_session() -> RequestSession:
    """Return this request's session, opening it on first use."""
    if "db_session" not in g:
        from flask import current_app

        g.db_session = current_app.extensions["zapis.sessionmaker"]()
    session: RequestSession = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """Open a session outside a request (CLI, scheduler), committing on success."""
    session: Session = app.extensions["zapis.sessionmaker"]()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
