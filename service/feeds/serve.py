"""Build a feed from stored pieces, and its validators (ETag, Last-Modified) from its changes.

The bytes of a feed depend on its settings, the stored pieces of its scope and the window,
which moves with the date in Sofia.  The ETag hashes the settings, the scope's number of
changes and latest change (service/feeds/changes.py: one more with every commit that writes
or deletes a piece of the scope) and the window's dates, so a 304 needs no piece at all.
Last-Modified is the later of the scope's last change and the start of today in Sofia (when
the window last moved), in whole seconds as HTTP dates are, and never later than the moment
before the validators were read; it never goes backwards.  If-Modified-Since is checked
against the scope's last fold, and a scope with changes not yet folded counts as modified, so
a client never gets a 304 for a change it has not seen.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import chain

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from calendars import FeedCalendar, assemble_feed, feed_etag
from service.access.auth import hash_token
from service.directory.phones import hide_numbers
from service.feeds.changes import (
    ScopeChanges,
    change_columns,
    read_changes,
    scope_changes,
    whole_second,
)
from service.feeds.mapping import MAPPING_VERSION
from service.feeds.pieces import is_resource_scope, office_scope
from service.feeds.subscriptions import DEFAULT_LOCALE, is_live
from service.feeds.text import word
from service.models import (
    ApiToken,
    Booking,
    Feed,
    FeedChange,
    FeedMembership,
    FeedPiece,
    FeedSeriesItem,
    FeedSeriesPiece,
    FeedSeriesResourcePiece,
    Office,
    Series,
)
from service.models.feed import FEED_LOCALES
from service.plumbing.clock import sofia_instant, to_sofia, utcnow
from service.plumbing.errors import Invalid, NotFound
from service.plumbing.text_input import whole_number

PAST_DAYS, FUTURE_DAYS = 90, 365
MAX_PAST_DAYS, MAX_FUTURE_DAYS = 730, 1095


def _offices(codes: list[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(codes)) if codes is not None else None


@dataclass(frozen=True)
class FeedSpec:
    """What a feed shows: a scope at a privacy level, in a language, under a title.

    `offices`, when set, are the offices shown at that privacy: another office's bookings
    (and series) are shown at the busy level, as are bookings held at no office.
    """

    kind: str
    scope: str
    privacy: str
    locale: str
    title: str
    offices: tuple[str, ...] | None = None

    @classmethod
    def of(cls, feed: Feed) -> FeedSpec:
        return cls(
            feed.kind,
            feed.scope,
            feed.privacy,
            feed.locale,
            feed.title,
            _offices(feed.scope_offices),
        )

    @property
    def limits_offices(self) -> bool:
        """Tell whether some bookings of this feed may be shown as busy only."""
        return self.offices is not None and self.privacy not in ("busy", "public")

    @property
    def calendar(self) -> FeedCalendar:
        return FeedCalendar(
            name=hide_numbers(self.title, word(self.locale, "phone_hidden")),
            description=word(self.locale, f"privacy_{self.privacy}"),
            language=self.locale,
        )


@dataclass(frozen=True)
class Window:
    """Days shown before and after today (Europe/Sofia)."""

    past_days: int = PAST_DAYS
    future_days: int = FUTURE_DAYS

    def dates(self, today: date) -> tuple[date, date]:
        """Return the first day shown and the day after the last one."""
        return today - timedelta(days=self.past_days), today + timedelta(days=self.future_days + 1)


@dataclass(frozen=True)
class Validators:
    etag: str
    last_modified: datetime  # whole seconds, never after the validators were read
    settled_at: datetime | None  # when every change was folded and dated; None if some wait

    def last_modified_at(self, now: datetime) -> datetime:
        """Return the Last-Modified to send at now: never later than the response's Date."""
        return min(self.last_modified, now.replace(microsecond=0))

    def modified_since(self, since: datetime) -> bool:
        """Tell whether the feed changed after an If-Modified-Since date (whole seconds).

        A change not yet folded may have committed after `since` with an earlier time, so
        the feed counts as modified until the fold dates it.
        """
        return self.settled_at is None or self.settled_at > since


@dataclass(frozen=True)
class OpenFeed:
    spec: FeedSpec
    validators: Validators


@dataclass(frozen=True)
class BuiltFeed:
    body: bytes
    etag: str
    last_modified: datetime


def parse_window(args: Mapping[str, str]) -> Window:
    """Read ?past_days= and ?future_days=, refusing values beyond the limits (422)."""
    values = {"past_days": PAST_DAYS, "future_days": FUTURE_DAYS}
    limits = {"past_days": (0, MAX_PAST_DAYS), "future_days": (1, MAX_FUTURE_DAYS)}
    for name, (low, high) in limits.items():
        raw = args.get(name)
        if raw is None:
            continue
        value = whole_number(raw, low, high)
        if value is None:
            raise Invalid(name, f"{name} must be a whole number from {low} to {high}.")
        values[name] = value
    return Window(**values)


def today_in_sofia() -> date:
    return to_sofia(utcnow()).date()


def _validators(
    spec: FeedSpec, changes: ScopeChanges, window: Window, day: date, seen_at: datetime
) -> Validators:
    """Return the validators of what a reader saw at `seen_at` (taken before its query)."""
    first, last = window.dates(day)
    calendar = spec.calendar
    etag = feed_etag(
        (
            MAPPING_VERSION,
            spec.kind,
            spec.scope,
            spec.privacy,
            calendar.name,
            calendar.description or "",
            calendar.language or "",
            "*" if spec.offices is None else ",".join(spec.offices),
            str(changes.count),
            changes.latest.isoformat(),  # tells apart equal counts of a restored database
            first.isoformat(),
            last.isoformat(),
        )
    )
    window_moved = sofia_instant(day, time(0))
    last_modified = min(max(changes.modified_at, window_moved), whole_second(seen_at))
    settled_at = max(changes.folded_at, window_moved) if changes.settled else None
    return Validators(etag, last_modified, settled_at)


def feed_validators(
    session: Session, spec: FeedSpec, window: Window, today: date | None = None
) -> Validators:
    """Return the ETag and Last-Modified of a feed from its scope's changes alone."""
    seen_at = utcnow()
    changes = read_changes(session, spec.scope)
    return _validators(spec, changes, window, today or today_in_sofia(), seen_at)


def open_feed(
    session: Session, token: str, window: Window, today: date | None = None
) -> OpenFeed | None:
    """Return a live feed's spec and validators in one query, or None (unknown or revoked).

    This is all a 304 needs: the feed's row, its creator's token and its scope's changes.
    """
    digest = hash_token(token)
    seen_at = utcnow()
    row = session.execute(
        select(
            Feed.kind,
            Feed.scope,
            Feed.privacy,
            Feed.locale,
            Feed.title,
            Feed.scope_offices,
            Feed.token_hash,
            Feed.revoked_at,
            ApiToken.revoked_at.label("creator_revoked_at"),
            ApiToken.expires_at.label("creator_expires_at"),
            *change_columns(Feed.scope),
        )
        .select_from(Feed)
        .outerjoin(ApiToken, ApiToken.id == Feed.api_token_id)
        .outerjoin(FeedChange, FeedChange.scope == Feed.scope)
        .where(Feed.token_hash == digest)
    ).one_or_none()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    if not is_live(row.revoked_at, row.creator_revoked_at, row.creator_expires_at):
        return None
    spec = FeedSpec(
        row.kind, row.scope, row.privacy, row.locale, row.title, _offices(row.scope_offices)
    )
    changes = scope_changes(row)
    return OpenFeed(spec, _validators(spec, changes, window, today or today_in_sofia(), seen_at))


def feed_body(session: Session, spec: FeedSpec, window: Window, today: date | None = None) -> bytes:
    """Join the stored VEVENTs of a feed's scope that fall in the window."""
    first, last = window.dates(today or today_in_sofia())
    start, end = sofia_instant(first, time(0)), sofia_instant(last, time(0))
    # A series (master and overrides) shows when one of its occurrences here is in the window.
    shown_series = (
        select(Booking.series_id)
        .join(FeedMembership, FeedMembership.booking_id == Booking.id)
        .where(
            FeedMembership.scope == spec.scope,
            FeedMembership.starts_at < end,
            FeedMembership.ends_at > start,
            Booking.series_id.is_not(None),
        )
    )
    # A person's or room's feed shows its own piece of a series: the occurrences it holds.
    table: type[FeedSeriesPiece] | type[FeedSeriesResourcePiece] = FeedSeriesPiece
    series_query = select(FeedSeriesPiece.body)
    if is_resource_scope(spec.scope):
        table = FeedSeriesResourcePiece
        series_query = select(table.body).where(table.scope == spec.scope)
    series_query = (
        series_query.join(FeedSeriesItem, FeedSeriesItem.series_id == table.series_id)
        .where(table.series_id.in_(shown_series), table.locale == spec.locale)
        .order_by(FeedSeriesItem.starts_at, table.series_id)
    )
    pieces_query = (
        select(FeedPiece.body)
        .join(FeedMembership, FeedMembership.booking_id == FeedPiece.booking_id)
        .where(
            FeedMembership.scope == spec.scope,
            FeedMembership.starts_at < end,
            FeedMembership.ends_at > start,
            FeedPiece.locale == spec.locale,
        )
        .order_by(FeedMembership.starts_at, FeedMembership.booking_id)
    )
    if spec.limits_offices:
        # Each booking or series at its office's level: the feed's inside its offices, else busy.
        in_scope = select(Office.id).where(Office.code.in_(spec.offices or ()))
        series_query = series_query.join(Series, Series.id == table.series_id).where(
            table.privacy == case((Series.office_id.in_(in_scope), spec.privacy), else_="busy")
        )
        pieces_query = pieces_query.join(Booking, Booking.id == FeedPiece.booking_id).where(
            FeedPiece.privacy == case((Booking.office_id.in_(in_scope), spec.privacy), else_="busy")
        )
    else:
        series_query = series_query.where(table.privacy == spec.privacy)
        pieces_query = pieces_query.where(FeedPiece.privacy == spec.privacy)
    series = session.connection().execute(series_query).scalars().all()
    # Core, not ORM, execution: ten thousand bytes values need no identity map.
    pieces = session.connection().execute(pieces_query).scalars()
    # Whole years of VTIMEZONE, so the cached block is reused from day to day.
    zones = (date(first.year, 1, 1), date(last.year + 1, 1, 1))
    return assemble_feed(spec.calendar, chain(series, pieces), zones)


def build_feed(
    session: Session, spec: FeedSpec, window: Window, today: date | None = None
) -> BuiltFeed:
    """Return a feed's bytes with its validators (read first, so they are never newer)."""
    day = today or today_in_sofia()
    validators = feed_validators(session, spec, window, day)
    body = feed_body(session, spec, window, day)
    return BuiltFeed(body, validators.etag, validators.last_modified)


def office_feed_spec(
    session: Session, office_code: str, privacy: str = "full", locale: str = DEFAULT_LOCALE
) -> FeedSpec:
    """Return the spec of an office feed, as a subscription to it would have."""
    office = session.scalar(select(Office).where(Office.code == office_code))
    if office is None:
        raise NotFound(f"No office with code {office_code!r}.")
    if locale not in FEED_LOCALES:
        raise Invalid("locale", f"Unknown locale; one of {', '.join(FEED_LOCALES)}.")
    name = office.name_bg if locale == "bg" else office.name_en
    title = word(locale, "office_feed").format(name=name)
    return FeedSpec("office", office_scope(office.id), privacy, locale, title)


def build_office_feed(
    session: Session,
    office_code: str,
    *,
    privacy: str = "full",
    locale: str = DEFAULT_LOCALE,
    window: Window | None = None,
) -> BuiltFeed:
    """Build an office feed's bytes and validators exactly as GET /calendars/<token>.ics does.

    For benchmarks: time this cold after a booking change, and `feed_validators` (or a
    conditional GET through the test client) for the 304 path.
    """
    spec = office_feed_spec(session, office_code, privacy, locale)
    return build_feed(session, spec, window or Window())
