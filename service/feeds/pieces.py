"""Keep each booking's rendered VEVENTs and the per-scope change counters current.

`refresh_booking` runs in the transaction that changes a booking: it re-renders the booking's
pieces (one per privacy level and language) and records which feeds (scopes) show it.  Just
before that transaction commits, a change is logged for every scope the booking entered, left
or changed in (service/feeds/changes.py).  A cancelled booking leaves every feed.  A feed is
then built by joining bytes, and its validators come from its scope's changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload, selectinload

from calendars import RENDER_VERSION, render_vevent
from service.feeds.changes import log_changes
from service.feeds.mapping import MAPPING_VERSION, booking_event, booking_uid
from service.models import (
    Beneficiary,
    Booking,
    BookingBeneficiary,
    FeedItem,
    FeedMembership,
    FeedPiece,
    Hold,
)
from service.models.feed import FEED_LOCALES

PRIVATE_LEVELS = ("full", "limited", "busy")
PENDING = "zapis.feed_scopes"
SERIES_PENDING = "zapis.feed_series"  # series to re-render before commit (series_pieces.py)
REBUILD_CHUNK = 500  # bookings per step of rebuild_all


def office_scope(office_id: int) -> str:
    return f"office:{office_id}"


def resource_scope(resource_id: int) -> str:
    return f"resource:{resource_id}"


def is_resource_scope(scope: str) -> bool:
    return scope.startswith("resource:")


PUBLIC_SCOPE = "public"


def is_public(booking: Booking) -> bool:
    return booking.type == "community_event" and booking.public


def booking_scopes(booking: Booking) -> set[str]:
    """Return the scopes whose feeds show booking (none once it is cancelled)."""
    if booking.status == "cancelled":
        return set()
    scopes = {resource_scope(h.resource_id) for h in booking.holds if h.active}
    if booking.office_id is not None:
        scopes.add(office_scope(booking.office_id))
    if is_public(booking):
        scopes.add(PUBLIC_SCOPE)
    return scopes


def bump_scopes(session: Session, scopes: Iterable[str]) -> None:
    """Record a change in each scope: one log row each, no lock on anything shared."""
    log_changes(session, scopes)


def releasing_savepoint(session: Session) -> bool:
    """Tell whether a before_commit hook runs for a savepoint (SQLAlchemy fires it for both)."""
    return session.in_nested_transaction()


def pending_scopes(session: Session) -> set[str]:
    """Return the scopes this transaction changed; they are bumped just before it commits."""
    pending: set[str] = session.info.setdefault(PENDING, set())
    return pending


@event.listens_for(Session, "before_commit")
def _bump_pending(session: Session) -> None:
    """Log changed scopes last: a transaction that books many times (a series) logs each once."""
    if releasing_savepoint(session):
        return
    scopes = session.info.pop(PENDING, None)
    if scopes:
        bump_scopes(session, scopes)


@event.listens_for(Session, "after_transaction_end")
def _forget_pending(session: Session, transaction: SessionTransaction) -> None:
    """Drop the pending scopes of a transaction that rolled back."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def _next_sequence(item: FeedItem | None, booking: Booking, changed_scopes: bool) -> int:
    """SEQUENCE grows when the time, the status or the people and rooms change (RFC 5545)."""
    if item is None:
        return 0
    moved = (item.starts_at, item.ends_at) != (booking.starts_at, booking.ends_at)
    revised = moved or item.status != booking.status or changed_scopes
    return item.sequence + 1 if revised else item.sequence


def _render_pieces(booking: Booking, sequence: int) -> list[dict[str, object]]:
    levels = PRIVATE_LEVELS + (("public",) if is_public(booking) else ())
    return [
        {
            "booking_id": booking.id,
            "privacy": privacy,
            "locale": locale,
            "body": render_vevent(booking_event(booking, privacy, locale, sequence=sequence)),
        }
        for privacy in levels
        for locale in FEED_LOCALES
    ]


def refresh_booking(session: Session, booking: Booking, *, created: bool = False) -> None:
    """Re-render booking's feed pieces and bump every feed scope it is, or was, part of.

    `created` says booking was inserted in this transaction, so it has no feed rows yet
    (saves four round trips).
    """
    session.flush()
    before: set[str] = set()
    item: FeedItem | None = None
    if not created:
        before = set(
            session.scalars(
                select(FeedMembership.scope).where(FeedMembership.booking_id == booking.id)
            )
        )
        item = session.get(FeedItem, booking.id)
        for model in (FeedPiece, FeedMembership):
            session.execute(delete(model).where(model.booking_id == booking.id))
    rows = _FeedRows()
    _restage(session, booking, before, item, rows)
    rows.insert(session)
    session.flush()


def refresh_new_bookings(session: Session, bookings: Sequence[Booking]) -> None:
    """Stage the feed rows of bookings inserted in this transaction: one INSERT per table.

    Their holds must be in memory (as when they were just added with them).
    """
    rows = _FeedRows()
    for booking in bookings:
        _restage(session, booking, set(), None, rows)
    rows.insert(session)
    session.flush()


@dataclass
class _FeedRows:
    """Feed rows to insert, gathered over one or many bookings: one INSERT per table."""

    pieces: list[dict[str, object]] = field(default_factory=list)
    memberships: list[dict[str, object]] = field(default_factory=list)

    def insert(self, session: Session) -> None:
        if self.pieces:
            session.execute(insert(FeedPiece), self.pieces)
        if self.memberships:
            session.execute(insert(FeedMembership), self.memberships)


def _restage(
    session: Session,
    booking: Booking,
    before: set[str],
    item: FeedItem | None,
    rows: _FeedRows,
) -> None:
    """Update booking's feed item and stage its pieces and memberships; its old rows are gone.

    `before` holds the scopes that showed it, `item` its feed item (None if it had none).
    """
    after = booking_scopes(booking)
    sequence = _next_sequence(item, booking, before != after)
    if not after:
        if item is not None:
            session.delete(item)
    else:
        if item is None:
            item = FeedItem(booking_id=booking.id, uid=booking_uid(booking.id))
            session.add(item)
        item.sequence, item.status = sequence, booking.status
        item.starts_at, item.ends_at = booking.starts_at, booking.ends_at
        item.last_modified = booking.updated_at
        item.render_version = f"{RENDER_VERSION}.{MAPPING_VERSION}"
        if booking.series_id is None:  # a series' occurrences are in its master piece
            rows.pieces += _render_pieces(booking, sequence)
        rows.memberships += [
            {
                "scope": scope,
                "booking_id": booking.id,
                "starts_at": booking.starts_at,
                "ends_at": booking.ends_at,
            }
            for scope in sorted(after)
        ]
    pending_scopes(session).update(before | after)
    if booking.series_id is not None:
        session.info.setdefault(SERIES_PENDING, set()).add(booking.series_id)


def refresh_beneficiary(session: Session, beneficiary: Beneficiary) -> None:
    """Re-render the bookings of a beneficiary whose discreet flag (or data) changed."""
    bookings = session.scalars(
        select(Booking)
        .join(BookingBeneficiary, BookingBeneficiary.booking_id == Booking.id)
        .where(BookingBeneficiary.beneficiary_id == beneficiary.id, Booking.status != "cancelled")
    )
    for booking in list(bookings):
        refresh_booking(session, booking)


def rebuild_all(session: Session, chunk: int = REBUILD_CHUNK) -> int:
    """Re-render every booking's pieces (after a RENDER_VERSION change); return how many.

    `chunk` bookings at a time: loaded with what their pieces show, their old rows deleted
    and the new ones inserted with one statement per table, then let go of.
    """
    ids = list(session.scalars(select(Booking.id).order_by(Booking.id)))
    for start in range(0, len(ids), chunk):
        _rebuild_chunk(session, ids[start : start + chunk])
    return len(ids)


def _rebuild_chunk(session: Session, ids: list[int]) -> None:
    bookings = session.scalars(
        select(Booking)
        .where(Booking.id.in_(ids))
        .options(
            joinedload(Booking.office),
            selectinload(Booking.holds).joinedload(Hold.resource),
            selectinload(Booking.attendee_rows).joinedload(BookingBeneficiary.beneficiary),
        )
        .order_by(Booking.id)
    ).all()
    before: dict[int, set[str]] = defaultdict(set)
    for scope, booking_id in session.execute(
        select(FeedMembership.scope, FeedMembership.booking_id).where(
            FeedMembership.booking_id.in_(ids)
        )
    ):
        before[booking_id].add(scope)
    items = {
        item.booking_id: item
        for item in session.scalars(select(FeedItem).where(FeedItem.booking_id.in_(ids)))
    }
    for model in (FeedPiece, FeedMembership):
        session.execute(delete(model).where(model.booking_id.in_(ids)))
    rows = _FeedRows()
    for booking in bookings:
        _restage(session, booking, before[booking.id], items.get(booking.id), rows)
    rows.insert(session)
    session.flush()
    for booking in bookings:  # keep memory flat over a large table
        session.expunge(booking)
    for item in items.values():
        if item in session:
            session.expunge(item)
