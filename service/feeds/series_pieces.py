"""A series in the feeds: one master VEVENT (RRULE, EXDATE) and one override per moved occurrence.

The master starts at the rule's first start (Sofia wall time) and carries the series' rule.
Every rule date the series does not meet on is an EXDATE: skipped holidays and closures,
clashes left out, and cancelled occurrences.  An occurrence moved in time, to other people or
rooms, or with another status gets an override VEVENT with the same UID and a RECURRENCE-ID of
its rule start.  So expanding the feed gives exactly the series' live occurrences.

That is what the office and public feeds show.  A person's or room's feed shows its own
rendering (`FeedSeriesResourcePiece`) of only the occurrences it holds: an occurrence a
substitute took is an EXDATE in the regular teacher's feed and the substitute's one date in
hers (an override too when it was also moved in time).

The occurrences keep their `FeedItem` and `FeedMembership` rows (their scopes and times), but
no pieces of their own: a feed shows the series' piece when one of the series' occurrences in
its scope falls in the window.  `refresh_booking` marks an occurrence's series; it is
re-rendered just before the transaction commits (or at once by `refresh_series`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, SessionTransaction, selectinload

from calendars import RENDER_VERSION, FeedEvent, render_vevent
from service.feeds.mapping import LOCAL_STATUS, MAPPING_VERSION, office_name, without_numbers
from service.feeds.pieces import (
    PRIVATE_LEVELS,
    PUBLIC_SCOPE,
    SERIES_PENDING,
    booking_scopes,
    is_resource_scope,
    pending_scopes,
    releasing_savepoint,
)
from service.feeds.text import word
from service.models import (
    Booking,
    Enrolment,
    FeedSeriesItem,
    FeedSeriesPiece,
    FeedSeriesResourcePiece,
    Hold,
    Series,
)
from service.models.feed import FEED_LOCALES
from service.plumbing.errors import Invalid
from service.series.recurrence import to_instants, wall_starts, wall_time


def series_uid(series_id: int) -> str:
    return f"series-{series_id}@zapis"


@dataclass(frozen=True)
class SeriesShape:
    """What the feeds show of a series: its master's times, the EXDATEs and the overrides."""

    series: Series
    starts_at: datetime
    ends_at: datetime
    exdates: tuple[datetime, ...]
    model: Booking  # an occurrence as the rule plans it, for people, rooms and status
    overrides: tuple[tuple[datetime, Booking], ...]  # (rule start, moved occurrence)
    scopes: frozenset[str]
    enrolled: int

    @property
    def last_modified(self) -> datetime:
        occurrences = (self.model, *(b for _, b in self.overrides))
        return max(self.series.updated_at, *(b.updated_at for b in occurrences))


def _origin(booking: Booking) -> datetime:
    return booking.recurrence_start or booking.starts_at


def _people(booking: Booking) -> tuple[int, ...]:
    return tuple(sorted(h.resource_id for h in booking.holds if h.active))


def _status(booking: Booking) -> str:
    return LOCAL_STATUS.get(booking.status, "CONFIRMED")


def _shape(
    series: Series,
    rule_starts: Sequence[datetime],
    shown: Sequence[tuple[Booking, set[str]]],
    enrolled: int,
) -> SeriesShape:
    """Shape the shown occurrences: every other rule start is an EXDATE."""
    duration = series.ends_at - series.starts_at
    met = {_origin(b) for b, _ in shown}
    planned = [
        b for b, _ in shown if (b.starts_at, b.ends_at) == (_origin(b), _origin(b) + duration)
    ]
    model = planned[0] if planned else shown[0][0]
    overrides = tuple(
        (_origin(b), b)
        for b, _ in shown
        if (b.starts_at, b.ends_at) != (_origin(b), _origin(b) + duration)
        or _people(b) != _people(model)
        or _status(b) != _status(model)
    )  # the model too, when every occurrence was moved
    return SeriesShape(
        series=series,
        starts_at=rule_starts[0],
        ends_at=rule_starts[0] + duration,
        exdates=tuple(start for start in rule_starts if start not in met),
        model=model,
        overrides=overrides,
        scopes=frozenset().union(*(scopes for _, scopes in shown)),
        enrolled=enrolled,
    )


@dataclass(frozen=True)
class SeriesShapes:
    """A series as the office and public feeds show it, and as each person's or room's feed.

    A resource's shape holds only the occurrences it holds: one a substitute took is an
    EXDATE in the regular teacher's shape and the substitute's only occurrence in hers.
    """

    shared: SeriesShape
    by_resource: dict[str, SeriesShape]


def series_shapes(session: Session, series: Series) -> SeriesShapes | None:
    """Return how the feeds show series, or None when no occurrence of it is shown."""
    occurrences = list(
        session.scalars(
            select(Booking)
            .where(Booking.series_id == series.id)
            .options(selectinload(Booking.holds).selectinload(Hold.resource))
            .order_by(Booking.starts_at, Booking.id)
        )
    )
    shown = [(b, booking_scopes(b)) for b in occurrences]
    shown = [(b, scopes) for b, scopes in shown if scopes]
    if not shown:
        return None
    duration = series.ends_at - series.starts_at
    try:
        starts = wall_starts(series.rrule, wall_time(series.starts_at))
    except Invalid:
        return None  # a rule cut before its first start (a split at the first occurrence)
    rule_starts = [to_instants(start, duration)[0] for start in starts]
    enrolled = session.scalar(
        select(func.count())
        .select_from(Enrolment)
        .where(Enrolment.series_id == series.id, Enrolment.status == "enrolled")
    )
    count = enrolled or 0
    shared = _shape(series, rule_starts, shown, count)
    by_resource = {
        scope: _shape(
            series, rule_starts, [(b, {scope}) for b, scopes in shown if scope in scopes], count
        )
        for scope in sorted(s for s in shared.scopes if is_resource_scope(s))
    }
    return SeriesShapes(shared, by_resource)


def _rooms(booking: Booking) -> list[str]:
    return [h.resource.name for h in booking.holds if h.active and h.resource.kind == "room"]


def _others(booking: Booking) -> list[str]:
    return [h.resource.name for h in booking.holds if h.active and h.resource.kind != "room"]


def _location(series: Series, booking: Booking, privacy: str, locale: str) -> str:
    office = series.office
    if privacy == "busy":
        return office_name(office, locale)
    return ", ".join((office_name(office, locale), office.address, *_rooms(booking)))


def _description(shape: SeriesShape, booking: Booking, privacy: str, locale: str) -> str | None:
    """People, rooms and languages; never a beneficiary's name or phone, at most a count."""
    if privacy == "busy":
        return None
    if privacy == "public":
        return word(locale, "public_description")
    series = shape.series
    lines = [
        f"{word(locale, 'series')}: {series.title}",
        f"{word(locale, 'status')}: {word(locale, booking.status)}",
        f"{word(locale, 'modality')}: {word(locale, booking.modality)}",
    ]
    people, rooms = _others(booking), _rooms(booking)
    if people:
        lines.append(f"{word(locale, 'people')}: {', '.join(people)}")
    if rooms:
        lines.append(f"{word(locale, 'room')}: {', '.join(rooms)}")
    if privacy == "full":
        lines.append(f"{word(locale, 'enrolled')}: {shape.enrolled}")
    return "\n".join(lines)


def _summary(series: Series, privacy: str, locale: str) -> str:
    if privacy == "busy":
        return word(locale, "busy")
    label = word(locale, series.type)
    if privacy == "public":
        return label
    languages = ", ".join(sorted(series.languages))
    return f"{label} · {languages}" if languages else label


def _event(
    shape: SeriesShape,
    booking: Booking,
    privacy: str,
    locale: str,
    sequence: int,
    *,
    recurrence_id: datetime | None = None,
) -> FeedEvent:
    series = shape.series
    master = recurrence_id is None
    event = FeedEvent(
        uid=series_uid(series.id),
        starts_at=shape.starts_at if master else booking.starts_at,
        ends_at=shape.ends_at if master else booking.ends_at,
        summary=_summary(series, privacy, locale),
        description=_description(shape, booking, privacy, locale),
        location=_location(series, booking, privacy, locale),
        categories=() if privacy == "busy" else (word(locale, series.type),),
        status=_status(booking),
        sequence=sequence,
        rrule=series.rrule if master else None,
        exdates=shape.exdates if master else (),
        recurrence_id=recurrence_id,
        created=series.created_at,
        last_modified=shape.last_modified,
    )
    return without_numbers(event, locale)


def series_events(
    shape: SeriesShape, privacy: str, locale: str, *, sequence: int
) -> list[FeedEvent]:
    """Return the master VEVENT and its overrides as a feed of `privacy` in `locale` shows them."""
    return [
        _event(shape, shape.model, privacy, locale, sequence),
        *(
            _event(shape, booking, privacy, locale, sequence, recurrence_id=origin)
            for origin, booking in shape.overrides
        ),
    ]


def _revision(shape: SeriesShape) -> str:
    """Hash what makes SEQUENCE grow: the series' fields, rule, dates, people, rooms, scopes."""
    value = {
        "series": shape.series.image() | {"description": shape.series.description},
        "start": shape.starts_at.isoformat(),
        "exdates": [d.isoformat() for d in shape.exdates],
        "model": [shape.model.status, list(_people(shape.model))],
        "overrides": [
            [o.isoformat(), b.starts_at.isoformat(), b.ends_at.isoformat(), b.status, _people(b)]
            for o, b in shape.overrides
        ],
        "scopes": sorted(shape.scopes),
    }
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def _digest(pieces: Sequence[dict[str, object]], scopes: Sequence[str]) -> str:
    hashed = hashlib.sha256(" ".join(scopes).encode())
    for piece in pieces:
        hashed.update(
            f"\0{piece.get('scope', '')}\0{piece['privacy']}\0{piece['locale']}\0".encode()
        )
        body = piece["body"]
        assert isinstance(body, bytes)
        hashed.update(body)
    return hashed.hexdigest()


def _render_pieces(
    shape: SeriesShape, levels: Sequence[str], sequence: int
) -> list[dict[str, object]]:
    """Render shape (master and overrides) at each privacy level in each language."""
    return [
        {
            "series_id": shape.series.id,
            "privacy": privacy,
            "locale": locale,
            "body": b"".join(
                render_vevent(e) for e in series_events(shape, privacy, locale, sequence=sequence)
            ),
        }
        for privacy in levels
        for locale in FEED_LOCALES
    ]


def _forget_pieces(session: Session, series_id: int) -> None:
    for model in (FeedSeriesPiece, FeedSeriesResourcePiece):
        session.execute(delete(model).where(model.series_id == series_id))


def refresh_series(session: Session, series: Series) -> None:
    """Re-render a series' pieces; bump the scopes it is, or was, shown in if they changed.

    The office and public feeds get one piece; each person and room holding an occurrence
    gets its own, with only the occurrences it holds.
    """
    session.flush()
    pending: set[int] = session.info.get(SERIES_PENDING, set())
    pending.discard(series.id)
    shapes = series_shapes(session, series)
    item = session.get(FeedSeriesItem, series.id)
    before = set(item.scopes.split()) if item is not None else set()
    if shapes is None:
        if item is not None:
            _forget_pieces(session, series.id)
            session.delete(item)
            pending_scopes(session).update(before)
            session.flush()
        return
    shape = shapes.shared
    revision = _revision(shape)  # every occurrence's times, status, people: each resource's too
    if item is None:
        sequence = 0
    else:
        sequence = item.sequence + 1 if item.revision != revision else item.sequence
    pieces = _render_pieces(
        shape, PRIVATE_LEVELS + (("public",) if PUBLIC_SCOPE in shape.scopes else ()), sequence
    )
    resource_pieces = [
        piece | {"scope": scope}
        for scope, own in shapes.by_resource.items()
        for piece in _render_pieces(own, PRIVATE_LEVELS, sequence)
    ]
    scopes = sorted(shape.scopes)
    digest = _digest(pieces + resource_pieces, scopes)
    version = f"{RENDER_VERSION}.{MAPPING_VERSION}"
    if item is not None and (item.digest, item.render_version) == (digest, version):
        return
    _forget_pieces(session, series.id)
    if item is None:
        item = FeedSeriesItem(series_id=series.id, uid=series_uid(series.id))
        session.add(item)
    item.sequence, item.revision, item.digest = sequence, revision, digest
    item.scopes, item.starts_at, item.render_version = " ".join(scopes), shape.starts_at, version
    session.execute(insert(FeedSeriesPiece), pieces)
    if resource_pieces:
        session.execute(insert(FeedSeriesResourcePiece), resource_pieces)
    pending_scopes(session).update(before | shape.scopes)
    session.flush()


def series_changed(session: Session, series_id: int) -> None:
    """Re-render a series just before this transaction commits (its enrolments changed)."""
    session.info.setdefault(SERIES_PENDING, set()).add(series_id)


def refresh_pending_series(session: Session) -> None:
    """Re-render the series whose occurrences this transaction changed."""
    while session.info.get(SERIES_PENDING):
        series_id = min(session.info[SERIES_PENDING])
        series = session.get(Series, series_id)
        if series is None:
            session.info[SERIES_PENDING].discard(series_id)
        else:
            refresh_series(session, series)


@event.listens_for(Session, "before_commit", insert=True)
def _refresh_before_commit(session: Session) -> None:
    """Runs before the scopes are bumped (listener inserted first), as it adds scopes."""
    if not releasing_savepoint(session):
        refresh_pending_series(session)


@event.listens_for(Session, "after_transaction_end")
def _forget_series(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(SERIES_PENDING, None)
