"""iCalendar feeds: secret subscriptions, stored VEVENT pieces and per-scope change counters.

A *scope* names a set of bookings a feed shows: ``office:<id>``, ``resource:<id>`` or
``public``.  Each booking in a feed has one `FeedItem` (its UID, SEQUENCE and times), one
`FeedPiece` per privacy level and language (the rendered VEVENT bytes) and one
`FeedMembership` per scope it belongs to.  Each transaction that changes a scope appends one
`FeedChangeLog` row (never an UPDATE, so writers never wait on one another); the scheduler
folds those rows into the scope's `FeedChange` row.  A feed's ETag and Last-Modified come from
that row and the few log rows not yet folded (service/feeds/changes.py).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.models.office import Office
from service.plumbing.columns import UTCDateTime
from service.plumbing.db import Base

FEED_KINDS = ("office", "resource", "public")
PRIVACY_LEVELS = ("full", "limited", "busy", "public")
FEED_LOCALES = ("bg", "en")


class Feed(Base):
    """A subscription URL; only the SHA-256 of its token is stored.

    It lives only as long as the API token that created it: revoking a person's API token
    also ends the feeds they subscribed to.

    `scope_offices` are the office codes its creator was scoped to (a coordinator's): the
    bookings of any other office show as busy only, whatever the privacy.  None shows every
    office at the feed's privacy (admins, and staff, whose feed is their own schedule).
    """

    __tablename__ = "feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(48))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    resource_id: Mapped[int | None] = mapped_column(ForeignKey("resources.id"))
    privacy: Mapped[str] = mapped_column(String(8))
    scope_offices: Mapped[list[str] | None] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(300))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(200))
    api_token_id: Mapped[int | None] = mapped_column(ForeignKey("api_tokens.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    office: Mapped[Office | None] = relationship()

    @property
    def office_code(self) -> str | None:
        return self.office.code if self.office is not None else None


class FeedItem(Base):
    """What the feeds last showed of a booking: UID, SEQUENCE, times and status."""

    __tablename__ = "feed_items"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    uid: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_modified: Mapped[datetime] = mapped_column(UTCDateTime())
    render_version: Mapped[str] = mapped_column(String(16))


class FeedPiece(Base):
    """One booking's VEVENT bytes as a feed of one privacy level and language shows it."""

    __tablename__ = "feed_pieces"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    privacy: Mapped[str] = mapped_column(String(8), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class FeedMembership(Base):
    """A booking belongs to a scope's feeds; the key orders a scope's bookings by time.

    On SQLite the table is WITHOUT ROWID, so a feed reads its bookings in order from the
    primary key alone.
    """

    __tablename__ = "feed_memberships"
    __table_args__ = {"sqlite_with_rowid": False}

    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedChange(Base):
    """A scope's folded change log: how many changes, the latest, and when they were folded.

    Only the fold (service/feeds/changes.py) writes it.  `changed_at` is the fold's time in
    whole seconds, at least a second after the previous fold's (so it may run ahead of the
    clock); `last_row_at` is the latest `changed_at` of the log rows folded.
    """

    __tablename__ = "feed_changes"

    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    counter: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_row_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedChangeLog(Base):
    """One transaction changed a scope's feeds at `changed_at` (append-only until folded)."""

    __tablename__ = "feed_change_log"
    __table_args__ = (Index("ix_feed_change_log_scope", "scope", "id", "changed_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    scope: Mapped[str] = mapped_column(String(48))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class FeedSeriesItem(Base):
    """What the feeds last showed of a series: one master VEVENT (RRULE, EXDATE) and overrides.

    The occurrences of a series keep their `FeedItem` and `FeedMembership` rows (which scopes
    hold them, and when), but no `FeedPiece`: a feed shows the series' piece instead whenever
    one of its occurrences in the feed's scope falls in the window (a person's or room's feed
    shows its `FeedSeriesResourcePiece`).  `scopes` lists the scopes
    the series was last shown in (space-separated), `revision` hashes what makes SEQUENCE grow
    and `digest` the rendered pieces, so an unchanged series bumps no scope.

    `series_id` has no foreign key: the feeds and series migrations are separate branches, and
    a key would tie one branch's downgrade to the other.  Series rows are never deleted.
    """

    __tablename__ = "feed_series_items"

    series_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    uid: Mapped[str] = mapped_column(String(100))
    sequence: Mapped[int] = mapped_column(default=0)
    revision: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    render_version: Mapped[str] = mapped_column(String(16))


class FeedSeriesPiece(Base):
    """A series' VEVENT bytes (master and overrides) at one privacy level and language."""

    __tablename__ = "feed_series_pieces"

    series_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    privacy: Mapped[str] = mapped_column(String(8), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)


class FeedSeriesResourcePiece(Base):
    """A series as one person's or room's feeds show it: only the occurrences it holds.

    The office and public feeds show `FeedSeriesPiece`; a resource's feed shows this piece
    instead, whose EXDATEs leave out the occurrences the resource does not hold (a substitute
    took them) and whose overrides are the held occurrences that differ from its rule.
    """

    __tablename__ = "feed_series_resource_pieces"

    scope: Mapped[str] = mapped_column(String(48), primary_key=True)
    series_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, index=True)
    privacy: Mapped[str] = mapped_column(String(8), primary_key=True)
    locale: Mapped[str] = mapped_column(String(8), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
